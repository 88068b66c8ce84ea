/**
 * Raw RFC 6455 over plain TCP, for the cases a well-behaved client library refuses to produce:
 * hand-written handshakes, unmasked or reserved frames, invalid UTF-8, clients that never pong.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

/** Headers a valid upgrade request needs; override or drop (value `undefined`) any of them. */
export function defaultUpgradeHeaders(port: number): Record<string, string> {
  return {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
  };
}

export interface RawUpgradeResult {
  /** `HTTP/1.1 101 Switching Protocols` */
  statusLine: string;
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Paused; hand it to a FrameReader (which resumes it). */
  socket: net.Socket;
  /** Bytes that arrived after the header block (frames, or an error response's body). */
  rest: Buffer;
}

/**
 * Writes `GET path HTTP/1.1` with the default upgrade headers merged with `headers` and resolves
 * once the response's header block (`\r\n\r\n`) has arrived.
 */
export function rawUpgrade(port: number, path: string, headers: Record<string, string | undefined> = {}, timeoutMs = 10_000): Promise<RawUpgradeResult> {
  const merged: Record<string, string | undefined> = { ...defaultUpgradeHeaders(port), ...headers };
  const lines = Object.entries(merged)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`no HTTP response header block within ${timeoutMs} ms`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('close', onClose);
    };
    function fail(err: Error): void {
      cleanup();
      socket.destroy();
      reject(err);
    }
    function onClose(): void {
      fail(new Error(`socket closed before the response header block (got ${JSON.stringify(buf.toString('latin1'))})`));
    }
    function onData(chunk: Buffer): void {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      cleanup();
      // Stop the flow before anyone else listens, so no frame is emitted into the void.
      socket.pause();
      // A server may reset the socket later (e.g. after a 1002); the test decides what matters.
      socket.on('error', () => {});
      const [statusLine, ...headerLines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const i = line.indexOf(':');
        if (i === -1) continue;
        const name = line.slice(0, i).trim().toLowerCase();
        const value = line.slice(i + 1).trim();
        parsed[name] = parsed[name] === undefined ? value : `${parsed[name]}, ${value}`;
      }
      resolve({
        statusLine,
        status: Number(statusLine.split(' ')[1]),
        headers: parsed,
        socket,
        rest: Buffer.from(buf.subarray(end + 4)),
      });
    }
    socket.on('data', onData);
    socket.on('error', fail);
    socket.on('close', onClose);
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\n${lines}\r\n`));
  });
}

export const OPCODE = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface EncodeFrameOptions {
  fin?: boolean;
  /** RSV1..RSV3 as a 3-bit number (4 = RSV1). */
  rsv?: number;
  opcode: number;
  payload?: Buffer | string | Uint8Array;
  /** Clients must mask (RFC 6455 §5.3); `false` produces the protocol error on purpose. */
  mask?: boolean;
  maskKey?: Buffer;
}

/** One RFC 6455 frame, in whichever length class the payload needs (7-bit, 16-bit, 64-bit). */
export function encodeFrame({ fin = true, rsv = 0, opcode, payload = Buffer.alloc(0), mask = true, maskKey }: EncodeFrameOptions): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const len = data.length;
  let header: Buffer;
  if (len < 126) {
    header = Buffer.alloc(2);
    header[1] = len;
  } else if (len <= 0xffff) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  header[0] = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0f);
  if (!mask) return Buffer.concat([header, data]);
  header[1] |= 0x80;
  const key = maskKey ?? randomBytes(4);
  const masked = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([header, key.subarray(0, 4), masked]);
}

/** A close frame body: 2-byte code plus optional UTF-8 reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** The status code of a close frame, or undefined when its body is empty (1005 on the API side). */
export function closeCodeOf(frame: Frame): number | undefined {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined;
}

/**
 * Incremental frame parser over a socket: buffers bytes until a whole frame is there, queues
 * frames, and lets a test await them in order.
 */
export class FrameReader {
  private buf: Buffer;
  private readonly frames: Frame[] = [];
  private readonly waiters: { resolve: (f: Frame) => void; reject: (e: Error) => void }[] = [];
  private ended = false;
  /** Resolves when the socket has closed (for any reason). */
  readonly closed: Promise<void>;

  constructor(
    readonly socket: net.Socket,
    initial: Buffer = Buffer.alloc(0),
  ) {
    this.buf = Buffer.from(initial);
    this.closed = new Promise((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    socket.once('close', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('socket closed before the next frame arrived'));
    });
    this.parse();
    socket.resume();
  }

  private parse(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0];
      const b1 = this.buf[1];
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        offset = 10;
      }
      const keyLen = masked ? 4 : 0;
      if (this.buf.length < offset + keyLen + len) return;
      let payload = Buffer.from(this.buf.subarray(offset + keyLen, offset + keyLen + len));
      if (masked) {
        const key = this.buf.subarray(offset, offset + 4);
        payload = Buffer.from(payload.map((b, i) => b ^ key[i & 3]));
      }
      this.buf = this.buf.subarray(offset + keyLen + len);
      this.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 0x7, opcode: b0 & 0x0f, masked, payload });
    }
  }

  private push(f: Frame): void {
    const w = this.waiters.shift();
    if (w) w.resolve(f);
    else this.frames.push(f);
  }

  /** The next frame from the server, in order. Rejects if the socket closes first or on timeout. */
  nextFrame(timeoutMs = 10_000): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(new Error('socket closed before the next frame arrived'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (f: Frame) => (clearTimeout(timer), resolve(f)),
        reject: (e: Error) => (clearTimeout(timer), reject(e)),
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i !== -1) this.waiters.splice(i, 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Skips frames (pings, data) until one with `opcode` arrives. */
  async nextFrameOf(opcode: number, timeoutMs = 10_000): Promise<Frame> {
    for (;;) {
      const f = await this.nextFrame(timeoutMs);
      if (f.opcode === opcode) return f;
    }
  }

  /** Writes a frame (masked by default, as a client must). */
  send(opts: EncodeFrameOptions): void {
    this.socket.write(encodeFrame(opts));
  }
}

/**
 * Sends a text message in two fragments, then a ping: returns the reply to the message (after
 * reassembly) and the frame that answered the ping.
 */
export async function fragmentsThenPing(reader: FrameReader): Promise<{ reply: string; pong: Frame }> {
  reader.send({ opcode: OPCODE.TEXT, fin: false, payload: 'frag' });
  reader.send({ opcode: OPCODE.CONTINUATION, fin: true, payload: 'mented' });
  const reply = (await reader.nextFrame()).payload.toString();
  reader.send({ opcode: OPCODE.PING, payload: 'are you there' });
  return { reply, pong: await reader.nextFrame() };
}
