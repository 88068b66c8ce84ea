/**
 * The readers of text and bytes that come from outside: a server's reply (the probe decoder), a
 * flag or profile value (the units parser), a profile file, a result file. Each must answer every
 * input with a value in its range or its own clear refusal, never an exception of another kind,
 * and read back what wsbench itself writes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  createProbeBuffer,
  PROBE_HEADER_BYTES,
  PROBE_MAX_ID,
  PROBE_MAX_SEQ,
  probeFraming,
  probeOffset,
  readProbeConnId,
  readProbeIntendedUs,
  readProbeSentUs,
  readProbeSeq,
  writeProbe,
} from '../../../src/protocol/probe.js';
import { formatDurationMs, parseCount, parseDurationExactMs, parseDurationMs, parseScaled } from '../../../src/profile/units.js';
import { readProfile } from '../../../src/profile/read-profile.js';
import { checkResultDocument, readResultFile } from '../../../src/result-files/read-results.js';
import type { ResultDocument } from '../../../src/contract/result.js';
import { isWsbError } from '../../../src/core/errors.js';
import { hex, unhex, type FuzzTarget } from '../target.js';

// --- probe replies ----------------------------------------------------------------------------

/** The time fields hold 13 digits of µs since the run's base (115 days). */
const PROBE_MAX_TIME = 10 ** 13 - 1;

export interface ProbeInput {
  /** A reply as the server sent it, hex. */
  reply: string;
}

const validProbe = fc
  .record({
    size: fc.integer({ min: PROBE_HEADER_BYTES, max: 300 }),
    format: fc.constantFrom('plain' as const, 'shootout' as const),
    pattern: fc.constantFrom('echo' as const, 'broadcast' as const),
    id: fc.integer({ min: 0, max: PROBE_MAX_ID }),
    seq: fc.integer({ min: 0, max: PROBE_MAX_SEQ }),
    intended: fc.integer({ min: 0, max: PROBE_MAX_TIME }),
    sent: fc.integer({ min: 0, max: PROBE_MAX_TIME }),
    pong: fc.boolean(),
  })
  .map((p) => {
    const framing = probeFraming(p.format, p.pattern);
    const buf = createProbeBuffer(p.size, framing);
    writeProbe(buf, p.id, p.seq, p.intended, p.sent, framing.prefix.length);
    return p.pong && p.format === 'plain' ? Buffer.concat([Buffer.from('Pong: '), buf]) : buf;
  });

const probeArbitrary: fc.Arbitrary<ProbeInput> = fc
  .oneof(
    validProbe,
    fc.tuple(validProbe, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([b, at, v]) => {
      const out = Buffer.from(b);
      out[at % out.length] = v;
      return out;
    }),
    fc.tuple(validProbe, fc.nat()).map(([b, n]) => b.subarray(0, n % (b.length + 1))),
    fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
  )
  .map((b) => ({ reply: hex(b) }));

export const probeTarget: FuzzTarget<ProbeInput> = {
  name: 'probe-reply',
  covers: ['src/protocol/probe.ts'],
  arbitrary: probeArbitrary,
  check({ reply }) {
    const buf = unhex(reply);
    const at = probeOffset(buf);
    if (at === -1) return;
    if (!Number.isInteger(at) || at < 0 || at + PROBE_HEADER_BYTES > buf.length)
      throw new Error(`probeOffset ${at} leaves no whole probe header in ${buf.length} bytes`);
    const fields = { id: readProbeConnId(buf, at), seq: readProbeSeq(buf, at), intended: readProbeIntendedUs(buf, at), sent: readProbeSentUs(buf, at) };
    const max = { id: PROBE_MAX_ID, seq: PROBE_MAX_SEQ, intended: PROBE_MAX_TIME, sent: PROBE_MAX_TIME };
    for (const [name, v] of Object.entries(fields)) {
      if (!Number.isSafeInteger(v) || v < -1 || v > max[name as keyof typeof max]) throw new Error(`${name} read as ${v}`);
    }
  },
  toJson: (x) => x,
  fromJson: (j) => j as ProbeInput,
};

/** Round trip: what writeProbe writes, the readers read back exactly. */
export const probeRoundTrip = fc.property(
  fc.integer({ min: 0, max: PROBE_MAX_ID }),
  fc.integer({ min: 0, max: PROBE_MAX_SEQ }),
  fc.integer({ min: 0, max: PROBE_MAX_TIME }),
  fc.integer({ min: 0, max: PROBE_MAX_TIME }),
  (id, seq, intended, sent) => {
    const buf = createProbeBuffer(PROBE_HEADER_BYTES + 8);
    writeProbe(buf, id, seq, intended, sent);
    const at = probeOffset(buf);
    return (
      at === 0 &&
      readProbeConnId(buf, at) === id &&
      readProbeSeq(buf, at) === seq &&
      readProbeIntendedUs(buf, at) === intended &&
      readProbeSentUs(buf, at) === sent
    );
  },
);

