/**
 * The readers of a templated run (docs/any-server.md): what servers send back and users write.
 * - `reply-id-json`: the JSON-path scanner behind `--reply-id '$.…'`, judged by JSON.parse and a
 *   plain path lookup on every document as JSON.stringify writes it (valid, no duplicate keys); on
 *   any other bytes it must still answer (no id, a foreign id or an id in range), never throw.
 * - `reply-regex`: a `--reply-id` regular expression and an `--await` matcher see a message's first
 *   REGEX_INPUT_BYTES only. Judged by what the expression is given (a RegExp that records its
 *   input), so a pathological pattern such as (a+)+b on a long 'aaaa…' is never run on more than
 *   the cut, and never run at all here: its cost on 4096 bytes is still exponential.
 * - `template`: the template compiler and writer against a plain string-replacement reference; the
 *   only exception it may throw is its own TemplateError.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { FOREIGN_ID, NO_ID, parseReplyIdRule, REGEX_INPUT_BYTES, ReplyIdExtractor, type ReplyIdRule } from '../../../src/protocol/reply-id.js';
import type { PathSegment } from '../../../src/protocol/json-path-scan.js';
import { Opening } from '../../../src/protocol/opening.js';
import { compileTemplate, MAX_PAD_BYTES, TemplateError, TemplateWriter } from '../../../src/protocol/template.js';
import { hex, unhex, jsonInput, type FuzzTarget } from '../target.js';

// --- reply ids by JSON path -------------------------------------------------------------------

export interface JsonIdInput {
  /** The reply's bytes, hex. */
  reply: string;
  path: PathSegment[];
}

/** The rule's source for a path: `.name` where the grammar allows, `["…"]` otherwise, `[N]` for an index. */
export function pathSource(path: readonly PathSegment[]): string {
  return '$' + path.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$-]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/** The reference: JSON.parse, then the path, then the id rules (a non-negative integer below 10^15, as a number or a digit string). */
export function referenceId(text: string, path: readonly PathSegment[]): number {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return NO_ID;
  }
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(v) || seg >= v.length) return NO_ID;
      v = v[seg] as unknown;
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, seg)) return NO_ID;
      v = (v as Record<string, unknown>)[seg];
    }
  }
  if (v === null) return NO_ID;
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v < 1e15 ? v : FOREIGN_ID;
  if (typeof v === 'string') return /^(?:0|[1-9][0-9]{0,14})$/.test(v) ? Number(v) : FOREIGN_ID;
  return FOREIGN_ID;
}

/**
 * Whether `buf` is JSON exactly as JSON.stringify writes it (compact or indented by 2): valid UTF-8,
 * valid JSON, and without the duplicate keys on which the scanner deliberately differs (first wins).
 */
function isCanonicalJson(buf: Buffer): boolean {
  if (!isUtf8(buf)) return false;
  const text = buf.toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return false;
  }
  return JSON.stringify(v) === text || JSON.stringify(v, null, 2) === text;
}

const segment: fc.Arbitrary<PathSegment> = fc.oneof(
  fc.constantFrom('id', 'seq', 'params', 'result', 'a-b', '$x', '0', 'ïd', 'a"b', 'a\\b'),
  fc.string({ maxLength: 5 }),
  fc.nat({ max: 3 }),
);
const leaf = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 2e15 }) },
  { weight: 1, arbitrary: fc.maxSafeNat() },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9]{1,17}$/) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const siblings = fc.dictionary(fc.oneof(fc.constantFrom('id', 'seq', 'params'), fc.string({ maxLength: 4 })), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
const fillers = fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 });

/** A document holding `value` at `path`, among other members and elements. */
function documentAt(path: readonly PathSegment[], value: unknown, objects: Record<string, unknown>[], arrays: unknown[][], targetFirst: boolean): unknown {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg === 'number') {
      const arr = [...(arrays[i % Math.max(arrays.length, 1)] ?? [])].slice(0, seg);
      while (arr.length < seg) arr.push(arr.length);
      arr.push(v);
      v = arr;
    } else {
      const others = { ...(objects[i % Math.max(objects.length, 1)] ?? {}) };
      delete others[seg];
      v = targetFirst ? { [seg]: v, ...others } : { ...others, [seg]: v };
    }
  }
  return v;
}

