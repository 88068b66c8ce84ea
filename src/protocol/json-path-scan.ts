/**
 * Finds the value at a simple JSON path (`$.id`, `$.params.seq`, `$.data[0].id`) in the bytes of a
 * reply without parsing the whole document: it walks the members of each object (skipping values
 * it does not need: strings with escapes, nested objects and arrays, numbers, literals) and stops
 * at the first member that matches. Linear in the reply's length, no allocation.
 *
 * Where it cannot decide cheaply and surely (a key written with an escape, a value that is not a
 * plain unsigned integer or digit string, malformed JSON), it says so and the caller falls back to
 * JSON.parse. One difference from JSON.parse is deliberate: with a duplicated key the first one
 * wins (JSON.parse takes the last); servers do not send ids twice in one object.
 */

/** A path segment: an object member's name, or an array index. */
export type PathSegment = string | number;

/** What the scan found (small integers: compared in the hot path). */
export const SCAN = {
  /** The value is an unsigned integer (a number token or a string of digits): in `value`. */
  ID: 0,
  /** The path is absent, or its value is null: the message carries no id. */
  NONE: 1,
  /** Found, but not an unsigned integer (another string, a float, an object…): not one of our ids. */
  OTHER: 2,
  /** The scanner cannot tell: use JSON.parse. */
  UNSURE: 3,
} as const;
export type ScanResult = (typeof SCAN)[keyof typeof SCAN];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OBJ_OPEN = 0x7b;
const OBJ_CLOSE = 0x7d;
const ARR_OPEN = 0x5b;
const ARR_CLOSE = 0x5d;
const ZERO = 0x30;
/** Ids are below 2^53: 15 digits always fit exactly. */
const MAX_ID_DIGITS = 15;
/** Nesting the scanner follows when skipping a value; deeper documents go to JSON.parse. */
const MAX_DEPTH = 64;

/**
 * Scans `buf` for the value at `path` (its segments as bytes for names). Returns SCAN.ID with the
 * value in `out[0]`, or another SCAN code.
 */
export function scanJsonPath(buf: Buffer, path: readonly (Buffer | number)[], out: Float64Array): ScanResult {
  let i = skipWs(buf, 0);
  for (let seg = 0; seg < path.length; seg++) {
    const want = path[seg];
    if (typeof want === 'number') {
      if (buf[i] !== ARR_OPEN) return buf[i] === OBJ_OPEN || isValueStart(buf[i]) ? SCAN.NONE : SCAN.UNSURE;
      i = skipWs(buf, i + 1);
      if (buf[i] === ARR_CLOSE) return SCAN.NONE;
      for (let k = 0; k < want; k++) {
        i = skipValue(buf, i, 0);
        if (i < 0) return SCAN.UNSURE;
        i = skipWs(buf, i);
        if (buf[i] === ARR_CLOSE) return SCAN.NONE;
        if (buf[i] !== COMMA) return SCAN.UNSURE;
        i = skipWs(buf, i + 1);
      }
      continue;
    }
    if (buf[i] !== OBJ_OPEN) return buf[i] === ARR_OPEN || isValueStart(buf[i]) ? SCAN.NONE : SCAN.UNSURE;
    i = skipWs(buf, i + 1);
    if (buf[i] === OBJ_CLOSE) return SCAN.NONE;
    for (;;) {
      if (buf[i] !== QUOTE) return SCAN.UNSURE;
      const keyEnd = stringEnd(buf, i);
      if (keyEnd < 0) return SCAN.UNSURE;
      const match = keyEquals(buf, i + 1, keyEnd - 1, want);
      if (match < 0) return SCAN.UNSURE;
      i = skipWs(buf, keyEnd);
      if (buf[i] !== COLON) return SCAN.UNSURE;
      i = skipWs(buf, i + 1);
      if (match === 1) break;
      i = skipValue(buf, i, 0);
      if (i < 0) return SCAN.UNSURE;
      i = skipWs(buf, i);
      if (buf[i] === OBJ_CLOSE) return SCAN.NONE;
      if (buf[i] !== COMMA) return SCAN.UNSURE;
      i = skipWs(buf, i + 1);
    }
  }
  return readId(buf, i, out);
}

