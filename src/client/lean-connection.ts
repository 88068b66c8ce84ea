/**
 * wsbench's lean WebSocket client: one net (or tls) socket and a small object per connection, a
 * hand-written RFC 6455 handshake and frame codec, module-level listeners that find their owner
 * through `this`. Hand-written because the hot path decides whether a run is valid at 1 msg/s:
 * ws's client (a Writable-stream receiver, an emitter per socket) costs more CPU and memory per
 * connection (bench/load-client-cost.ts prints the comparison).
 *
 * It stays a correct client: a fresh random masking key per frame (never zero), frames of every
 * length class, fragmented messages, UTF-8 validation of text, ping → pong, the close handshake.
 * It offers no extensions, and fails the connection if the server answers with one.
 */
import net from 'node:net';
import type tlsModule from 'node:tls';
import { createRequire } from 'node:module';
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { acceptKey, HandshakeError } from './handshake.js';
import { CLOSED_BEFORE_UPGRADE } from './failure-cause.js';
import { clientFrameSize, encodeClientFrame, FrameError, OP, ServerFrameParser, writeClientFrame, type FrameSink } from './frames.js';

const MAX_HEADER_BYTES = 16 * 1024;
const EMPTY = Buffer.alloc(0);
const CLOSE_WAIT_MS = 3000;

/** Shared by every connection of a worker (one object, not one per connection). */
export interface LeanOptions {
  url: URL;
  protocols: string[];
  headers: Record<string, string>;
  origin: string | undefined;
  handshakeTimeoutMs: number;
  maxPayload: number;
}

/** What the lean client reports to its owner (the worker's connector and recorder). */
export interface LeanEvents {
  open(conn: LeanConnection): void;
  message(conn: LeanConnection, data: Buffer, isBinary: boolean): void;
  /** Failed before open (err) or closed after it (code from the close frame, 1006 if none). */
  fail(conn: LeanConnection, err: Error & { code?: string }): void;
  close(conn: LeanConnection, code: number): void;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const kConn = Symbol('wsbench.leanConnection');
type OwnedSocket = net.Socket & { [kConn]: LeanConnection };

export class LeanConnection implements FrameSink {
  readyState = CONNECTING;
  protocol = '';
  /** Free for the owner (the worker stores its local index here). */
  index = 0;
  private readonly socket: OwnedSocket;
  /** Our Sec-WebSocket-Key until the handshake is checked (then dropped: memory per connection). */
  private key: string;
  private readonly events: LeanEvents;
  private readonly opts: LeanOptions;
  private header: Buffer | undefined = EMPTY;
  private readonly parser: ServerFrameParser;
  private fragments: Buffer[] | undefined;
  private fragmentOpcode = 0;
  /** 1006 until a close frame arrives or the connection is failed; from then on no frame is read. */
  private closeCode = 1006;
  private closeSent = false;
  /** The handshake's or the closing handshake's deadline; none while open (no object per open connection). */
  private deadline: NodeJS.Timeout | undefined;

  /** The explicit local port asked for, if any (a conflict is retried with a kernel-chosen one). */
  readonly localPort: number | undefined;

