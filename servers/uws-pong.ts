/**
 * The Pong server on uWebSockets.js (the C++ uWebSockets server as a Node addon), for comparing
 * runtimes with the same protocol. Started by `wsbench serve --runtime uws` (src/targets/runtimes.ts)
 * as `node dist/servers/uws-pong.js '<options JSON>' <addon .node file> <version label>`: the CLI
 * finds the addon (the optional dependency @trufflesuite/uws-js-unofficial, or WSBENCH_UWS) and
 * this process loads exactly that file, never the package's own entry point, which would fall back
 * to a `ws`-based imitation without a word when the binary does not load.
 *
 * Differences from the Node server, all forced or chosen on purpose:
 * - uWebSockets.js cuts a connection off without a close frame (the client sees 1006) when a frame
 *   passes its own maxPayloadLength. It is set to HARD_PAYLOAD_FACTOR × --max-payload, and this
 *   server closes with 1009 itself for a message between the two limits, so the usual oversize
 *   message gets the same 1009 as on every runtime while per-connection buffering stays bounded.
 * - idleTimeout 0 and no automatic pings: the Node server has no heartbeat unless asked.
 * - --max-send-buffer closes a peer whose unsent replies pass it with 1008 at once, as on Bun:
 *   uWebSockets.js cannot stop reading one WebSocket, so there is no --send-buffer-timeout.
 * - --mode broadcast publishes each text message to a topic every client subscribes to (sender
 *   included, as on the Node server): one call fans out in C++. A publish has no per-client
 *   result, so uWebSockets.js itself closes a client whose unsent bytes pass --max-send-buffer
 *   (closeOnBackpressureLimit); that close is counted by its code (1006), not as send-buffer.
 * - Listens with an exclusive port: uWebSockets.js sets SO_REUSEPORT by default, which would let
 *   a second server share a busy port instead of failing like the other runtimes.
 * - No --workers, --deflate, --cert/--key, --ping-interval, --max-connections, --format shootout
 *   (the CLI refuses them).
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import {
  CLOSES,
  CLOSE_NOT_READING,
  ERROR_EXIT,
  EXIT,
  PONG_PREFIX,
  Stats,
  WORKER_PID_HEADER,
  badHandshake,
  delayReplies,
  greeting,
  listeningLine,
  parseOptions,
  route,
  startupFailure,
  waitUntil,
  type PongOptions,
  type Reply,
  type RequestHead,
  type ServerInfo,
} from './pong-common.ts';

/** uWebSockets.js's own hard limit, as a multiple of --max-payload (see the note at the top). */
const HARD_PAYLOAD_FACTOR = 4;

/** The parts of uWebSockets.js used here (its types ship in a package that may be absent). */
interface UwsWebSocket {
  getUserData(): { path: string };
  /** 0 sent, 1 queued behind unsent data (backpressure), 2 dropped (past maxBackpressure). */
  send(message: string | ArrayBuffer | Uint8Array, isBinary?: boolean): number;
  getBufferedAmount(): number;
  /** Close handshake: sends a close frame with this code. */
  end(code?: number, reason?: string): void;
  /** Abrupt close: no close frame. */
  close(): void;
  subscribe(topic: string): boolean;
}
interface UwsResponse {
  writeStatus(status: string): UwsResponse;
  writeHeader(key: string, value: string): UwsResponse;
  end(body?: string, closeConnection?: boolean): UwsResponse;
  upgrade(userData: { path: string }, key: string, protocol: string, extensions: string, context: unknown): void;
}
interface UwsRequest {
  getMethod(): string;
  getUrl(): string;
  getQuery(): string | undefined;
  getHeader(lowerCaseKey: string): string;
}
interface UwsApp {
  ws(
    pattern: string,
    behavior: {
      compression: number;
      maxPayloadLength: number;
      maxBackpressure: number;
      closeOnBackpressureLimit: boolean;
      idleTimeout: number;
      sendPingsAutomatically: boolean;
      upgrade(res: UwsResponse, req: UwsRequest, context: unknown): void;
      open(ws: UwsWebSocket): void;
      message(ws: UwsWebSocket, message: ArrayBuffer, isBinary: boolean): void;
      close(ws: UwsWebSocket, code: number, message: ArrayBuffer): void;
    },
  ): UwsApp;
  any(pattern: string, handler: (res: UwsResponse, req: UwsRequest) => void): UwsApp;
  listen(host: string, port: number, options: number, cb: (listenSocket: unknown) => void): UwsApp;
  publish(topic: string, message: ArrayBuffer | Uint8Array, isBinary: boolean): boolean;
}
interface Uws {
  App(): UwsApp;
  us_socket_local_port(listenSocket: unknown): number;
  us_listen_socket_close(listenSocket: unknown): void;
  readonly DISABLED: number;
  readonly LIBUS_LISTEN_EXCLUSIVE_PORT: number;
}