const validDocument = fc
  .record({
    path: fc.array(segment, { minLength: 1, maxLength: 4 }),
    value: leaf,
    objects: fc.array(siblings, { maxLength: 4 }),
    arrays: fc.array(fillers, { maxLength: 4 }),
    targetFirst: fc.boolean(),
    indent: fc.constantFrom(0, 0, 2),
    // Sometimes the rule asks for another path than the one the document was built around.
    otherPath: fc.option(fc.array(segment, { minLength: 1, maxLength: 3 }), { freq: 4 }),
  })
  .map((g) => ({
    text: JSON.stringify(documentAt(g.path, g.value, g.objects, g.arrays, g.targetFirst), null, g.indent) ?? 'null',
    path: g.otherPath ?? g.path,
  }));

const jsonIdArbitrary: fc.Arbitrary<JsonIdInput> = fc.oneof(
  { weight: 3, arbitrary: validDocument.map((d) => ({ reply: hex(Buffer.from(d.text)), path: d.path })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(validDocument, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert', 'drop'))
      .map(([d, at, byte, how]) => {
        const b = Buffer.from(d.text);
        const i = at % (b.length + 1);
        const out =
          how === 'cut'
            ? b.subarray(0, i)
            : how === 'insert'
              ? Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)])
              : how === 'drop'
                ? Buffer.concat([b.subarray(0, i), b.subarray(i + 1)])
                : Buffer.from(b).fill(byte, Math.min(i, b.length - 1), Math.min(i, b.length - 1) + 1);
        return { reply: hex(out), path: d.path };
      }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.array(segment, { minLength: 1, maxLength: 3 })).map(([b, path]) => ({ reply: hex(b), path })),
  },
);

export const replyIdJsonTarget: FuzzTarget<JsonIdInput> = {
  name: 'reply-id-json',
  covers: ['src/protocol/json-path-scan.ts', 'src/protocol/reply-id.ts'],
  arbitrary: jsonIdArbitrary,
  check({ reply, path }) {
    // A campaign's mutations may leave the rule grammar (a negative index): the rule parser refuses those itself.
    if (!path.every((s) => typeof s === 'string' || (Number.isSafeInteger(s) && s >= 0))) return;
    const source = pathSource(path);
    const rule = parseReplyIdRule(source);
    if (rule.kind !== 'json' || JSON.stringify(rule.path) !== JSON.stringify(path)) throw new Error(`${source} read back as ${JSON.stringify(rule)}`);
    const buf = unhex(reply);
    const got = new ReplyIdExtractor(rule).extract(buf);
    if (isCanonicalJson(buf)) {
      const want = referenceId(buf.toString('utf8'), path);
      if (got !== want) throw new Error(`${source} on ${buf.toString('utf8')}: extracted ${got}, JSON.parse says ${want}`);
      return;
    }
    if (got !== NO_ID && got !== FOREIGN_ID && !(Number.isSafeInteger(got) && got >= 0 && got < 1e15))
      throw new Error(`${source}: extracted ${got}, not an id`);
  },
  ...jsonInput<JsonIdInput>(),
};

// --- regular expressions on a message's first bytes -------------------------------------------

export interface RegexInput {
  /** `reply-id`: a --reply-id regular expression; `await`: an --await step. */
  use: 'reply-id' | 'await';
  pattern: string;
  /** The server's message, hex. */
  message: string;
}

/** Patterns whose cost grows exponentially with a long near-match: never executed by this target. */
export const PATHOLOGICAL = ['(a+)+b', '(a|a)*c', '(.*a){12}x'];
const SAFE = ['"id":(\\d+)', 'seq=(\\d+)', '(\\d+)', '^\\{"event":"(\\w+)"', 'logged-in', '(é+)$', '([^]{4000,})'];

/** An escaped literal in one group, as the generator writes it: linear to run. */
const LITERAL_GROUP = /^\((?:[^\\^$.*+?()[\]{}|/-]|\\[\\^$.*+?()[\]{}|/-])*\)$/;