  constructor(opts: LeanOptions, events: LeanEvents, localAddress: string | undefined, localPort?: number) {
    this.opts = opts;
    this.events = events;
    this.key = randomBytes(16).toString('base64');
    this.parser = new ServerFrameParser(opts.maxPayload);
    this.localPort = localPort;
    const secure = opts.url.protocol === 'wss:';
    const port = Number(opts.url.port) || (secure ? 443 : 80);
    const host = opts.url.hostname.replace(/^\[|\]$/g, '');
    // Plain TCP reads land in one buffer shared by every connection of this thread (`onread`): no
    // allocation and no stream machinery per read. Bytes that must outlive the call are copied.
    const socket = (
      secure
        ? loadTls().connect({ host, port, servername: net.isIP(host) ? undefined : host, localAddress, localPort } as tlsModule.ConnectionOptions)
        : net.connect({ host, port, localAddress, localPort, onread: { buffer: readBuffer(), callback: onRead } })
    ) as OwnedSocket;
    socket[kConn] = this;
    this.socket = socket;
    socket.setNoDelay(true);
    this.setDeadline(opts.handshakeTimeoutMs);
    socket.on(secure ? 'secureConnect' : 'connect', onConnect);
    if (secure) socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  /** Bytes written but not yet handed to the kernel (ws calls it bufferedAmount). */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /**
   * Sends one complete text (or binary) message. Hot path: the frame buffer is reused for the next
   * send while writes complete at once (the kernel took the bytes); a write left queued keeps its
   * buffer, and the next send allocates a new one.
   */
  send(data: Buffer, opts?: { binary?: boolean }): void {
    if (this.readyState !== OPEN) return;
    const size = clientFrameSize(data.length);
    // Templated messages differ by a digit or two between connections: a larger frame buffer is
    // reused through a view (a probe's size never changes, so its frame is always the buffer itself).
    const backing = sendFrame !== undefined && sendFrame.length >= size ? sendFrame : Buffer.allocUnsafeSlow(size);
    const frame = backing.length === size ? backing : backing.subarray(0, size);
    this.socket.write(writeClientFrame(frame, opts?.binary ? OP.BINARY : OP.TEXT, data));
    sendFrame = this.socket.writableLength === 0 ? backing : undefined;
  }

  /** Starts the closing handshake; the server answers with its close frame and closes TCP. */
  close(code = 1000, reason = ''): void {
    if (this.readyState === CONNECTING) return this.terminate();
    if (this.readyState !== OPEN) return;
    this.readyState = CLOSING;
    // No timer of our own here: both owners (the load worker, the conformance check) bound the
    // wait and terminate(); one timer per connection at the end of a 100 000-client run cost
    // memory at the moment the run peaks.
    this.sendClose(code, reason);
  }

  terminate(): void {
    // The owner ended an attempt itself: no 'fail' for it (handleClose).
    if (this.readyState === CONNECTING) this.readyState = CLOSED;
    this.socket.destroy();
  }

  private sendClose(code: number, reason: string): void {
    if (this.closeSent) return;
    this.closeSent = true;
    const payload = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.socket.write(encodeClientFrame(OP.CLOSE, payload));
  }

  /** Fails the connection (RFC 6455 §7.1.7): close frame with the reason's code, then drop TCP. */
  private failConnection(err: FrameError): void {
    this.closeCode = err.closeCode;
    if (this.readyState === OPEN) this.sendClose(err.closeCode, '');
    this.readyState = CLOSING;
    this.socket.end();
    this.setDeadline(CLOSE_WAIT_MS);
  }

  /**
   * A plain timer, not socket.setTimeout: a socket keeps its (cleared) Timeout and a bound function
   * for life, ~200 bytes per connection, and refreshes it on every read and write.
   */
  private setDeadline(ms: number): void {
    clearTimeout(this.deadline);
    this.deadline = setTimeout(onDeadline, ms, this);
  }

  private clearDeadline(): void {
    if (this.deadline === undefined) return;
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  /** @internal socket listener */
  handleConnect(): void {
    const url = this.opts.url;
    const lines = [
      `GET ${url.pathname || '/'}${url.search} HTTP/1.1`,
      `Host: ${url.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${this.key}`,
      'Sec-WebSocket-Version: 13',
    ];
    if (this.opts.protocols.length) lines.push(`Sec-WebSocket-Protocol: ${this.opts.protocols.join(', ')}`);
    if (this.opts.origin) lines.push(`Origin: ${this.opts.origin}`);
    for (const [k, v] of Object.entries(this.opts.headers)) lines.push(`${k}: ${v}`);
    this.socket.write(lines.join('\r\n') + '\r\n\r\n');
  }

  /** @internal socket listener */
  handleData(chunk: Buffer, end = chunk.length): void {
    if (this.header !== undefined) {
      const rest = this.readHandshake(end === chunk.length ? chunk : chunk.subarray(0, end));
      if (rest === undefined || rest.length === 0) return;
      chunk = rest;
      end = rest.length;
    }
    if (this.readyState === CLOSED || this.stopped) return;
    try {
      this.parser.push(chunk, this, end);
    } catch (err) {
      if (err instanceof FrameError) this.failConnection(err);
      else throw err;
    }
  }

  /** Accumulates the HTTP answer; on its end validates it, opens, and returns the bytes after it. */
  private readHandshake(chunk: Buffer): Buffer | undefined {
    const buf = this.header!.length ? Buffer.concat([this.header!, chunk]) : chunk;
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1) {
      if (buf.length > MAX_HEADER_BYTES) this.handshakeFailed('handshake answer too large');
      else this.header = buf === chunk ? Buffer.from(chunk) : buf;
      return undefined;
    }
    this.header = undefined;
    const [statusLine, ...headerLines] = buf.toString('latin1', 0, end).split('\r\n');
    // Exactly three digits, then a space or the end: `HTTP/1.1 1010` is not a 101.
    const status = Number(/^HTTP\/1\.1 (\d{3})(?: |$)/.exec(statusLine)?.[1] ?? 0);
    if (status !== 101) return void this.handshakeFailed(`the server answered the handshake with HTTP ${status}`, status);
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const i = line.indexOf(':');
      if (i <= 0) continue;
      // A repeated header is one value joined by commas (RFC 9110 §5.3), as Node's parser gives ws:
      // two Sec-WebSocket-Accept lines then match no key, instead of the last one winning.
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      const before = headers.get(name);
      headers.set(name, before === undefined ? value : `${before}, ${value}`);
    }
    if (headers.get('upgrade')?.toLowerCase() !== 'websocket') return void this.handshakeFailed('Invalid Upgrade header');
    if (headers.get('sec-websocket-accept') !== acceptKey(this.key)) return void this.handshakeFailed('Invalid Sec-WebSocket-Accept header');
    const protocol = headers.get('sec-websocket-protocol');
    if (protocol !== undefined && !this.opts.protocols.includes(protocol)) return void this.handshakeFailed('Server sent an invalid subprotocol');
    if (headers.has('sec-websocket-extensions')) return void this.handshakeFailed('Server sent an extension that was not offered');
    this.protocol = protocol ?? '';
    this.key = '';
    this.readyState = OPEN;
    this.clearDeadline();
    this.events.open(this);
    return buf.subarray(end + 4);
  }

