/**
 * The probe payload: every measured message carries its connection id, sequence number, intended
 * send time and actual send time, so a reply is matched and timed without any lookup table.
 *
 *   wsb1:IIIIIII:SSSSSSS:TTTTTTTTTTTTT:AAAAAAAAAAAAA:xxxx…   (ASCII, so always valid UTF-8 text)
 *        id(7)   seq(7)  intendedUs(13) sentUs(13)  padding to --payload-size
 *
 * Fixed-width decimal fields are written into a reused buffer and parsed in place from the
 * reply bytes: no string, no split, no allocation per message.
 */
import { PONG_PREFIX_BYTES } from './pong.js';

const MAGIC = Buffer.from('wsb1:');
const ID_WIDTH = 7;
const SEQ_WIDTH = 7;
const TIME_WIDTH = 13;
const ID_OFFSET = MAGIC.length;
const SEQ_OFFSET = ID_OFFSET + ID_WIDTH + 1;
const INTENDED_OFFSET = SEQ_OFFSET + SEQ_WIDTH + 1;
const SENT_OFFSET = INTENDED_OFFSET + TIME_WIDTH + 1;

/** The smallest payload that holds the probe header. */
export const PROBE_HEADER_BYTES = SENT_OFFSET + TIME_WIDTH + 1;
/** Largest connection id / sequence number the fixed-width fields hold. */
export const PROBE_MAX_ID = 10 ** ID_WIDTH - 1;
export const PROBE_MAX_SEQ = 10 ** SEQ_WIDTH - 1;

const COLON = 0x3a;
const ZERO = 0x30;
const PAD = 0x78; // 'x'

/**
 * What wraps the probe on the wire. `plain`: the probe is the message. `shootout`: the JSON protocol
 * of the websocket-shootout benchmark, `{"type":"echo"|"broadcast","payload":"<probe>"}`, so servers
 * written for it are measured unchanged (the probe is ASCII: a JSON string needs no escaping).
 */
export interface ProbeFraming {
  prefix: Buffer;
  suffix: Buffer;
}

export const PLAIN_FRAMING: ProbeFraming = { prefix: Buffer.alloc(0), suffix: Buffer.alloc(0) };

const SHOOTOUT_SUFFIX = Buffer.from('"}');
const shootoutPrefix = (type: string) => Buffer.from(`{"type":"${type}","payload":"`);
const SHOOTOUT_ECHO = shootoutPrefix('echo');
const SHOOTOUT_BROADCAST = shootoutPrefix('broadcast');

/** The framing for a wire format and traffic pattern. */
export function probeFraming(format: 'plain' | 'shootout', pattern: 'echo' | 'broadcast'): ProbeFraming {
  if (format === 'plain') return PLAIN_FRAMING;
  return { prefix: pattern === 'broadcast' ? SHOOTOUT_BROADCAST : SHOOTOUT_ECHO, suffix: SHOOTOUT_SUFFIX };
}

/**
 * A reusable message of `size` bytes (at least the framing plus PROBE_HEADER_BYTES) with the constant
 * parts filled in; the probe starts at `framing.prefix.length` (pass it to writeProbe as `base`).
 */
export function createProbeBuffer(size: number, framing: ProbeFraming = PLAIN_FRAMING): Buffer {
  const { prefix, suffix } = framing;
  const buf = Buffer.alloc(Math.max(size, prefix.length + PROBE_HEADER_BYTES + suffix.length), PAD);
  prefix.copy(buf, 0);
  suffix.copy(buf, buf.length - suffix.length);
  const b = prefix.length;
  MAGIC.copy(buf, b);
  buf[b + SEQ_OFFSET - 1] = COLON;
  buf[b + INTENDED_OFFSET - 1] = COLON;
  buf[b + SENT_OFFSET - 1] = COLON;
  buf[b + PROBE_HEADER_BYTES - 1] = COLON;
  return buf;
}

/** Writes `count` decimal digits of an int32 `v` ending just before `end` (integer ops only). */
function writeDigits(buf: Buffer, end: number, count: number, v: number): void {
  for (let i = end - 1; i >= end - count; i--) {
    const q = (v / 10) | 0;
    buf[i] = ZERO + v - q * 10;
    v = q;
  }
}

const LOW = 1e7;

/**
 * Fills the variable fields of a probe buffer in place. Hot path (once per message): times (13
 * digits) are split into two int32 halves, because digit-by-digit division of a 13-digit double
 * cost ~0.55 µs per probe against ~0.13 µs now (measured), ~4 % of a round trip's client CPU.
 */
export function writeProbe(buf: Buffer, connId: number, seq: number, intendedUs: number, sentUs: number, base = 0): void {
  writeDigits(buf, base + ID_OFFSET + ID_WIDTH, ID_WIDTH, connId);
  writeDigits(buf, base + SEQ_OFFSET + SEQ_WIDTH, SEQ_WIDTH, seq % (PROBE_MAX_SEQ + 1));
  writeTime(buf, base + INTENDED_OFFSET, intendedUs);
  writeTime(buf, base + SENT_OFFSET, sentUs);
}

function writeTime(buf: Buffer, offset: number, us: number): void {
  const high = Math.floor(us / LOW);
  writeDigits(buf, offset + TIME_WIDTH, 7, us - high * LOW);
  writeDigits(buf, offset + TIME_WIDTH - 7, TIME_WIDTH - 7, high);
}

/**
 * Where the probe starts in a reply: at 0 (echo server, broadcast), after `Pong: ` (seed server), or
 * inside a shootout `echo` / `broadcast` message; -1 if there is none (greetings, `broadcastResult`).
 */
export function probeOffset(reply: Buffer): number {
  if (reply.length >= PROBE_HEADER_BYTES && startsWith(reply, MAGIC, 0)) return 0;
  for (const prefix of PROBE_PREFIXES) {
    if (reply.length >= prefix.length + PROBE_HEADER_BYTES && startsWith(reply, prefix, 0) && startsWith(reply, MAGIC, prefix.length)) return prefix.length;
  }
  return -1;
}

const PROBE_PREFIXES = [PONG_PREFIX_BYTES, SHOOTOUT_ECHO, SHOOTOUT_BROADCAST];

function startsWith(buf: Buffer, prefix: Buffer, at: number): boolean {
  for (let i = 0; i < prefix.length; i++) if (buf[at + i] !== prefix[i]) return false;
  return true;
}

/** Reads a fixed-width decimal field; -1 if a byte is not a digit (a corrupted reply). */
function readDecimal(buf: Buffer, offset: number, width: number): number {
  let v = 0;
  for (let i = offset; i < offset + width; i++) {
    const d = buf[i] - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

export function readProbeConnId(buf: Buffer, at: number): number {
  return readDecimal(buf, at + ID_OFFSET, ID_WIDTH);
}
export function readProbeSeq(buf: Buffer, at: number): number {
  return readDecimal(buf, at + SEQ_OFFSET, SEQ_WIDTH);
}
export function readProbeIntendedUs(buf: Buffer, at: number): number {
  return readDecimal(buf, at + INTENDED_OFFSET, TIME_WIDTH);
}
export function readProbeSentUs(buf: Buffer, at: number): number {
  return readDecimal(buf, at + SENT_OFFSET, TIME_WIDTH);
}