/**
 * Whether the target may run a pattern: only the known-linear ones. A campaign's mutations turn
 * patterns into anything, and any pattern with nested quantifiers would hang the target exactly as
 * it would a load worker: the cut bounds the input, not the cost.
 */
export function runnable(pattern: string): boolean {
  return SAFE.includes(pattern) || LITERAL_GROUP.test(pattern);
}

/** A RegExp that records each input it is given; one the target may not run answers "no match". */
class RecordingRegExp extends RegExp {
  readonly inputs: string[] = [];
  override exec(input: string): RegExpExecArray | null {
    this.inputs.push(input);
    return runnable(this.source) ? super.exec(input) : null;
  }
}

const message = fc.oneof(
  fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b)),
  fc.nat({ max: 1e6 }).map((id) => Buffer.from(`{"jsonrpc":"2.0","id":${id},"result":"pong"} seq=${id}`)),
  fc
    .tuple(fc.integer({ min: REGEX_INPUT_BYTES - 8, max: 5 * REGEX_INPUT_BYTES }), fc.constantFrom('', 'b', 'c', 'x'))
    .map(([n, tail]) => Buffer.from('a'.repeat(n) + tail)),
  // Two-byte characters across the cut: the cut may split one.
  fc.tuple(fc.integer({ min: 1, max: 4000 }), fc.nat({ max: 3 })).map(([n, pre]) => Buffer.from('x'.repeat(pre) + 'é'.repeat(n))),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s)),
);

const regexArbitrary: fc.Arbitrary<RegexInput> = fc.record({
  use: fc.constantFrom('reply-id' as const, 'await' as const),
  pattern: fc.oneof(
    fc.constantFrom(...PATHOLOGICAL, ...SAFE),
    fc.string({ maxLength: 4 }).map((s) => `(${s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')})`),
  ),
  message: message.map(hex),
});

export const replyRegexTarget: FuzzTarget<RegexInput> = {
  name: 'reply-regex',
  covers: ['src/protocol/reply-id.ts', 'src/protocol/opening.ts'],
  arbitrary: regexArbitrary,
  check({ use, pattern, message: text }) {
    const buf = unhex(text);
    const cut = buf.toString('utf8', 0, Math.min(buf.length, REGEX_INPUT_BYTES));
    let re: RecordingRegExp | undefined;
    const record = (source: string) => (re = new RecordingRegExp(source));
    try {
      new RegExp(pattern);
    } catch {
      return; // a campaign's mutation that does not compile: --reply-id and --await refuse it (exit 2)
    }
    let got: unknown;
    if (use === 'reply-id') {
      const rule: ReplyIdRule = { kind: 'regex', source: pattern, re: record(pattern) };
      got = new ReplyIdExtractor(rule).extract(buf);
    } else {
      got = new Opening([{ send: 'login' }, { await: pattern }], record).matches(1, buf);
    }
    if (re === undefined) throw new Error('the expression was never compiled');
    if (re.inputs.length !== 1) throw new Error(`the expression ran ${re.inputs.length} times on one message`);
    if (re.inputs[0] !== cut) throw new Error(`the expression saw ${re.inputs[0].length} characters, not the message's first ${REGEX_INPUT_BYTES} bytes`);
    if (!runnable(pattern)) return;
    const m = new RegExp(pattern).exec(cut);
    let want: unknown;
    if (use !== 'reply-id') want = m !== null;
    else if (m === null || m[1] === undefined) want = NO_ID;
    else want = /^(?:0|[1-9]\d{0,14})$/.test(m[1]) ? Number(m[1]) : FOREIGN_ID;
    if (got !== want) throw new Error(`${use} ${pattern}: got ${String(got)}, the expression on the cut says ${String(want)}`);
  },
  ...jsonInput<RegexInput>(),
};

// --- templates --------------------------------------------------------------------------------

export interface TemplateInput {
  template: string;
  /** Two sets of values, written one after the other by the same writer: [seq, conn, id, nowMs]. */
  values: [number, number, number, number][];
}

const PLACEHOLDER_VALUE: Record<string, number> = { seq: 0, conn: 1, id: 2, now: 3 };