function fail(text: string, exitCode: number): never {
  process.stderr.write(text);
  process.exit(exitCode);
}

let opts: PongOptions;
try {
  opts = parseOptions(process.argv[2]);
} catch (err) {
  fail(`wsbench: uws-pong: ${(err as Error).message} [WSB_ERR_INTERNAL]\n`, EXIT.INTERNAL);
}
const addonPath = process.argv[3] ?? '';
const version = process.argv[4] ?? 'unknown';

let uws: Uws;
try {
  uws = createRequire(import.meta.url)(addonPath) as Uws;
} catch (err) {
  // The file is there (the CLI checked) but does not load: another libc, a corrupt download, …
  const said = ((err as Error).message ?? String(err)).split('\n')[0];
  fail(
    `wsbench: --runtime uws: ${addonPath} does not load on Node ${process.version}: ${said} [WSB_ERR_RUNTIME_NOT_FOUND]\n` +
      '  hint: point WSBENCH_UWS at a uWebSockets.js build for this platform and Node version, or use another --runtime\n',
    ERROR_EXIT.WSB_ERR_RUNTIME_NOT_FOUND,
  );
}

const stats = new Stats();
/** Open sockets, only so SIGINT/SIGTERM can close each with 1001. */
const sockets = new Set<UwsWebSocket>();
/** Closed by this server (1008, 1009): uWebSockets.js then reports its own code, or 1006. */
const closedWith = new WeakMap<UwsWebSocket, number>();
let shuttingDown = false;
const pong = opts.mode === 'pong';
const broadcast = opts.mode === 'broadcast';
/** --mode broadcast: every client subscribes to it, and every text message is published to it. */
const EVERYONE = 'everyone';
const maxPayloadBytes = opts.maxPayloadBytes;
const maxSendBufferBytes = opts.maxSendBufferBytes;
const pidText = String(process.pid);
/** "Pong: " as bytes: a reply is the prefix and the message's bytes, with no decode and re-encode. */
const PONG_PREFIX_BYTES = Buffer.from(PONG_PREFIX);
const info: ServerInfo = {
  runtime: 'uws',
  runtimeVersion: `${version} on node ${process.version}`,
  pid: process.pid,
  rssBytes: () => process.memoryUsage.rss(),
  isShuttingDown: () => shuttingDown,
  replyDelayAchieved: () => answerLater?.achieved() ?? null,
};

/** What a message gets: its reply, or (--mode broadcast, text) a publish to every client. */
function answer(ws: UwsWebSocket, reply: ArrayBuffer | Uint8Array, isBinary: boolean): void {
  if (broadcast && !isBinary) {
    app.publish(EVERYONE, reply, false);
    stats.messagesOut += sockets.size;
    return;
  }
  afterSend(ws, ws.send(reply, isBinary));
  stats.messagesOut++;
}

/** --reply-delay: answers later, in order, unless the sender has gone in the meantime (a closed uWebSockets.js socket throws). */
const answerLater =
  opts.replyDelayMs > 0
    ? delayReplies(opts.replyDelayMs, (ws: UwsWebSocket, reply: ArrayBuffer | Uint8Array, isBinary: boolean) => {
        if (sockets.has(ws)) answer(ws, reply, isBinary);
      })
    : undefined;

function closeWith(ws: UwsWebSocket, code: number, reason: string): void {
  closedWith.set(ws, code);
  ws.end(code, reason);
}

/**
 * uWebSockets.js cannot stop reading one WebSocket, so a peer whose replies pass --max-send-buffer
 * is closed at once: a dropped send (2), or a queued one (1) past the limit. A send that went out
 * (0) costs no check.
 */
function afterSend(ws: UwsWebSocket, result: number): void {
  if (result === 0 || closedWith.has(ws)) return;
  if (result === 1 && ws.getBufferedAmount() <= maxSendBufferBytes) return;
  stats.countTerminated('send-buffer');
  closedWith.set(ws, CLOSE_NOT_READING);
  // The close frame would queue behind the replies the peer does not read: cut it off.
  ws.close();
}

/** A uWebSockets.js request as the shared router reads it; valid only inside the handler. */
function requestHead(req: UwsRequest): RequestHead {
  const query = req.getQuery();
  return {
    method: req.getMethod().toUpperCase(),
    url: query ? `${req.getUrl()}?${query}` : req.getUrl(),
    headers: {
      get: (name) => {
        const value = req.getHeader(name);
        return value === '' ? null : value;
      },
    },
  };
}

function writeReply(res: UwsResponse, reply: Reply, head: boolean): void {
  res.writeStatus(`${reply.status} ${reply.reason}`.trimEnd());
  // uWebSockets.js writes Content-Length itself, and Connection: close when asked to close.
  const close = reply.close;
  for (const [key, value] of Object.entries(reply.headers)) if (!(close && key === 'Connection')) res.writeHeader(key, value);
  // HEAD: no body (so Content-Length: 0). endWithoutBody would be exact, but 20.30 does not count
  // it as a response and aborts the process.
  res.end(head ? '' : reply.body, close);
}

