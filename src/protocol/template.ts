/**
 * Message templates (`--message`, `--message-file`, `--on-open`): what a client sends instead of
 * the probe. A template is compiled once into static byte chunks and placeholder slots; per message
 * the writer copies the chunks after the first slot and writes a few decimal digits, into one
 * reused buffer (no string, no JSON.stringify, no allocation).
 *
 * Placeholders: `{seq}` the client's message number, `{conn}` the client's number, `{id}` unique in
 * the run (seq × clients + conn), `{now}` epoch milliseconds, `{pad:N}` N filler bytes (`x`).
 * `{{` is a literal `{`. Any other `{name}` or `{name:…}` is refused, so a typo is not sent as is;
 * a `{` followed by anything else (JSON's `{"`, GraphQL's `{ `) is literal.
 */

import type { MessageTemplateConfig } from '../contract/result.js';

/** What a slot holds (small integers: compared in the hot path). */
export const SLOT = { SEQ: 0, CONN: 1, ID: 2, NOW: 3 } as const;
type SlotKind = (typeof SLOT)[keyof typeof SLOT];

const NAMES: Record<string, SlotKind> = { seq: SLOT.SEQ, conn: SLOT.CONN, id: SLOT.ID, now: SLOT.NOW };
/** The placeholders a template may hold, as the help and errors list them. */
export const PLACEHOLDER_NAMES = '{seq}, {conn}, {id}, {now}, {pad:N}';
/** Largest `{pad:N}`: a message stays well under the client's frame limits. */
export const MAX_PAD_BYTES = 16 * 1024 * 1024;
/** Digits of the largest value a slot holds: integers below 2^53 (16 digits). */
const SLOT_DIGITS = 16;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const PAD = 0x78; // 'x'
const ZERO = 0x30;

/** A template that cannot be compiled: the message says why, in the user's words. */
export class TemplateError extends Error {}

/** A compiled template: `chunks[i]` precedes `slots[i]`; the last chunk follows the last slot. */
export interface MessageTemplate {
  /** The template as given (recorded in the result, so a run can be repeated). */
  readonly source: string;
  readonly chunks: readonly Buffer[];
  readonly slots: Uint8Array;
  readonly hasSeq: boolean;
  readonly hasId: boolean;
  readonly hasNow: boolean;
}

/** Compiles a template (text, or the bytes of --message-file); throws TemplateError on an unknown placeholder. */
export function compileTemplate(template: string | Buffer): MessageTemplate {
  const bytes = typeof template === 'string' ? Buffer.from(template) : template;
  const chunks: Buffer[] = [];
  const slots: SlotKind[] = [];
  let literal: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== OPEN_BRACE) continue;
    if (bytes[i + 1] === OPEN_BRACE) {
      literal.push(bytes.subarray(from, i + 1));
      from = i + 2;
      i++;
      continue;
    }
    const token = placeholderAt(bytes, i);
    if (token === undefined) continue;
    literal.push(bytes.subarray(from, i));
    from = token.end;
    i = token.end - 1;
    if (token.pad !== undefined) {
      literal.push(Buffer.alloc(token.pad, PAD));
      continue;
    }
    chunks.push(Buffer.concat(literal));
    literal = [];
    slots.push(token.slot);
  }
  literal.push(bytes.subarray(from));
  chunks.push(Buffer.concat(literal));
  return {
    source: typeof template === 'string' ? template : template.toString('utf8'),
    chunks,
    slots: Uint8Array.from(slots),
    hasSeq: slots.includes(SLOT.SEQ),
    hasId: slots.includes(SLOT.ID),
    hasNow: slots.includes(SLOT.NOW),
  };
}

/** A run's --message template as its config records it (text, or the base64 of a file's bytes). */
export function compileMessage(m: MessageTemplateConfig): MessageTemplate {
  return compileTemplate(m.encoding === 'base64' ? Buffer.from(m.template, 'base64') : m.template);
}

