/**
 * Hostile clients for the server's limits: a client that upgrades, then sends frames and never
 * reads (its replies pile up on the server), or resets right after sending its upgrade request.
 * Every loop is bounded in count; the caller bounds it in time with `stop()`.
 */
import net from 'node:net';
import { rawUpgrade, encodeFrame, OPCODE } from './raw-ws.js';

export interface Flooder {
  /** Frames fully handed to the kernel so far. */
  written(): number;
  /** Resolves when the server closed the connection (or `stop()` destroyed it). */
  readonly closed: Promise<void>;
  /** Stops writing and destroys the socket. */
  stop(): void;
}

/**
 * Upgrades on `path` and writes up to `maxFrames` copies of one masked frame (`opcode`, `bytes`
 * of payload), waiting for 'drain' whenever its own socket buffer is full, never reading.
 */
export async function nonReadingClient(port: number, opts: { bytes: number; maxFrames: number; opcode?: number; path?: string }): Promise<Flooder> {
  const r = await rawUpgrade(port, opts.path ?? '/');
  if (r.status !== 101) throw new Error(`upgrade answered ${r.statusLine}`);
  const socket = r.socket; // paused by rawUpgrade: nothing is ever read
  const frame = encodeFrame({ opcode: opts.opcode ?? OPCODE.TEXT, payload: Buffer.alloc(opts.bytes, 0x61) });
  let written = 0;
  let done = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => (done = true));
  const pump = () => {
    while (!done && written < opts.maxFrames) {
      written++;
      if (!socket.write(frame)) return void socket.once('drain', pump);
    }
  };
  pump();
  return {
    written: () => written,
    closed,
    stop: () => {
      done = true;
      socket.destroy();
    },
  };
}

/**
 * Sends a complete upgrade request and resets the connection (RST), `count` times with
 * `concurrency` in flight. The reset lands at different moments of the server's handshake (right
 * after the write, on the next turn, 1 ms and 2 ms later) so that some arrive while a cluster
 * worker waits for the primary's admission answer. Resolves when every socket has closed.
 */
export async function resetAfterUpgrade(port: number, count: number, concurrency: number): Promise<void> {
  const request =
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
  let started = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () =>
        s.write(request, () => {
          const reset = () => s.resetAndDestroy();
          const when = i % 4;
          if (when === 0) reset();
          else if (when === 1) setImmediate(reset);
          else setTimeout(reset, when - 1);
        }),
      );
      s.on('error', () => {});
      s.once('close', () => resolve());
    });
  const lane = async () => {
    while (started < count) await one(started++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
