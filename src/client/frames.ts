/**
 * RFC 6455 §5 framing for wsbench's lean client: encoding masked client frames and a small
 * incremental parser for server frames. Like ws's receiver it waits for more bytes instead of
 * copying, and parses straight from the socket's chunk when a frame arrives whole (the common case).
 */
import { randomFillSync } from 'node:crypto';

export const OP = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

/** Why a frame sequence failed the connection, with the close code RFC 6455 §7.4.1 assigns. */
export class FrameError extends Error {
  constructor(
    message: string,
    readonly closeCode: number,
  ) {
    super(message);
  }
}

// Masking keys come from a pool of random bytes, refilled when used up: one randomFillSync per
// 16 384 frames instead of one per frame. Every key is fresh and unpredictable; a zero key (which
// would flatter the server by making unmasking a no-op) is skipped.
const maskPool = Buffer.allocUnsafe(64 * 1024);
let maskOffset = maskPool.length;

function nextMaskOffset(): number {
  for (;;) {
    if (maskOffset + 4 > maskPool.length) {
      randomFillSync(maskPool);
      maskOffset = 0;
    }
    const at = maskOffset;
    maskOffset += 4;
    if (maskPool[at] | maskPool[at + 1] | maskPool[at + 2] | maskPool[at + 3]) return at;
  }
}

/** Bytes of a masked client frame carrying `payloadLength` bytes. */
export function clientFrameSize(payloadLength: number): number {
  return payloadLength + (payloadLength < 126 ? 6 : payloadLength < 65536 ? 8 : 14);
}

/** A complete, masked client frame (FIN set) carrying `payload`. */
export function encodeClientFrame(opcode: number, payload: Buffer): Buffer {
  return writeClientFrame(Buffer.allocUnsafe(clientFrameSize(payload.length)), opcode, payload);
}

/** Writes a complete, masked client frame into `frame` (exactly clientFrameSize(payload.length) bytes). */
export function writeClientFrame(frame: Buffer, opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const headerLen = 2 + lenBytes + 4;
  frame[0] = 0x80 | opcode;
  if (lenBytes === 0) {
    frame[1] = 0x80 | len;
  } else if (lenBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    frame.writeUInt32BE(len >>> 0, 6);
  }
  const keyAt = headerLen - 4;
  // Byte by byte, not Buffer#copy: copy builds typed-array views, a measurable cost per message.
  const key = nextMaskOffset();
  const m0 = (frame[keyAt] = maskPool[key]);
  const m1 = (frame[keyAt + 1] = maskPool[key + 1]);
  const m2 = (frame[keyAt + 2] = maskPool[key + 2]);
  const m3 = (frame[keyAt + 3] = maskPool[key + 3]);
  let i = 0;
  for (; i + 3 < len; i += 4) {
    frame[headerLen + i] = payload[i] ^ m0;
    frame[headerLen + i + 1] = payload[i + 1] ^ m1;
    frame[headerLen + i + 2] = payload[i + 2] ^ m2;
    frame[headerLen + i + 3] = payload[i + 3] ^ m3;
  }
  for (; i < len; i++) frame[headerLen + i] = payload[i] ^ frame[keyAt + (i & 3)];
  return frame;
}

/** Receives each complete frame the parser finds. `payload` may be a view into the socket's chunk. */
export interface FrameSink {
  onFrame(fin: boolean, opcode: number, payload: Buffer): void;
  /**
   * True once the sink wants no more frames: a close frame arrived (RFC 6455 §5.5.1: nothing may
   * follow it) or the connection was failed. The rest of the stream is then dropped unparsed, so
   * bytes after the end cannot turn into a second error or another close code.
   */
  readonly stopped?: boolean;
}

/** Shared empty list: most connections never hold a partial frame, so they never get their own. */
const NONE: Buffer[] = [];

/**
 * Incremental parser for frames sent by a server (never masked). Keeps unparsed bytes between
 * chunks; throws FrameError for anything RFC 6455 says must fail the connection. Every check a
 * header allows is made as soon as the header is in, before its payload (as ws's receiver does):
 * a bad frame fails the connection with the same code however the stream is cut, and whether or
 * not its payload ever arrives.
 */
