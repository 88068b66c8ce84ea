/**
 * `--reply-id <rule>`: where a reply carries the id of the message it answers. A JSON path (`$.id`,
 * `$.params.seq`, `$.data[0].id`), read by a bounded scanner with JSON.parse as its fallback
 * (json-path-scan.ts); or a regular expression with one capture group, run on at most the first
 * REGEX_INPUT_BYTES of each reply, so a slow pattern cannot hang a load worker on a large message.
 */
import { SCAN, scanJsonPath, type PathSegment } from './json-path-scan.js';

/** How much of a reply a --reply-id or --await regular expression sees (the rest is not searched). */
export const REGEX_INPUT_BYTES = 4096;

/** What extraction made of a reply. Ids are non-negative; these are not. */
export const NO_ID = -1;
/** The reply carries an id, but not one of ours (not an unsigned integer). */
export const FOREIGN_ID = -2;

export type ReplyIdRule =
  { kind: 'json'; source: string; path: readonly PathSegment[]; keys: readonly (Buffer | number)[] } | { kind: 'regex'; source: string; re: RegExp };

/** A rule that cannot be used: the message says why, in the user's words. */
export class ReplyIdRuleError extends Error {}

/** Parses a --reply-id rule: `$…` is a JSON path, anything else a regular expression with one capture group. */
export function parseReplyIdRule(source: string): ReplyIdRule {
  if (source.startsWith('$')) {
    const path = parseJsonPath(source);
    return { kind: 'json', source, path, keys: path.map((s) => (typeof s === 'number' ? s : Buffer.from(s))) };
  }
  return { kind: 'regex', source, re: compileRegex(source, '--reply-id', 1) };
}

/**
 * A user's regular expression, checked: it must compile, and have exactly `groups` capture groups
 * (`undefined`: any number). Throws ReplyIdRuleError naming the flag.
 */
export function compileRegex(source: string, flag: string, groups?: number): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (err) {
    throw new ReplyIdRuleError(`${flag} ${JSON.stringify(source)} is not a valid regular expression: ${(err as Error).message}`);
  }
  if (groups !== undefined) {
    // Matching the empty alternative counts the groups without depending on the input.
    const found = new RegExp(`${source}|`).exec('')!.length - 1;
    if (found !== groups)
      throw new ReplyIdRuleError(
        `${flag} ${JSON.stringify(source)} must have exactly ${groups} capture group (found ${found}): the group is the id, e.g. "seq=(\\d+)"; (?:…) groups do not count`,
      );
  }
  return re;
}

/** `$.a.b`, `$.a[0].b`, `$["a-b"]`: names and indexes only (no wildcards, filters or slices). */
function parseJsonPath(source: string): PathSegment[] {
  const bad = (why: string) =>
    new ReplyIdRuleError(`--reply-id ${JSON.stringify(source)} is not a JSON path this tool reads (${why}): use $.id, $.params.seq, $.data[0].id or $["a-b"]`);
  const path: PathSegment[] = [];
  let i = 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '.') {
      const m = /^[A-Za-z_$][\w$-]*/.exec(source.slice(i + 1));
      if (!m) throw bad(`a name must follow "." at ${i + 1}`);
      path.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const m = /^\[(?:(\d+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\]/.exec(source.slice(i));
      if (!m) throw bad(`expected [N] or ["name"] at ${i + 1}`);
      if (m[1] !== undefined) path.push(Number(m[1]));
      else if (m[2] !== undefined) path.push(JSON.parse(`"${m[2]}"`) as string);
      else path.push(m[3]);
      i += m[0].length;
    } else throw bad(`unexpected ${JSON.stringify(c)} at ${i + 1}`);
  }
  if (path.length === 0) throw bad('it names no field');
  return path;
}

/**
 * The id a reply carries: a non-negative integer, NO_ID (none: a server push), or FOREIGN_ID (an id
 * that is not an unsigned integer below 10^15, so not one this run sent). Hot path: a JSON path
 * costs one bounded scan of the reply; JSON.parse only when the scanner cannot decide.
 */
export class ReplyIdExtractor {
  private readonly rule: ReplyIdRule;
  private readonly out = new Float64Array(1);

  constructor(rule: ReplyIdRule) {
    this.rule = rule;
  }

  extract(reply: Buffer): number {
    const rule = this.rule;
    if (rule.kind === 'regex') return this.fromRegex(rule.re, reply);
    const found = scanJsonPath(reply, rule.keys, this.out);
    if (found === SCAN.ID) return this.out[0];
    if (found === SCAN.NONE) return NO_ID;
    if (found === SCAN.OTHER) return FOREIGN_ID;
    return idFromParsed(reply, rule.path);
  }

  private fromRegex(re: RegExp, reply: Buffer): number {
    const m = re.exec(regexInput(reply));
    if (m === null || m[1] === undefined) return NO_ID;
    return idFromText(m[1]);
  }
}

/** What a user's regular expression (--reply-id, --await) sees of a message: its first REGEX_INPUT_BYTES, as text. */
export function regexInput(message: Buffer): string {
  return message.toString('utf8', 0, Math.min(message.length, REGEX_INPUT_BYTES));
}

/** The JSON.parse fallback: a reply that is not JSON carries no id. */
export function idFromParsed(reply: Buffer, path: readonly PathSegment[]): number {
  let v: unknown;
  try {
    v = JSON.parse(reply.toString('utf8'));
  } catch {
    return NO_ID;
  }
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return NO_ID;
    if (typeof seg === 'number' ? !Array.isArray(v) : Array.isArray(v)) return NO_ID;
    if (!Object.prototype.hasOwnProperty.call(v, seg)) return NO_ID;
    v = (v as Record<string | number, unknown>)[seg];
  }
  if (v === null || v === undefined) return NO_ID;
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v < 1e15 ? v : FOREIGN_ID;
  if (typeof v === 'string') return idFromText(v);
  return FOREIGN_ID;
}

function idFromText(s: string): number {
  return /^(?:0|[1-9]\d{0,14})$/.test(s) ? Number(s) : FOREIGN_ID;
}
