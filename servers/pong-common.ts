/**
 * What the Bun, Deno and uWebSockets.js Pong servers share: the HTTP side (routes, /healthz,
 * /metrics, refusals: the table in src/contract/pong-routes.ts) as plain values, which Bun and
 * Deno turn into a web Response and uws writes to its own response object; and --reply-delay
 * (src/contract/reply-delay.ts). The protocol, options, counters, metric names, ready announcement,
 * exit codes and start-up failure texts come from the contract (src/contract/: TypeScript with no
 * imports and no Node-only API), the same files the Node server compiles, so nothing is kept in
 * step by hand. Bun and Deno run this file as TypeScript; tsc also compiles it (with uws-pong.ts,
 * the one server that runs on Node) into dist/servers/, rewriting the .ts imports to .js.
 */
import { PONG_PREFIX, WORKER_PID_HEADER, greeting, offeredProtocols, pickSubprotocol, requestPath } from '../src/contract/pong.ts';
import { CLOSES, CLOSE_NOT_READING, HEALTHZ_PATH, METRICS_PATH, PONG_ROUTES, refuseUpgrade, type HttpAnswer } from '../src/contract/pong-routes.ts';
import { delayReplies } from '../src/contract/reply-delay.ts';
import { ERROR_EXIT, EXIT } from '../src/contract/exit-codes.ts';
import { parseRuntimeServerOptions, type RuntimeServerOptions } from '../src/contract/runtime-server.ts';
import { SERVER_METRICS, ServerCounters } from '../src/contract/server-counters.ts';
import { readyAnnouncement, readyLine } from '../src/contract/ready.ts';
import { classifyListenFailure, listenFailureText } from '../src/contract/listen-errors.ts';

export type PongOptions = RuntimeServerOptions;
export const parseOptions = parseRuntimeServerOptions;
export { CLOSES, CLOSE_NOT_READING, ERROR_EXIT, EXIT, PONG_PREFIX, WORKER_PID_HEADER, delayReplies, greeting };

/** The counters every wsbench server keeps (the Node server extends them). */
export class Stats extends ServerCounters {}

export type ServerRuntime = 'bun' | 'deno' | 'uws';

/** What the HTTP handler needs from the runtime. */
export interface ServerInfo {
  runtime: ServerRuntime;
  runtimeVersion: string;
  pid: number;
  rssBytes(): number;
  isShuttingDown(): boolean;
  /** --reply-delay's achieved − asked delay (src/contract/reply-delay.ts), null without a delay. */
  replyDelayAchieved(): { p50Us: number; p99Us: number; samples: number } | null;
}

/** The parts of a request routing reads; a web Request has them, uws builds them from its own. */
export interface RequestHead {
  readonly method: string;
  /** An absolute URL or a path with its query (only the path is read). */
  readonly url: string;
  readonly headers: { get(lowerCaseName: string): string | null };
}

/** An HTTP answer as plain values (pong-routes.ts): each runtime writes it its own way (toResponse for web runtimes). */
export type Reply = HttpAnswer & { kind: 'response' };

export type Routed = { kind: 'upgrade'; path: string; protocol: string | undefined } | Reply;

/**
 * Everything but the upgrade itself, from the table in src/contract/pong-routes.ts: refusals (503
 * while shutting down, 404 off --path, 426 for an unknown Sec-WebSocket-Version), /healthz,
 * /metrics, 426 for any other GET, 405 otherwise.
 */