// --- units ------------------------------------------------------------------------------------

export interface UnitsInput {
  text: string;
}

const unitPart = fc.tuple(
  fc.oneof(fc.nat({ max: 100_000 }).map(String), fc.stringMatching(/^\d{1,400}(\.\d{1,5})?$/)),
  fc.constantFrom('us', 'ms', 's', 'm', 'h', 'd', 'k', 'K', 'M', 'µs', 'μs', '', ' ', 'min', 'minutes', 'KiB', 'x'),
);
const unitsArbitrary: fc.Arbitrary<UnitsInput> = fc
  .oneof(
    fc.array(unitPart, { minLength: 1, maxLength: 4 }).map((parts) => parts.map(([n, u]) => n + u).join('')),
    fc.string({ maxLength: 20 }),
    fc.stringMatching(/^[\d_.kKmM -]{0,20}$/),
    fc.constantFrom('10k', '1m30s', '64KiB', '1e400', '-1s', 'Infinity', 'NaN', '0x10', '1_000_000', '.5s', '5.s'),
  )
  .map((text) => ({ text }));

export const unitsTarget: FuzzTarget<UnitsInput> = {
  name: 'units',
  covers: ['src/profile/units.ts'],
  arbitrary: unitsArbitrary,
  check({ text }) {
    const d = parseDurationMs(text);
    if (d !== undefined && !(Number.isSafeInteger(d) && d >= 0)) throw new Error(`parseDurationMs(${JSON.stringify(text)}) = ${d}`);
    const e = parseDurationExactMs(text);
    if (e !== undefined && !(Number.isFinite(e) && e >= 0)) throw new Error(`parseDurationExactMs(${JSON.stringify(text)}) = ${e}`);
    const s = parseScaled(text);
    if (s !== undefined && !(Number.isFinite(s) && s >= 0)) throw new Error(`parseScaled(${JSON.stringify(text)}) = ${s}`);
    const c = parseCount(text);
    if (c !== undefined && !(Number.isSafeInteger(c) && c >= 0)) throw new Error(`parseCount(${JSON.stringify(text)}) = ${c}`);
    // What wsbench prints for a duration, it reads back as the same duration.
    if (d !== undefined && d <= 10 * 365 * 86_400_000 && parseDurationMs(formatDurationMs(d)) !== d)
      throw new Error(`formatDurationMs(${d}) = ${formatDurationMs(d)} reads back differently`);
  },
  toJson: (x) => x,
  fromJson: (j) => j as UnitsInput,
};

// --- profile files ----------------------------------------------------------------------------

export interface ProfileInput {
  /** The file's text. */
  text: string;
}

const profileValue = fc.oneof(
  fc.integer({ min: -5, max: 200_000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom('10s', '1m30s', '500ms', '200us', 'lean', 'ws', '', 'soon', 'ws://127.0.0.1:1/'),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);
const PROFILE_KEYS = [
  'clients',
  'rate',
  'duration',
  'warmup',
  'connectRate',
  'payloadSize',
  'protocol',
  'deflate',
  'headers',
  'threads',
  'processes',
  'client',
  'grace',
  'connectTimeout',
  'maxSendLagP99Ms',
  'url',
  'descripton',
];
const profileArbitrary: fc.Arbitrary<ProfileInput> = fc
  .oneof(
    { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...PROFILE_KEYS), profileValue, { maxKeys: 6 }).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.json() },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  )
  .map((text) => ({ text }));