/** The placeholder starting at `at` (a `{`), or undefined when the brace is literal. */
function placeholderAt(bytes: Buffer, at: number): { end: number; slot: SlotKind; pad?: undefined } | { end: number; pad: number } | undefined {
  // A name: lower-case letters, then `}` or `:`. Anything else after `{` is literal text.
  let i = at + 1;
  while (i < bytes.length && bytes[i] >= 0x61 && bytes[i] <= 0x7a) i++;
  if (i === at + 1 || (bytes[i] !== CLOSE_BRACE && bytes[i] !== 0x3a)) return undefined;
  const name = bytes.toString('latin1', at + 1, i);
  const close = bytes.indexOf(CLOSE_BRACE, i);
  if (close < 0) return undefined;
  const text = bytes.toString('utf8', at, close + 1);
  if (bytes[i] === 0x3a) {
    if (name !== 'pad') throw new TemplateError(`unknown placeholder ${text} (known: ${PLACEHOLDER_NAMES}; {{ is a literal {)`);
    const arg = bytes.toString('latin1', i + 1, close);
    const n = /^\d{1,9}$/.test(arg) ? Number(arg) : NaN;
    if (!(n >= 0 && n <= MAX_PAD_BYTES)) throw new TemplateError(`${text}: N must be a whole number of bytes from 0 to ${MAX_PAD_BYTES}`);
    return { end: close + 1, pad: n };
  }
  const slot = NAMES[name];
  if (slot === undefined) {
    if (name === 'pad') throw new TemplateError('{pad} needs a size: {pad:N}, N filler bytes');
    throw new TemplateError(`unknown placeholder ${text} (known: ${PLACEHOLDER_NAMES}; {{ is a literal {)`);
  }
  return { end: close + 1, slot };
}

/**
 * Writes messages of one template into a reused buffer. The bytes before the first slot never
 * change, so they are written once; a message costs a copy of the rest and its digits.
 * The returned view is valid until the next write: both clients copy it while masking.
 */
export class TemplateWriter {
  private readonly template: MessageTemplate;
  private readonly buf: Buffer;
  private readonly head: number;
  private view: Buffer;

  constructor(template: MessageTemplate) {
    this.template = template;
    let size = 0;
    for (const c of template.chunks) size += c.length;
    this.buf = Buffer.allocUnsafeSlow(size + template.slots.length * SLOT_DIGITS);
    this.head = template.chunks[0].copy(this.buf, 0);
    this.view = this.buf.subarray(0, 0);
  }

  /** The message for these values (non-negative integers below 2^53; `nowMs` is read only when the template has {now}). */
  write(seq: number, conn: number, id: number, nowMs: number): Buffer {
    const { chunks, slots } = this.template;
    const buf = this.buf;
    let at = this.head;
    for (let i = 0; i < slots.length; i++) {
      const kind = slots[i];
      const v = kind === SLOT.SEQ ? seq : kind === SLOT.CONN ? conn : kind === SLOT.ID ? id : nowMs;
      at = writeUint(buf, at, v);
      const c = chunks[i + 1];
      // Short chunks byte by byte: Buffer#copy's call costs more than a JSON template's few bytes.
      if (c.length < 16) for (let k = 0; k < c.length; k++) buf[at + k] = c[k];
      else c.copy(buf, at);
      at += c.length;
    }
    // Same length, same view: most messages of a run differ only in their digits, not their length.
    if (this.view.length !== at) this.view = buf.subarray(0, at);
    return this.view;
  }
}

/** Writes the decimal digits of a non-negative integer below 2^53 at `at`; returns the end. */
export function writeUint(buf: Buffer, at: number, v: number): number {
  if (v >= 1e9) {
    // Two int32-sized halves: digit-by-digit division of a large double is several times slower.
    const high = Math.floor(v / 1e9);
    const end = writeUint(buf, at, high);
    writeFixed(buf, end + 9, 9, v - high * 1e9);
    return end + 9;
  }
  let digits = 1;
  for (let p = 10; p <= v; p *= 10) digits++;
  writeFixed(buf, at + digits, digits, v);
  return at + digits;
}

function writeFixed(buf: Buffer, end: number, count: number, v: number): void {
  for (let i = end - 1; i >= end - count; i--) {
    const q = (v / 10) | 0;
    buf[i] = ZERO + v - q * 10;
    v = q;
  }
}