export class ServerFrameParser {
  private pending: Buffer[] = NONE;
  private pendingBytes = 0;
  /** Bytes the frame at the head of `pending` needs in total, once its header is known. */
  private need = 0;
  /** Payload bytes so far of the fragmented data message in progress, or -1 between messages. */
  private messageBytes = -1;

  constructor(private readonly maxPayload: number) {}

  /** Parses chunk[0, end); the caller may reuse the chunk's memory afterwards (kept bytes are copied). */
  push(chunk: Buffer, sink: FrameSink, end = chunk.length): void {
    let buf = chunk;
    let stop = end;
    if (this.pendingBytes > 0) {
      if (this.pending === NONE) this.pending = [];
      this.pending.push(Buffer.from(chunk.subarray(0, end)));
      this.pendingBytes += end;
      if (this.pendingBytes < Math.max(this.need, 2)) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      stop = buf.length;
      this.pending = NONE;
      this.pendingBytes = 0;
    }
    let at = 0;
    while (at < stop) {
      const consumed = this.parseOne(buf, at, stop, sink);
      if (consumed === 0) break;
      at += consumed;
      if (sink.stopped) at = stop;
    }
    if (at < stop) {
      const rest = Buffer.from(buf.subarray(at, stop));
      this.pending = [rest];
      this.pendingBytes = rest.length;
    } else {
      this.need = 0;
    }
  }

  /** Parses one frame at `at`; returns its size, or 0 (and sets `need`) when more bytes are needed. */
  private parseOne(buf: Buffer, at: number, end: number, sink: FrameSink): number {
    const avail = end - at;
    if (avail < 2) {
      this.need = 2;
      return 0;
    }
    const b0 = buf[at];
    const b1 = buf[at + 1];
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if (b0 & 0x70) throw new FrameError('RSV bits set without a negotiated extension', 1002);
    const isControl = opcode >= 0x8;
    let len = b1 & 0x7f;
    if (isControl) {
      if (opcode > OP.PONG) throw new FrameError(`reserved opcode 0x${opcode.toString(16)}`, 1002);
      // On the 7-bit field: a control frame may not use the extended length forms at all.
      if (!fin || len > 125) throw new FrameError('fragmented or oversized control frame', 1002);
      if (opcode === OP.CLOSE && len === 1) throw new FrameError('close frame with a 1-byte payload', 1002);
    } else {
      if (opcode > OP.BINARY) throw new FrameError(`reserved opcode 0x${opcode.toString(16)}`, 1002);
      if (opcode === OP.CONTINUATION && this.messageBytes < 0) throw new FrameError('continuation frame without a message to continue', 1002);
      if (opcode !== OP.CONTINUATION && this.messageBytes >= 0) throw new FrameError('new message before the fragmented one ended', 1002);
    }
    if (b1 & 0x80) throw new FrameError('the server sent a masked frame', 1002);
    let headerLen = 2;
    if (len === 126) {
      headerLen = 4;
      if (avail < headerLen) return this.wait(headerLen);
      len = buf.readUInt16BE(at + 2);
    } else if (len === 127) {
      headerLen = 10;
      if (avail < headerLen) return this.wait(headerLen);
      const hi = buf.readUInt32BE(at + 2);
      if (hi > 0x1fffff) throw new FrameError('payload length over 2^53', 1009);
      len = hi * 2 ** 32 + buf.readUInt32BE(at + 6);
    }
    // A fragmented message is limited as a whole: its size so far counts against the limit.
    const messageLen = isControl ? len : len + Math.max(this.messageBytes, 0);
    if (messageLen > this.maxPayload) throw new FrameError(`message of ${messageLen} bytes exceeds the ${this.maxPayload}-byte limit`, 1009);
    if (avail < headerLen + len) return this.wait(headerLen + len);
    // The header is read again when a frame arrives in pieces: state changes only once it is whole.
    if (!isControl) this.messageBytes = fin ? -1 : messageLen;
    sink.onFrame(fin, opcode, buf.subarray(at + headerLen, at + headerLen + len));
    return headerLen + len;
  }

  private wait(bytes: number): number {
    this.need = bytes;
    return 0;
  }
}