let profileDir: string | undefined;
/** One folder for the campaign's profile files (removed at exit). */
function scratchFile(name: string): string {
  if (!profileDir) {
    const dir = mkdtempSync(path.join(tmpdir(), 'wsb-fuzz-'));
    profileDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return path.join(profileDir, name);
}

export const profileTarget: FuzzTarget<ProfileInput> = {
  name: 'profile',
  covers: ['src/profile/read-profile.ts', 'src/profile/profile-schema.ts', 'src/profile/units.ts'],
  arbitrary: profileArbitrary,
  check({ text }) {
    const file = scratchFile('profile.json');
    writeFileSync(file, text);
    try {
      const { profile } = readProfile(file);
      for (const key of ['duration', 'warmup', 'grace', 'connectTimeout'] as const) {
        const v = profile[key];
        if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new Error(`profile ${key} read as ${v}`);
      }
    } catch (err) {
      if (!isWsbError(err) || err.exitCode !== 2) throw err;
    }
  },
  toJson: (x) => x,
  fromJson: (j) => j as ProfileInput,
};

// --- result files -----------------------------------------------------------------------------

export interface ResultInput {
  /** A fixture (test/fixtures/results) with one change: a path and the value put there (undefined: deleted). */
  fixture: string;
  path: (string | number)[];
  value?: unknown;
  /** Or the file's text outright. */
  text?: string;
}

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../test/fixtures/results');
const FIXTURE_NAMES = ['before-sequence-counters.json', 'before-pattern-format.json', 'before-send-clock.json', 'merged-before-send-clock.json'];
const fixtureCache = new Map<string, unknown>();
function fixtureDoc(name: string): unknown {
  if (!fixtureCache.has(name)) fixtureCache.set(name, JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')));
  return structuredClone(fixtureCache.get(name));
}

/** Every path to a value in the document, so that mutations reach every field. */
function paths(doc: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(doc)) doc.slice(0, 3).forEach((v, i) => paths(v, [...prefix, i], out));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) paths(v, [...prefix, k], out);
  return out;
}
const fixturePaths = new Map<string, (string | number)[][]>();

const resultArbitrary: fc.Arbitrary<ResultInput> = fc
  .tuple(
    fc.constantFrom(...FIXTURE_NAMES),
    fc.nat(),
    fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 8 }),
      fc.boolean(),
      fc.constant([]),
      fc.constant({}),
      fc.constantFrom('4103', -1, 1e308, 2, 'valid', 'AAAA', ''),
    ),
  )
  .map(([fixture, pick, value]) => {
    if (!fixturePaths.has(fixture)) fixturePaths.set(fixture, paths(fixtureDoc(fixture)));
    const list = fixturePaths.get(fixture)!;
    return { fixture, path: list[pick % list.length], value };
  });

/**
 * The fixture with one value changed, or undefined when the path leaves the document (a mutated
 * input can point anywhere): a JSON file has no `series[-1]` or field below a number.
 */
function setAt(doc: unknown, at: (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const fits = (container: unknown, key: string | number) =>
    Array.isArray(container)
      ? Number.isInteger(key) && (key as number) >= 0 && (key as number) <= container.length
      : typeof container === 'object' && container !== null && typeof key === 'string';
  let parent = doc as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) {
    if (!fits(parent, key) || !(key in parent)) return undefined;
    parent = parent[key] as Record<string | number, unknown>;
  }
  const last = at[at.length - 1];
  if (!fits(parent, last)) return undefined;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = value;
  return doc;
}

export const resultFileTarget: FuzzTarget<ResultInput> = {
  name: 'result-file',
  covers: ['src/result-files/read-results.ts', 'src/result-files/result-schema.ts'],
  arbitrary: resultArbitrary,
  check(input) {
    let read: ResultDocument | undefined;
    let before: unknown;
    try {
      if (input.text !== undefined) {
        // A whole file's text goes through the reader's own reading of the file.
        const file = scratchFile('fuzzed.json');
        writeFileSync(file, input.text);
        read = readResultFile(file);
        before = JSON.parse(input.text);
      } else {
        if (!FIXTURE_NAMES.includes(input.fixture)) return;
        const doc = setAt(fixtureDoc(input.fixture), input.path, input.value);
        if (doc === undefined) return;
        before = structuredClone(doc);
        read = checkResultDocument(doc, 'fuzzed.json');
      }
      // Accepted: then exactly as given (nothing dropped or defaulted), and what report reads is there.
      if (!isDeepStrictEqual(read, before)) throw new Error('the reader changed an accepted document');
      const s = read.summary;
      for (const v of [s.rttUs.p99, s.messages.sent, s.messages.received, read.config.clients])
        if (typeof v !== 'number') throw new Error(`accepted a non-number: ${JSON.stringify(v)}`);
    } catch (err) {
      if (!isWsbError(err)) throw err;
      if (err.exitCode !== 2 || !err.message.includes('fuzzed.json')) throw new Error(`refusal without exit 2 or the file name: ${err.message}`);
      const at = input.path.filter((k) => typeof k === 'string').join('.');
      // The refusal names the field that was changed (or its parent, when a whole object went).
      if (input.text === undefined && at && !err.message.includes(input.path.slice(0, 1).join('')))
        throw new Error(`refusal does not name ${at}: ${err.message}`);
    }
  },
  toJson: (x) => x,
  fromJson: (j) => j as ResultInput,
};