  private handshakeFailed(message: string, status?: number): void {
    this.readyState = CLOSED;
    this.socket.destroy();
    this.events.fail(this, new HandshakeError(message, status));
  }

  /** FrameSink: true once a close frame arrived or the connection was failed (see closeCode). */
  get stopped(): boolean {
    return this.closeCode !== 1006;
  }

  /**
   * FrameSink: one complete frame from the parser, which has already checked the frame sequence
   * (no stray continuation, no new message inside a fragmented one) and the message's size.
   */
  onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode >= OP.CLOSE) return this.onControl(opcode, payload);
    if (this.readyState !== OPEN) return;
    if (opcode === OP.CONTINUATION) {
      // Copy: the parser's view into the socket chunk does not outlive this call.
      this.fragments?.push(Buffer.from(payload));
      if (!fin || !this.fragments) return;
      const whole = Buffer.concat(this.fragments);
      this.fragments = undefined;
      return this.deliver(this.fragmentOpcode, whole);
    }
    if (!fin) {
      this.fragments = [Buffer.from(payload)];
      this.fragmentOpcode = opcode;
      return;
    }
    this.deliver(opcode, payload);
  }

  private deliver(opcode: number, payload: Buffer): void {
    if (opcode === OP.TEXT && !isUtf8(payload)) throw new FrameError('invalid UTF-8 in a text message', 1007);
    this.events.message(this, payload, opcode === OP.BINARY);
  }

  private onControl(opcode: number, payload: Buffer): void {
    if (opcode === OP.PING) {
      if (this.readyState === OPEN) this.socket.write(encodeClientFrame(OP.PONG, payload));
      return;
    }
    if (opcode === OP.PONG) return;
    // CLOSE (the parser refused a 1-byte payload): check the code and the reason, note the code,
    // answer if we did not start it, let the server close TCP first.
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    if (payload.length >= 2 && !isValidCloseCode(code)) throw new FrameError(`invalid close code ${code}`, 1002);
    if (payload.length > 2 && !isUtf8(payload.subarray(2))) throw new FrameError('invalid UTF-8 in the close reason', 1007);
    this.closeCode = code;
    const weStarted = this.closeSent;
    this.sendClose(this.closeCode === 1005 ? 1000 : this.closeCode, '');
    this.readyState = CLOSING;
    this.socket.end();
    if (!weStarted) this.setDeadline(CLOSE_WAIT_MS); // else the owner bounds the wait (see close())
  }

  /** @internal timer callback: the handshake or the closing handshake took too long. */
  handleDeadline(): void {
    this.deadline = undefined;
    if (this.readyState === CONNECTING) {
      const err = new Error('Opening handshake has timed out') as Error & { code?: string };
      err.code = 'ETIMEDOUT';
      this.readyState = CLOSED;
      this.socket.destroy();
      this.events.fail(this, err);
    } else {
      this.socket.destroy();
    }
  }

  /** @internal socket listener */
  handleError(err: Error & { code?: string }): void {
    if (this.readyState === CONNECTING) {
      this.readyState = CLOSED;
      this.events.fail(this, err);
    }
    // After open, the 'close' that follows reports the connection's end (1006).
  }

  /** @internal socket listener */
  handleClose(): void {
    this.clearDeadline();
    const wasConnecting = this.readyState === CONNECTING;
    const wasOpen = this.readyState === OPEN || this.readyState === CLOSING;
    this.readyState = CLOSED;
    if (wasOpen) this.events.close(this, this.closeCode);
    // The server closed TCP before its answer was complete, with no socket error: a server past its
    // open-file limit accepts and closes at once. Without this the attempt never ended.
    else if (wasConnecting) this.events.fail(this, closedBeforeUpgrade());
  }
}

