/**
 * A `ws` client wrapper that queues messages from the first byte (the greeting arrives right after
 * the 101, before a test could attach a listener) and lets tests await messages and the close.
 */
import WebSocket, { type ClientOptions } from 'ws';
import type { IncomingMessage } from 'node:http';

export interface Message {
  data: Buffer;
  isBinary: boolean;
  text: string;
}

export interface Client {
  ws: WebSocket;
  /** The 101 response (headers lower-cased by Node). */
  upgrade: IncomingMessage;
  nextMessage(timeoutMs?: number): Promise<Message>;
  /** Resolves with the close code and reason once the connection is closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Pings received from the server so far. */
  pings(): number;
  /** Resolves when the server has pinged this client `n` times in total. */
  waitForPings(n: number, timeoutMs?: number): Promise<void>;
}

/** Opens a client and resolves once it is open; rejects on an error or a non-101 answer. */
export function connect(url: string, protocols: string | string[] = [], options: ClientOptions = {}, timeoutMs = 10_000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...options });
    const queue: Message[] = [];
    const waiters: { resolve: (m: Message) => void; reject: (e: Error) => void }[] = [];
    let pingCount = 0;
    const pingWaiters: { n: number; resolve: () => void }[] = [];
    let upgrade: IncomingMessage | undefined;
    let isClosed = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`could not open ${url} within ${timeoutMs} ms`));
    }, timeoutMs);

    const closed = new Promise<{ code: number; reason: string }>((res) => {
      ws.once('close', (code, reason) => {
        isClosed = true;
        for (const w of waiters.splice(0)) w.reject(new Error(`connection closed (${code}) before the next message`));
        res({ code, reason: reason.toString() });
      });
    });
    ws.on('upgrade', (res) => {
      upgrade = res;
    });
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      const m = { data: buf, isBinary, text: buf.toString('utf8') };
      const w = waiters.shift();
      if (w) w.resolve(m);
      else queue.push(m);
    });
    ws.on('ping', () => {
      pingCount++;
      for (let i = pingWaiters.length - 1; i >= 0; i--) {
        if (pingCount >= pingWaiters[i].n) pingWaiters.splice(i, 1)[0].resolve();
      }
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      const err = new Error(`unexpected response ${res.statusCode}`) as Error & { statusCode?: number };
      err.statusCode = res.statusCode;
      res.resume();
      ws.terminate();
      reject(err);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.once('open', () => {
      clearTimeout(timer);
      resolve({
        ws,
        upgrade: upgrade!,
        nextMessage(ms = 10_000) {
          const m = queue.shift();
          if (m) return Promise.resolve(m);
          if (isClosed) return Promise.reject(new Error('connection closed before the next message'));
          return new Promise((res, rej) => {
            const w = {
              resolve: (msg: Message) => (clearTimeout(t), res(msg)),
              reject: (e: Error) => (clearTimeout(t), rej(e)),
            };
            const t = setTimeout(() => {
              waiters.splice(waiters.indexOf(w), 1);
              rej(new Error(`no message within ${ms} ms`));
            }, ms);
            waiters.push(w);
          });
        },
        closed,
        pings: () => pingCount,
        waitForPings(n, ms = 10_000) {
          if (pingCount >= n) return Promise.resolve();
          return new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error(`only ${pingCount} of ${n} pings within ${ms} ms`)), ms);
            pingWaiters.push({ n, resolve: () => (clearTimeout(t), res()) });
          });
        },
      });
    });
  });
}

/** Closes the client (if still open) and waits for the close to complete. */
export async function closeClient(c: Client, code = 1000): Promise<void> {
  if (c.ws.readyState === WebSocket.OPEN || c.ws.readyState === WebSocket.CONNECTING) c.ws.close(code);
  await c.closed;
}