/**
 * Runs a request handler so that nothing it throws takes the server down: uWebSockets.js aborts
 * the whole process when a handler returns without answering. The request gets a 500 instead.
 */
function guarded(res: UwsResponse, handle: () => void): void {
  try {
    handle();
  } catch (err) {
    process.stderr.write(`wsbench: uws-pong: request failed: ${(err as Error).message}\n`);
    try {
      res.writeStatus('500 Internal Server Error').end('Internal Server Error\n', true);
    } catch {
      // Answered before it threw: nothing more to send.
    }
  }
}

/** uWebSockets.js says only that listening failed: the same bind through Node tells why. */
function whyListenFailed(): Promise<unknown> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', resolve);
    probe.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
      probe.close(() => resolve(new Error(`uWebSockets.js could not listen on ${opts.host}:${opts.port}`)));
    });
  });
}

const app = uws
  .App()
  .ws('/*', {
    compression: uws.DISABLED,
    maxPayloadLength: Math.min(maxPayloadBytes * HARD_PAYLOAD_FACTOR, 2 ** 31 - 1),
    maxBackpressure: maxSendBufferBytes,
    // A publish cannot be checked per client (see the note at the top): let uWebSockets.js close.
    closeOnBackpressureLimit: broadcast,
    idleTimeout: 0,
    sendPingsAutomatically: false,
    upgrade(res, req, context) {
      guarded(res, () => {
        const routed = route(requestHead(req), opts, stats, info);
        if (routed.kind === 'response') return writeReply(res, routed, false);
        // A status written first lets the pid header into the 101 (uWebSockets.js writes one status only).
        res.writeStatus('101 Switching Protocols').writeHeader(WORKER_PID_HEADER, pidText);
        // No extensions: permessage-deflate is not negotiated, as on the other runtimes by default.
        res.upgrade({ path: routed.path }, req.getHeader('sec-websocket-key'), routed.protocol ?? '', '', context);
      });
    },
    open(ws) {
      sockets.add(ws);
      stats.connectionsCurrent++;
      stats.connectionsTotal++;
      if (broadcast) ws.subscribe(EVERYONE);
      if (pong) {
        afterSend(ws, ws.send(greeting(ws.getUserData().path)));
        stats.messagesOut++;
      }
    },
    message(ws, message, isBinary) {
      stats.messagesIn++;
      if (message.byteLength > maxPayloadBytes) return closeWith(ws, CLOSES.tooBig.code, CLOSES.tooBig.reason);
      // The ArrayBuffer is valid only during this call; send() copies it. uWebSockets.js has
      // already checked a text message's UTF-8, so prefix + bytes is valid text.
      const reply = pong && !isBinary ? Buffer.concat([PONG_PREFIX_BYTES, new Uint8Array(message)]) : message;
      if (!answerLater) return answer(ws, reply, isBinary);
      // A delayed answer outlives this call: it keeps a copy.
      answerLater(ws, reply === message ? message.slice(0) : reply, isBinary);
    },
    close(ws, code) {
      sockets.delete(ws);
      stats.connectionsCurrent--;
      stats.countClose(closedWith.get(ws) ?? code);
    },
  })
  // Requests uWebSockets.js did not upgrade: plain HTTP, and upgrades without a valid key.
  .any('/*', (res, req) => {
    guarded(res, () => {
      const head = requestHead(req);
      const routed = route(head, opts, stats, info);
      writeReply(res, routed.kind === 'response' ? routed : badHandshake(stats, 'missing or invalid Sec-WebSocket-Key'), head.method === 'HEAD');
    });
  });

let listenSocket: unknown = false;
app.listen(opts.host, opts.port, uws.LIBUS_LISTEN_EXCLUSIVE_PORT, (socket) => {
  listenSocket = socket;
});
if (!listenSocket) {
  const failure = startupFailure(await whyListenFailed(), opts);
  fail(failure.text, failure.exitCode);
}
process.stdout.write(listeningLine(opts, uws.us_socket_local_port(listenSocket), process.pid, 'uws'));

async function shutdown(): Promise<void> {
  // A second signal (a terminal sends SIGINT to the whole group and the CLI forwards it) changes nothing.
  if (shuttingDown) return;
  shuttingDown = true;
  answerLater?.stop();
  uws.us_listen_socket_close(listenSocket);
  for (const ws of sockets) ws.end(CLOSES.goingAway.code, CLOSES.goingAway.reason);
  await waitUntil(() => sockets.size === 0, opts.shutdownTimeoutMs);
  for (const ws of [...sockets]) ws.close();
  process.exit(EXIT.OK);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