/**
 * A code a close frame may carry (RFC 6455 §7.4): the defined ones, less those reserved for
 * reporting (1005 no code, 1006 abnormal, 1015 TLS) and the unassigned 1004, and 3000-4999 for
 * libraries and applications. ws accepts the same set.
 */
function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** The failure of an attempt whose TCP connection the server closed before answering the upgrade. */
function closedBeforeUpgrade(): Error & { code: string } {
  const err = new Error('the server closed the connection before answering the upgrade') as Error & { code: string };
  err.code = CLOSED_BEFORE_UPGRADE;
  return err;
}

// Socket listeners shared by every connection; the connection is found through the socket.
function onConnect(this: OwnedSocket): void {
  this[kConn].handleConnect();
}
function onData(this: OwnedSocket, chunk: Buffer): void {
  this[kConn].handleData(chunk);
}
function onRead(this: OwnedSocket, nread: number, buf: Uint8Array): boolean {
  this[kConn].handleData(buf as Buffer, nread);
  return true; // keep reading
}

// node:tls is loaded on the first wss:// connection only: ~1.5 MB of RSS in each load process.
let tls: typeof tlsModule | undefined;
function loadTls(): typeof tlsModule {
  return (tls ??= createRequire(import.meta.url)('node:tls') as typeof tlsModule);
}

/** The frame buffer of the last send, free for the next one (see LeanConnection.send). */
let sendFrame: Buffer | undefined;

/** The read buffer of this thread's plain-TCP connections (valid only during one read callback). */
let sharedReadBuffer: Buffer | undefined;
function readBuffer(): Buffer {
  return (sharedReadBuffer ??= Buffer.allocUnsafe(64 * 1024));
}
function onDeadline(conn: LeanConnection): void {
  conn.handleDeadline();
}
function onError(this: OwnedSocket, err: Error): void {
  this[kConn].handleError(err);
}
function onClose(this: OwnedSocket): void {
  this[kConn].handleClose();
}