export function route(req: RequestHead, opts: PongOptions, stats: Stats, info: ServerInfo): Routed {
  const path = requestPath(req.url);
  if (isUpgrade(req)) {
    const refusal = refuseUpgrade(info.isShuttingDown(), opts.path, path, req.headers.get('sec-websocket-version'));
    if (refusal) return refuse(stats, refusal);
    return { kind: 'upgrade', path, protocol: pickSubprotocol(offeredProtocols(req.headers.get('sec-websocket-protocol')), opts.protocols) || undefined };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return respond(PONG_ROUTES.methodNotAllowed());
  if (path === HEALTHZ_PATH) {
    return respond(
      PONG_ROUTES.healthz({
        status: 'ok',
        runtime: info.runtime,
        pid: info.pid,
        workerPid: info.pid,
        workers: 1,
        connections: stats.connectionsCurrent,
        replyDelayMs: opts.replyDelayMs,
        replyDelayAchieved: info.replyDelayAchieved(),
        // These servers have no send-buffer timeout and no handshake deadline of their own.
        limits: {
          maxSendBufferBytes: opts.maxSendBufferBytes,
          sendBufferTimeoutMs: null,
          handshakeTimeoutMs: null,
          maxPayloadBytes: opts.maxPayloadBytes,
          maxConnections: 0,
        },
      }),
    );
  }
  if (path === METRICS_PATH) return respond(PONG_ROUTES.metrics('text/plain; version=0.0.4; charset=utf-8', metricsText(stats, info, opts)));
  return respond(PONG_ROUTES.notAnUpgrade());
}

/** An upgrade the runtime itself refused (no Sec-WebSocket-Key, …). */
export function badHandshake(stats: Stats, why: string): Reply {
  return refuse(stats, PONG_ROUTES.badHandshake(why));
}

/** A Reply as a web-standard Response (Bun, Deno). */
export function toResponse(reply: Reply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

function isUpgrade(req: RequestHead): boolean {
  const upgrade = req.headers.get('upgrade');
  return (
    upgrade !== null &&
    upgrade
      .toLowerCase()
      .split(',')
      .some((v) => v.trim() === 'websocket')
  );
}

function refuse(stats: Stats, refusal: HttpAnswer): Reply {
  stats.countRejected(refusal.status);
  return respond(refusal);
}

function respond(answer: HttpAnswer): Reply {
  return { kind: 'response', ...answer };
}

/** Prometheus text exposition: the Node server's names, so dashboards work for every runtime. */
export function metricsText(stats: Stats, info: ServerInfo, opts: PongOptions): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  const m = SERVER_METRICS;
  metric(m.connectionsCurrent.name, 'gauge', m.connectionsCurrent.help, [['', stats.connectionsCurrent]]);
  metric(m.connectionsTotal.name, 'counter', m.connectionsTotal.help, [['', stats.connectionsTotal]]);
  metric(m.messagesIn.name, 'counter', m.messagesIn.help, [['', stats.messagesIn]]);
  metric(m.messagesOut.name, 'counter', m.messagesOut.help, [['', stats.messagesOut]]);
  metric(
    m.closes.name,
    'counter',
    m.closes.help,
    [...stats.closesByCode].map(([code, n]) => [`{code="${code}"}`, n]),
  );
  metric(
    m.upgradesRejected.name,
    'counter',
    m.upgradesRejected.help,
    [...stats.rejectedByStatus].map(([status, n]) => [`{status="${status}"}`, n]),
  );
  metric(
    m.terminated.name,
    'counter',
    m.terminated.help,
    [...stats.terminatedByCause].map(([cause, n]) => [`{cause="${cause}"}`, n]),
  );
  metric(m.maxSendBuffer.name, 'gauge', m.maxSendBuffer.help, [['', opts.maxSendBufferBytes]]);
  metric('wsbench_runtime_info', 'gauge', 'The runtime serving WebSocket connections', [[`{runtime="${info.runtime}",version="${info.runtimeVersion}"}`, 1]]);
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', info.rssBytes()]]);
  return out.join('\n') + '\n';
}

/** The ready announcement, as `wsbench serve` prints it for the Node server (src/contract/ready.ts). */
export function listeningLine(opts: PongOptions, port: number, pid: number, runtime: ServerRuntime): string {
  return readyLine(readyAnnouncement({ scheme: 'ws', host: opts.host, port, path: opts.path, pid, workers: 1, runtime, mode: opts.mode }), opts.readyJson);
}

/** A start-up failure in the CLI's format (`wsbench: message [CODE]` + hint) and its exit code. */
export function startupFailure(err: unknown, opts: PongOptions): { text: string; exitCode: number } {
  const kind = classifyListenFailure(err, opts.port);
  if (!kind) {
    const message = (err as { message?: string } | null)?.message;
    return { text: `wsbench: the server could not start: ${message || String(err)} [WSB_ERR_INTERNAL]\n`, exitCode: EXIT.INTERNAL };
  }
  const t = listenFailureText(kind, opts.host, opts.port);
  return { text: `wsbench: ${t.message} [${t.code}]\n  hint: ${t.hint}\n`, exitCode: ERROR_EXIT[t.code] };
}

/** Polls `done` until true or the deadline; shutdown is the only caller, so no timer per socket. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
