/**
 * The lean client's real LeanConnection, driven without a socket: bytes go straight into its
 * handleData (the socket's read callback), so a fuzzer can split a server's answer at any byte and
 * run tens of thousands of cases a second. The connection is built with Object.create because its
 * constructor dials; `leanFieldsMatch` (checked by the fuzz test) keeps this copy of the
 * constructor's initial state honest when the class gains a field.
 */
import net from 'node:net';
import { LeanConnection, type LeanEvents, type LeanOptions } from '../../src/client/lean-connection.js';
import { ServerFrameParser, type FrameError } from '../../src/client/frames.js';
import { acceptKey } from '../../src/client/handshake.js';

export const HARNESS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const HARNESS_ACCEPT = acceptKey(HARNESS_KEY);

/** What a connection reported, in order: the events a load worker would see. */
export type LeanEvent =
  | { kind: 'open'; protocol: string }
  | { kind: 'message'; data: string; binary: boolean }
  | { kind: 'fail'; message: string; code?: string; status?: number }
  | { kind: 'close'; code: number }
  /** The client failed the connection itself (RFC 6455 §7.1.7) with this code. */
  | { kind: 'protocol-error'; code: number; message: string };

/** The socket calls the connection makes, recorded (what it wrote, whether it ended or destroyed it). */
class FakeSocket {
  writes: Buffer[] = [];
  ended = false;
  destroyed = false;
  writableLength = 0;
  write(data: Buffer | string): boolean {
    this.writes.push(Buffer.from(data));
    return true;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface LeanRun {
  events: LeanEvent[];
  socket: FakeSocket;
  /** Feeds one chunk as the socket would (an exception escaping it is a finding). */
  push(chunk: Buffer): void;
  /** The peer closed TCP: what the socket's 'close' does. Clears the connection's timers. */
  end(): void;
  readyState(): number;
}

const OPTIONS_BASE = { url: new URL('ws://127.0.0.1:1/'), headers: {}, origin: undefined, handshakeTimeoutMs: 10_000 };

/**
 * A LeanConnection that has just written its upgrade request (`open: false`), or one whose
 * handshake already succeeded (`open: true`), with `maxPayload` and `protocols` as a worker sets them.
 */
export function leanConnection(opts: { maxPayload: number; protocols?: string[]; open?: boolean }): LeanRun {
  const events: LeanEvent[] = [];
  const sink: LeanEvents = {
    open: (c) => events.push({ kind: 'open', protocol: c.protocol }),
    message: (_c, data, binary) => events.push({ kind: 'message', data: data.toString('hex'), binary }),
    fail: (_c, err) => events.push({ kind: 'fail', message: err.message, code: err.code, status: (err as { status?: number }).status }),
    close: (_c, code) => events.push({ kind: 'close', code }),
  };
  const options: LeanOptions = { ...OPTIONS_BASE, protocols: opts.protocols ?? [], maxPayload: opts.maxPayload };
  const socket = new FakeSocket();
  const conn = Object.create(LeanConnection.prototype) as LeanConnection;
  Object.assign(conn, initialFields(options, sink, socket));
  const internal = conn as unknown as {
    handleData(chunk: Buffer): void;
    handleClose(): void;
    readyState: number;
    failConnection: (this: unknown, err: FrameError) => void;
  };
  // Seen from outside, a protocol error is a close frame the client sends: record it where it happens.
  const failConnection = internal.failConnection;
  internal.failConnection = function (this: unknown, err: FrameError) {
    events.push({ kind: 'protocol-error', code: err.closeCode, message: err.message });
    failConnection.call(this, err);
  };
  if (opts.open) {
    internal.handleData(
      Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${HARNESS_ACCEPT}\r\n\r\n`),
    );
    events.length = 0;
  }
  return {
    events,
    socket,
    push: (chunk) => internal.handleData(chunk),
    end: () => internal.handleClose(),
    readyState: () => internal.readyState,
  };
}

/** The fields LeanConnection's constructor sets, with a fake socket and a known key. */
function initialFields(opts: LeanOptions, events: LeanEvents, socket: FakeSocket): Record<string, unknown> {
  return {
    readyState: 0,
    protocol: '',
    index: 0,
    socket,
    key: HARNESS_KEY,
    events,
    opts,
    header: Buffer.alloc(0),
    parser: new ServerFrameParser(opts.maxPayload),
    fragments: undefined,
    fragmentOpcode: 0,
    closeCode: 1006,
    closeSent: false,
    deadline: undefined,
    localPort: undefined,
  };
}

/**
 * True when a LeanConnection built by its constructor has exactly the fields the harness sets: a
 * real one is dialled to a closed loopback port and its own keys compared.
 */
export async function leanFieldsMatch(): Promise<{ ok: boolean; real: string[]; harness: string[] }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  let real: string[] = [];
  const done = new Promise<void>((resolve) => {
    const noop = () => undefined;
    const conn = new LeanConnection(
      { ...OPTIONS_BASE, url: new URL(`ws://127.0.0.1:${port}/`), protocols: [], maxPayload: 1 },
      { open: noop, message: noop, close: noop, fail: () => resolve() },
      undefined,
    );
    real = Object.keys(conn).sort();
  });
  await done;
  const harness = Object.keys(initialFields({ ...OPTIONS_BASE, protocols: [], maxPayload: 1 }, {} as LeanEvents, new FakeSocket())).sort();
  return { ok: JSON.stringify(real) === JSON.stringify(harness), real, harness };
}