/** The reference: a left-to-right string replacement; 'error' where the compiler must refuse. */
export function referenceRender(template: string, values: readonly number[]): { bytes: Buffer; has: Set<string> } | 'error' {
  const pieces: Buffer[] = [];
  const has = new Set<string>();
  let literal = '';
  // Literal text is encoded a piece at a time: a lone surrogate on each side of a placeholder stays lone.
  const flush = () => {
    pieces.push(Buffer.from(literal));
    literal = '';
  };
  let i = 0;
  while (i < template.length) {
    if (template[i] !== '{') {
      literal += template[i++];
      continue;
    }
    if (template[i + 1] === '{') {
      literal += '{';
      i += 2;
      continue;
    }
    const m = /^\{([a-z]+)(?:\}|:([^}]*)\})/.exec(template.slice(i));
    if (!m) {
      literal += template[i++];
      continue;
    }
    const [whole, name, arg] = m;
    i += whole.length;
    flush();
    if (arg !== undefined) {
      if (name !== 'pad' || !/^\d{1,9}$/.test(arg) || Number(arg) > MAX_PAD_BYTES) return 'error';
      pieces.push(Buffer.alloc(Number(arg), 'x'));
    } else {
      if (!(name in PLACEHOLDER_VALUE)) return 'error';
      has.add(name);
      pieces.push(Buffer.from(String(values[PLACEHOLDER_VALUE[name]])));
    }
  }
  flush();
  return { bytes: Buffer.concat(pieces), has };
}

const piece = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.constantFrom(
    '{seq}',
    '{conn}',
    '{id}',
    '{now}',
    '{{',
    '{',
    '}',
    '{pad}',
    '{pad:x}',
    '{pad:-1}',
    '{pad:16777217}',
    '{pad:0012}',
    '{bogus}',
    '{seq',
    '{SEQ}',
    '{ "a"',
    '{"id":',
    '{pad:1',
  ),
  fc.nat({ max: 40 }).map((n) => `{pad:${n}}`),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const values = fc.tuple(fc.maxSafeNat(), fc.maxSafeNat(), fc.maxSafeNat(), fc.maxSafeNat());

const templateArbitrary: fc.Arbitrary<TemplateInput> = fc.record({
  template: fc.oneof(
    fc.array(piece, { maxLength: 8 }).map((p) => p.join('')),
    fc.string({ maxLength: 30 }),
  ),
  values: fc.array(values, { minLength: 1, maxLength: 2 }),
});

export const templateTarget: FuzzTarget<TemplateInput> = {
  name: 'template',
  covers: ['src/protocol/template.ts'],
  arbitrary: templateArbitrary,
  check({ template, values: sets }) {
    const want = referenceRender(template, sets[0]);
    let compiled;
    try {
      compiled = compileTemplate(template);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw new Error(`${JSON.stringify(template)}: ${(err as Error).name}: ${(err as Error).message}`);
      if (want !== 'error') throw new Error(`${JSON.stringify(template)} refused (${err.message}), the reference renders it`);
      return;
    }
    if (want === 'error') throw new Error(`${JSON.stringify(template)} compiled, the reference refuses it`);
    for (const [name, flag] of [
      ['seq', compiled.hasSeq],
      ['id', compiled.hasId],
      ['now', compiled.hasNow],
    ] as const) {
      if (flag !== want.has.has(name)) throw new Error(`${JSON.stringify(template)}: has ${name} is ${flag}`);
    }
    const writer = new TemplateWriter(compiled);
    for (const v of sets) {
      // The writer's domain (a campaign's mutations step outside it): non-negative integers below 2^53.
      if (!v.every((x) => Number.isSafeInteger(x) && x >= 0)) continue;
      const expected = referenceRender(template, v) as { bytes: Buffer };
      const got = writer.write(v[0], v[1], v[2], v[3]);
      if (!got.equals(expected.bytes))
        throw new Error(
          `${JSON.stringify(template)} with ${v.join(', ')}: wrote ${JSON.stringify(got.toString())}, expected ${JSON.stringify(expected.bytes.toString())}`,
        );
    }
  },
  ...jsonInput<TemplateInput>(),
};
