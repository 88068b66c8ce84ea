/**
 * The Pong server on Deno's native WebSocket server (Deno.serve + Deno.upgradeWebSocket), for
 * comparing runtimes with the same protocol. Started by `wsbench serve --runtime deno`
 * (src/targets/runtimes.ts) as
 * `deno run --allow-net --allow-env --no-prompt --no-config --no-lock servers/deno-pong.ts '<options JSON>'`.
 *
 * Differences from the Node server, all forced or chosen on purpose:
 * - Deno has no message size limit to set (its own cap is far above ours), so --max-payload is
 *   checked after the message has arrived: it is not answered and the connection closes with 1009.
 * - The subprotocol header is set on the 101 response ourselves: Deno's `protocol` option only
 *   accepts offers separated by exactly ", " and throws otherwise (`ws` sends "a,b").
 * - idleTimeout 0: the Node server has no heartbeat unless asked; Deno's default pings every 30 s
 *   and closes peers that do not answer.
 * - --max-send-buffer closes a peer whose unsent replies pass it with 1008 at once: Deno cannot stop
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

let opts: PongOptions;
try {
  opts = parseOptions(Deno.args[0]);
} catch (err) {
  console.error(`wsbench: deno-pong: ${(err as Error).message} [WSB_ERR_INTERNAL]`);
  Deno.exit(EXIT.INTERNAL);
}

const stats = new Stats();
/** Sockets from upgrade until close → the path they asked for (the greeting names it). */
const sockets = new Map<WebSocket, string>();
let shuttingDown = false;
const pong = opts.mode === 'pong';
const maxPayloadBytes = opts.maxPayloadBytes;
const maxSendBufferBytes = opts.maxSendBufferBytes;
/** Closed by --max-send-buffer: counted as 1008 whatever code the close event reports. */
const closedByUs = new WeakSet<WebSocket>();
const utf8 = new TextEncoder();
const info: ServerInfo = {
  runtime: 'deno',
  runtimeVersion: Deno.version.deno,
  pid: Deno.pid,
  rssBytes: () => Deno.memoryUsage().rss,
  isShuttingDown: () => shuttingDown,
  replyDelayAchieved: () => replyLater?.achieved() ?? null,
};

// Listeners are module-level functions shared by every socket; `this` is the socket.
function onOpen(this: WebSocket): void {
  stats.connectionsCurrent++;
  stats.connectionsTotal++;
  if (pong) {
    this.send(greeting(sockets.get(this) ?? '/'));
    stats.messagesOut++;
  }
}

function onMessage(this: WebSocket, ev: MessageEvent<string | ArrayBuffer>): void {
  const data = ev.data;
  stats.messagesIn++;
  if (tooBig(data)) {
    this.close(CLOSES.tooBig.code, CLOSES.tooBig.reason);
    return;
  }
  const answer = pong && typeof data === 'string' ? PONG_PREFIX + data : data;
  if (replyLater) replyLater(this, answer, undefined);
  else reply(this, answer);
}

function reply(socket: WebSocket, answer: string | ArrayBuffer): void {
  socket.send(answer);
  stats.messagesOut++;
  if (socket.bufferedAmount > maxSendBufferBytes) closeNotReading(socket);
}

/** --reply-delay: replies later, in order, unless the socket has stopped being open in the meantime. */
const replyLater =
  opts.replyDelayMs > 0
    ? delayReplies(opts.replyDelayMs, (socket: WebSocket, answer: string | ArrayBuffer) => {
        if (socket.readyState === WebSocket.OPEN) reply(socket, answer);
      })
    : undefined;

/**
 * Deno cannot stop reading one WebSocket, and without this a peer that never reads makes it queue
 * every reply (GBs in seconds): past --max-send-buffer the connection is closed with 1008 at once.
 */
function closeNotReading(socket: WebSocket): void {
  if (closedByUs.has(socket)) return;
  closedByUs.add(socket);
  stats.countTerminated('send-buffer');
  socket.close(CLOSES.notReading.code, CLOSES.notReading.reason);
}

/** UTF-8 length is only computed when the string length alone cannot decide (at most 3 bytes per unit). */
function tooBig(data: string | ArrayBuffer): boolean {
  if (typeof data !== 'string') return data.byteLength > maxPayloadBytes;
  if (data.length > maxPayloadBytes) return true;
  if (data.length * 3 <= maxPayloadBytes) return false;
  return utf8.encode(data).byteLength > maxPayloadBytes;
}

function onClose(this: WebSocket, ev: CloseEvent): void {
  sockets.delete(this);
  stats.connectionsCurrent--;
  stats.countClose(closedByUs.has(this) ? CLOSE_NOT_READING : ev.code);
}

function onError(this: WebSocket): void {
  // A failed upgrade fires only "error" (no open, no close): forget the socket here.
  if (this.readyState === WebSocket.CONNECTING) sockets.delete(this);
}

function handle(req: Request): Response {
  const routed = route(req, opts, stats, info);
  if (routed.kind === 'response') return toResponse(routed);
  let upgraded: { socket: WebSocket; response: Response };
  try {
    upgraded = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
  } catch (err) {
    return toResponse(badHandshake(stats, (err as Error).message));
  }
  const { socket, response } = upgraded;
  // The 101's headers are mutable until it is returned; see the note at the top on `protocol`.
  if (routed.protocol !== undefined) response.headers.set('Sec-WebSocket-Protocol', routed.protocol);
  response.headers.set(WORKER_PID_HEADER, String(Deno.pid));
  socket.binaryType = 'arraybuffer';
  socket.onopen = onOpen;
  socket.onmessage = onMessage;
  socket.onclose = onClose;
  socket.onerror = onError;
  sockets.set(socket, routed.path);
  return response;
}

let server: Deno.HttpServer<Deno.NetAddr>;
try {
  server = Deno.serve(
    {
      hostname: opts.host,
      port: opts.port,
      // Replaces Deno's own "Listening on" line: stdout carries exactly one line, the CLI's.
      onListen: (addr) => console.log(listeningLine(opts, addr.port, Deno.pid, 'deno').trimEnd()),
      onError: (err) => {
        console.error(`wsbench: deno-pong: request failed: ${(err as Error).message}`);
        return new Response('Internal Server Error\n', { status: 500 });
      },
    },
    handle,
  );
} catch (err) {
  const failure = startupFailure(err, opts);
  Deno.stderr.writeSync(utf8.encode(failure.text));
  Deno.exit(failure.exitCode);
}

async function shutdown(): Promise<void> {
  // A second signal (a terminal sends SIGINT to the whole group and the CLI forwards it) changes nothing.
  if (shuttingDown) return;
  shuttingDown = true;
  replyLater?.stop();
  for (const socket of sockets.keys()) {
    if (socket.readyState === WebSocket.OPEN) socket.close(CLOSES.goingAway.code, CLOSES.goingAway.reason);
  }
  await waitUntil(() => sockets.size === 0, opts.shutdownTimeoutMs);
  // Upgraded sockets are not requests: shutdown() only has the listener (and idle HTTP) left to close.
  await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, 1000))]);
  Deno.exit(EXIT.OK);
}
Deno.addSignalListener('SIGINT', () => void shutdown());
// Deno has no SIGTERM listener on Windows.
if (Deno.build.os !== 'windows') Deno.addSignalListener('SIGTERM', () => void shutdown());
