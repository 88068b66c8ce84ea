/**
 * The lean client's frame parser and message assembly (src/client/frames.ts, lean-connection.ts)
 * against ws's own Receiver: the same server byte stream, split at random points, goes to both.
 * They must deliver the same messages and end on the same close code: the code of the server's
 * close frame, the code a protocol error fails the connection with, or 1006 (no close frame). The
 * error classes may differ; whether there was an error, and its code, may not.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import fc from 'fast-check';
import { leanConnection } from '../lean-harness.js';
import { hex, unhex, type FuzzTarget } from '../target.js';

const require = createRequire(import.meta.url);
// ws exports only its index; its Receiver is reached by path (ws's own tests load it the same way).
const wsLib = path.join(path.dirname(require.resolve('ws/package.json')), 'lib');
interface WsReceiver {
  on(event: 'message', cb: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'conclude', cb: (code: number, reason: Buffer) => void): void;
  on(event: 'ping' | 'pong', cb: (data: Buffer) => void): void;
  _write(chunk: Buffer, encoding: string, cb: (err?: Error) => void): void;
}
const Receiver = require(path.join(wsLib, 'receiver.js')) as new (opts: {
  isServer: boolean;
  maxPayload: number;
  allowSynchronousEvents: boolean;
}) => WsReceiver;
const { kStatusCode } = require(path.join(wsLib, 'constants.js')) as { kStatusCode: symbol };

export interface FramesInput {
  /** The server's bytes after the handshake, hex. */
  stream: string;
  /** Where the stream is cut into reads (offsets, any order, duplicates allowed). */
  splits: number[];
  maxPayload: number;
}

export interface Outcome {
  messages: string[];
  /** The code the connection ended with, as the client reports it. */
  code: number;
  /** Whether the client failed the connection itself (a protocol error). */
  error: boolean;
}

function chunks(stream: Buffer, splits: number[]): Buffer[] {
  const cuts = [...new Set(splits.map((s) => Math.min(Math.max(0, s), stream.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, stream.length]) {
    if (c > at) out.push(stream.subarray(at, c));
    at = c;
  }
  return out;
}

export function runLean(input: FramesInput): Outcome {
  const conn = leanConnection({ maxPayload: input.maxPayload, open: true });
  const stream = unhex(input.stream);
  // Each read lands in a reused buffer, as with the socket's shared onread buffer: whatever the
  // parser keeps must have been copied out of it.
  const scratch = Buffer.alloc(stream.length);
  for (const piece of chunks(stream, input.splits)) {
    piece.copy(scratch);
    conn.push(scratch.subarray(0, piece.length));
    scratch.fill(0xee);
  }
  conn.end();
  const messages: string[] = [];
  for (const e of conn.events) if (e.kind === 'message') messages.push(`${e.binary ? 'b' : 't'}:${e.data}`);
  const close = conn.events.find((e) => e.kind === 'close');
  return { messages, code: close?.kind === 'close' ? close.code : -1, error: conn.events.some((e) => e.kind === 'protocol-error') };
}

export function runWs(input: FramesInput): Outcome {
  const receiver = new Receiver({ isServer: false, maxPayload: input.maxPayload, allowSynchronousEvents: true });
  const messages: string[] = [];
  let concluded: number | undefined;
  let failed: number | undefined;
  receiver.on('message', (data, isBinary) => messages.push(`${isBinary ? 'b' : 't'}:${data.toString('hex')}`));
  receiver.on('conclude', (code) => (concluded ??= code));
  receiver.on('ping', () => undefined);
  receiver.on('pong', () => undefined);
  for (const piece of chunks(unhex(input.stream), input.splits)) {
    if (failed !== undefined) break;
    // _write, not write: the Writable would report the error a tick later; the receiver's own
    // callback reports it at once. Each piece is a copy, as a socket hands ws a fresh chunk.
    receiver._write(Buffer.from(piece), 'buffer', (err) => {
      if (err) failed = (err as unknown as Record<symbol, number>)[kStatusCode];
    });
  }
  if (failed !== undefined) return { messages, code: failed, error: true };
  return { messages, code: concluded ?? 1006, error: false };
}

// --- generation: mostly well-formed frames, then byte-level damage ---------------------------

const CLOSE_CODES = [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1011, 1012, 1014, 1015, 1016, 2999, 3000, 4999, 5000, 0, 999, 65535];

const payload = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.integer({ min: 120, max: 70_000 }).map((n) => Buffer.alloc(n, 0x61)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0xe2, 0x82])),
  },
);

const closePayload = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.constant(Buffer.from([0x03])),
  fc
    .tuple(
      fc.constantFrom(...CLOSE_CODES),
      payload.filter((p) => p.length <= 123),
    )
    .map(([code, reason]) => {
      const b = Buffer.alloc(2 + reason.length);
      b.writeUInt16BE(code);
      reason.copy(b, 2);
      return b;
    }),
);

interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  lengthForm: 'minimal' | '16' | '64';
  payload: Buffer;
}

/** `maskedWeight`: how often (of 16) a frame is masked; servers require it, clients refuse it. */
const frameOf = (maskedWeight: number): fc.Arbitrary<Frame> =>
  fc
    .record({
      fin: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      rsv: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) }),
      opcode: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
      masked: fc.oneof({ weight: 16 - maskedWeight, arbitrary: fc.constant(false) }, { weight: maskedWeight, arbitrary: fc.constant(true) }),
      lengthForm: fc.oneof({ weight: 8, arbitrary: fc.constant('minimal' as const) }, { weight: 1, arbitrary: fc.constantFrom('16' as const, '64' as const) }),
      payload,
      closePayload,
    })
    .map(({ closePayload: cp, ...f }) => ({ ...f, payload: f.opcode === 8 ? cp : f.payload }));
const frame = frameOf(1);

export function encodeFrame(f: Frame): Buffer {
  const len = f.payload.length;
  const minimal = len < 126 ? 'short' : len < 65536 ? '16' : '64';
  // A longer length form than needed is legal (neither side may refuse it); a shorter one cannot hold the length.
  const form = f.lengthForm === '64' || (f.lengthForm === '16' && minimal !== '64') ? f.lengthForm : minimal;
  const head = Buffer.alloc(2 + (form === '16' ? 2 : form === '64' ? 8 : 0) + (f.masked ? 4 : 0));
  head[0] = (f.fin ? 0x80 : 0) | (f.rsv << 4) | f.opcode;
  head[1] = (f.masked ? 0x80 : 0) | (form === 'short' ? len : form === '16' ? 126 : 127);
  if (form === '16') head.writeUInt16BE(len, 2);
  if (form === '64') head.writeBigUInt64BE(BigInt(len), 2);
  return Buffer.concat([head, f.payload]);
}

type Damage = { kind: 'flip'; at: number; bits: number } | { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; bytes: Uint8Array };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 10 }) }),
);

function applyDamage(stream: Buffer, list: Damage[]): Buffer {
  let s = stream;
  for (const d of list) {
    if (s.length === 0) break;
    const at = d.at % s.length;
    if (d.kind === 'flip') {
      s = Buffer.from(s);
      s[at] ^= d.bits;
    } else if (d.kind === 'truncate') s = s.subarray(0, at);
    else s = Buffer.concat([s.subarray(0, at), d.bytes, s.subarray(at)]);
  }
  return s;
}

const streamOf = (f: fc.Arbitrary<Frame>) =>
  fc
    .tuple(
      fc.array(f, { minLength: 1, maxLength: 8 }),
      fc.oneof({ weight: 2, arbitrary: fc.constant([] as Damage[]) }, { weight: 1, arbitrary: fc.array(damage, { minLength: 1, maxLength: 3 }) }),
    )
    .map(([frames, dmg]) => applyDamage(Buffer.concat(frames.map(encodeFrame)), dmg));
const frameStream = streamOf(frame);
/** What a client might send a server: mostly masked frames (a zero key: masking is not what is tested), then damage. */
export const clientFrameStream = streamOf(frameOf(15));

/** A stream of frames (sometimes raw bytes), split at up to 12 points, under one of four limits. */
export const framesArbitrary: fc.Arbitrary<FramesInput> = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: frameStream }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) }),
    fc.array(fc.nat(), { maxLength: 12 }),
    fc.constantFrom(125, 1000, 65_536, 1 << 20),
  )
  .map(([stream, splits, maxPayload]) => ({ stream: hex(stream), splits: splits.map((s) => (stream.length ? s % (stream.length + 1) : 0)), maxPayload }));

export function describeOutcome(o: Outcome): string {
  const msgs = o.messages.map((m) => (m.length > 40 ? `${m.slice(0, 40)}…(${m.length / 2 - 1} bytes)` : m));
  return `${o.messages.length} message(s) [${msgs.join(', ')}], close ${o.code}${o.error ? ' (protocol error)' : ''}`;
}

export const framesTarget: FuzzTarget<FramesInput> = {
  name: 'frames-vs-ws',
  covers: ['src/client/frames.ts', 'src/client/lean-connection.ts'],
  arbitrary: framesArbitrary,
  check(input) {
    // Outside the domain (a mutated input can get there): a load worker's limit is at least 1 byte,
    // and ws reads 0 as no limit at all.
    if (!(Number.isInteger(input.maxPayload) && input.maxPayload >= 1)) return;
    const lean = runLean(input);
    const ws = runWs(input);
    const same = lean.code === ws.code && lean.error === ws.error && JSON.stringify(lean.messages) === JSON.stringify(ws.messages);
    if (!same) throw new Error(`lean and ws disagree:\n  lean: ${describeOutcome(lean)}\n  ws:   ${describeOutcome(ws)}`);
  },
  toJson: (x) => x,
  fromJson: (j) => j as FramesInput,
};