/** The value at `i` as an id: digits (bare or quoted) → ID; null → NONE; another value → OTHER. */
function readId(buf: Buffer, i: number, out: Float64Array): ScanResult {
  const c = buf[i];
  if (c === QUOTE) {
    const end = stringEnd(buf, i);
    if (end < 0) return SCAN.UNSURE;
    const v = digitsValue(buf, i + 1, end - 1);
    if (v >= 0) {
      out[0] = v;
      return SCAN.ID;
    }
    // A digit string written with escapes ("\u0031") is for JSON.parse to read.
    return buf.indexOf(BACKSLASH, i + 1) >= 0 && buf.indexOf(BACKSLASH, i + 1) < end ? SCAN.UNSURE : SCAN.OTHER;
  }
  if (c >= ZERO && c <= ZERO + 9) {
    let end = i;
    while (buf[end] >= ZERO && buf[end] <= ZERO + 9) end++;
    const next = buf[end];
    // 17.0, 1e3: numbers JSON.parse may still read as an integer.
    if (next === 0x2e || next === 0x65 || next === 0x45) return SCAN.UNSURE;
    const v = digitsValue(buf, i, end);
    if (v < 0) return SCAN.UNSURE;
    out[0] = v;
    return SCAN.ID;
  }
  if (c === 0x6e && buf[i + 1] === 0x75 && buf[i + 2] === 0x6c && buf[i + 3] === 0x6c) return SCAN.NONE; // null
  return isValueStart(c) ? SCAN.OTHER : SCAN.UNSURE;
}

/** The unsigned integer written in [from, to), -1 if it is empty, not all digits or too long. */
function digitsValue(buf: Buffer, from: number, to: number): number {
  if (to <= from || to - from > MAX_ID_DIGITS) return -1;
  // A leading zero is not JSON (bare) and not how we wrote an id (quoted): let JSON.parse or the rule decide.
  if (buf[from] === ZERO && to - from > 1) return -1;
  let v = 0;
  for (let k = from; k < to; k++) {
    const d = buf[k] - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** 1: the key in [from, to) equals `want`; 0: it does not; -1: it holds an escape (JSON.parse decides). */
function keyEquals(buf: Buffer, from: number, to: number, want: Buffer): number {
  for (let k = from; k < to; k++) if (buf[k] === BACKSLASH) return -1;
  if (to - from !== want.length) return 0;
  for (let k = 0; k < want.length; k++) if (buf[from + k] !== want[k]) return 0;
  return 1;
}

function isValueStart(c: number): boolean {
  return c === QUOTE || c === OBJ_OPEN || c === ARR_OPEN || c === 0x2d || (c >= ZERO && c <= ZERO + 9) || c === 0x74 || c === 0x66 || c === 0x6e;
}

function skipWs(buf: Buffer, i: number): number {
  for (;;) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** Index just past the string starting at `i` (a quote), -1 if it does not end. */
function stringEnd(buf: Buffer, i: number): number {
  for (let k = i + 1; k < buf.length; k++) {
    const c = buf[k];
    if (c === BACKSLASH) k++;
    else if (c === QUOTE) return k + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, -1 if it is malformed or nested too deep. */
function skipValue(buf: Buffer, i: number, depth: number): number {
  const c = buf[i];
  if (c === QUOTE) return stringEnd(buf, i);
  if (c === OBJ_OPEN || c === ARR_OPEN) {
    if (depth >= MAX_DEPTH) return -1;
    const close = c === OBJ_OPEN ? OBJ_CLOSE : ARR_CLOSE;
    i = skipWs(buf, i + 1);
    if (buf[i] === close) return i + 1;
    for (;;) {
      if (c === OBJ_OPEN) {
        if (buf[i] !== QUOTE) return -1;
        i = stringEnd(buf, i);
        if (i < 0) return -1;
        i = skipWs(buf, i);
        if (buf[i] !== COLON) return -1;
        i = skipWs(buf, i + 1);
      }
      i = skipValue(buf, i, depth + 1);
      if (i < 0) return -1;
      i = skipWs(buf, i);
      if (buf[i] === close) return i + 1;
      if (buf[i] !== COMMA) return -1;
      i = skipWs(buf, i + 1);
    }
  }
  if (!isValueStart(c)) return -1;
  // A number or a literal: up to the next delimiter (JSON.parse judges them if the path leads there).
  let k = i + 1;
  while (k < buf.length) {
    const d = buf[k];
    if (d === COMMA || d === OBJ_CLOSE || d === ARR_CLOSE || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
    k++;
  }
  return k;
}
