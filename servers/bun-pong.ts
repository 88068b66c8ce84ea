/**
 * The Pong server on Bun's native WebSocket server (Bun.serve, uWebSockets inside), for comparing
 * runtimes with the same protocol. Started by `wsbench serve --runtime bun`
 * (src/targets/runtimes.ts) as `bun servers/bun-pong.ts '<options JSON>'`.
 *
 * Differences from the Node server, all forced or chosen on purpose:
 * - Bun enforces --max-payload itself (maxPayloadLength) and closes with 1009 before the message
 *   reaches us; its own close handler then reports 1006.
 * - idleTimeout 0 and sendPings false: the Node server has no heartbeat unless asked, and Bun's
 *   default (close after 120 s without data) would cut idle benchmark clients.
 * - --max-send-buffer closes a peer whose unsent replies pass it with 1008 at once: Bun cannot stop
 *   reading one WebSocket, so there is no pause and no --send-buffer-timeout.
 * - No --workers, --deflate, --cert/--key, --ping-interval, --max-connections (the CLI refuses them).
 */
import {
  CLOSES,
  CLOSE_NOT_READING,
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
  toResponse,
  startupFailure,
  waitUntil,
  type PongOptions,
  type ServerInfo,
} from './pong-common.ts';

/** The parts of Bun's API used here (bun-types is not a dependency of this project). */
interface ServerWebSocket {
  readonly data: { path: string };
  /** Bytes sent; -1 when queued behind unsent data (backpressure); 0 when dropped. */
  send(data: string | Uint8Array, compress?: boolean): number;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
}
interface BunServer {
  readonly port: number;
  upgrade(req: Request, options: { headers?: Record<string, string>; data: { path: string } }): boolean;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
interface BunApi {
  readonly version: string;
  serve(options: {
    hostname: string;
    port: number;
    development: boolean;
    fetch(req: Request, server: BunServer): Response | undefined;
    error(err: Error): Response;
    websocket: {
      maxPayloadLength: number;
      backpressureLimit: number;
      closeOnBackpressureLimit: boolean;
      idleTimeout: number;
      sendPings: boolean;
      perMessageDeflate: boolean;
      open(ws: ServerWebSocket): void;
      message(ws: ServerWebSocket, message: string | Uint8Array): void;
      close(ws: ServerWebSocket, code: number, reason: string): void;
    };
  }): BunServer;
}
const Bun = (globalThis as unknown as { Bun: BunApi }).Bun;

let opts: PongOptions;
try {
  opts = parseOptions(process.argv[2]);
} catch (err) {
  process.stderr.write(`wsbench: bun-pong: ${(err as Error).message} [WSB_ERR_INTERNAL]\n`);
  process.exit(EXIT.INTERNAL);
}

const stats = new Stats();
/** Open sockets, only so SIGINT/SIGTERM can close each with 1001. */
const sockets = new Set<ServerWebSocket>();
let shuttingDown = false;
const pong = opts.mode === 'pong';
const maxSendBufferBytes = opts.maxSendBufferBytes;
/** Closed by --max-send-buffer: counted as 1008 (Bun reports 1006 for a socket it terminated). */
const closedByUs = new WeakSet<ServerWebSocket>();

/**
 * Bun cannot stop reading one WebSocket, so a peer whose replies pass --max-send-buffer is closed
 * at once. Bun itself drops a send (0) once its backpressureLimit (set to ours) is passed; a queued
 * send (-1) is checked too. A send that went out (> 0) costs no check.
 */
function afterSend(ws: ServerWebSocket, result: number): void {
  if (result > 0 || closedByUs.has(ws)) return;
  if (result === -1 && ws.getBufferedAmount() <= maxSendBufferBytes) return;
  closedByUs.add(ws);
  stats.countTerminated('send-buffer');
  ws.close(CLOSES.notReading.code, CLOSES.notReading.reason);
  ws.terminate();
}
function reply(ws: ServerWebSocket, message: string | Uint8Array): void {
  afterSend(ws, ws.send(message));
  stats.messagesOut++;
}
/** --reply-delay: replies later, in order, unless the socket has closed in the meantime. */
const replyLater =
  opts.replyDelayMs > 0
    ? delayReplies(opts.replyDelayMs, (ws: ServerWebSocket, message: string | Uint8Array) => {
        if (sockets.has(ws)) reply(ws, message);
      })
    : undefined;

const info: ServerInfo = {
  runtime: 'bun',
  runtimeVersion: Bun.version,
  pid: process.pid,
  rssBytes: () => process.memoryUsage().rss,
  isShuttingDown: () => shuttingDown,
  replyDelayAchieved: () => replyLater?.achieved() ?? null,
};

let server: BunServer;
try {
  server = Bun.serve({
    hostname: opts.host,
    port: opts.port,
    // Production mode: no development error pages or extra checks in a benchmark.
    development: false,
    fetch(req, srv) {
      const routed = route(req, opts, stats, info);
      if (routed.kind === 'response') return toResponse(routed);
      // An empty Sec-WebSocket-Protocol makes Bun send none; without it Bun echoes the client's first offer.
      const headers = { 'Sec-WebSocket-Protocol': routed.protocol ?? '', [WORKER_PID_HEADER]: String(process.pid) };
      if (srv.upgrade(req, { headers, data: { path: routed.path } })) return undefined;
      return toResponse(badHandshake(stats, 'Bun refused the upgrade (missing or invalid Sec-WebSocket-Key?)'));
    },
    error(err) {
      process.stderr.write(`wsbench: bun-pong: request failed: ${err.message}\n`);
      return new Response('Internal Server Error\n', { status: 500 });
    },
    websocket: {
      maxPayloadLength: opts.maxPayloadBytes,
      // Bun drops sends past this (16 MB by default) without a word; afterSend closes on a drop.
      backpressureLimit: maxSendBufferBytes,
      closeOnBackpressureLimit: false,
      idleTimeout: 0,
      sendPings: false,
      perMessageDeflate: false,
      // Handlers are declared once for the server (Bun's design): nothing allocated per socket here.
      open(ws) {
        sockets.add(ws);
        stats.connectionsCurrent++;
        stats.connectionsTotal++;
        if (pong) {
          afterSend(ws, ws.send(greeting(ws.data.path)));
          stats.messagesOut++;
        }
      },
      message(ws, message) {
        stats.messagesIn++;
        // Text arrives as a string, binary as a Buffer; send() keeps the type.
        const answer = pong && typeof message === 'string' ? PONG_PREFIX + message : message;
        if (!replyLater) return reply(ws, answer);
        // A delayed reply keeps its own copy of binary data.
        replyLater(ws, typeof answer === 'string' ? answer : answer.slice(), undefined);
      },
      close(ws, code) {
        sockets.delete(ws);
        stats.connectionsCurrent--;
        stats.countClose(closedByUs.has(ws) ? CLOSE_NOT_READING : code);
      },
    },
  });
} catch (err) {
  const failure = startupFailure(err, opts);
  process.stderr.write(failure.text);
  process.exit(failure.exitCode);
}

process.stdout.write(listeningLine(opts, server.port, process.pid, 'bun'));

async function shutdown(): Promise<void> {
  // A second signal (a terminal sends SIGINT to the whole group and the CLI forwards it) changes nothing.
  if (shuttingDown) return;
  shuttingDown = true;
  replyLater?.stop();
  for (const ws of sockets) ws.close(CLOSES.goingAway.code, CLOSES.goingAway.reason);
  await waitUntil(() => sockets.size === 0, opts.shutdownTimeoutMs);
  for (const ws of sockets) ws.terminate();
  await server.stop(true);
  process.exit(EXIT.OK);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
