/**
 * What the Bun and Deno Pong servers share: their options, the HTTP side (routes, /healthz,
 * /metrics, refusals), subprotocol choice and the listening line. Web-standard Request/Response
 * only, so both runtimes run it as is. The Node server (src/server/) is the reference; this file
 * mirrors its behaviour, not its code, because it cannot import the compiled project.
 * Outside the tsc build on purpose (tsconfig "include"): only `bun` and `deno` run it.
 */

/** One JSON argument from src/server/runtimes.ts (RuntimeServerOptions there); keep both in step. */
export interface PongOptions {
  host: string;
  port: number;
  /** Only this path upgrades (others get 404); null = every path. */
  path: string | null;
  mode: 'pong' | 'echo';
  protocols: string[];
  maxPayloadBytes: number;
  /**
   * Unsent bytes one connection may hold. Neither runtime can stop reading from one WebSocket, so
   * past it the connection is closed with 1008 at once (the Node server pauses reading first).
   */
  maxSendBufferBytes: number;
  /** How long SIGINT/SIGTERM waits for close handshakes before exiting anyway. */
  shutdownTimeoutMs: number;
}

/** Exit codes shared with the CLI (src/core/exit-codes.ts). */
export const EXIT = { OK: 0, INTERNAL: 1, ENVIRONMENT: 4 } as const;

/** The seed's protocol: greet on open, answer text with `Pong: <msg>`. */
export const PONG_PREFIX = 'Pong: ';
export function greeting(path: string): string {
  return `Hello Client, you connected to ${path}`;
}

/** Close status on SIGINT/SIGTERM (RFC 6455 §7.4.1: going away). */
export const CLOSE_GOING_AWAY = 1001;
/** Close status for a message above --max-payload. */
export const CLOSE_TOO_BIG = 1009;
/** Close status for a peer that does not read its replies (--max-send-buffer), as the Node server sends. */
export const CLOSE_NOT_READING = 1008;

/** Header on every 101 answer, as the Node server sends (src/server/options.ts). */
export const WORKER_PID_HEADER = 'X-Wsbench-Pid';
const SUPPORTED_VERSIONS = ['13', '8'];

/** Parses and checks the launcher's JSON argument; throws with a readable message. */
export function parseOptions(arg: string | undefined): PongOptions {
  if (!arg) throw new Error('missing options: pass one JSON argument (the wsbench CLI does this)');
  const o = JSON.parse(arg) as Partial<PongOptions>;
  const bad = (field: string) => new Error(`bad option ${field} in ${arg}`);
  if (typeof o.host !== 'string' || o.host === '') throw bad('host');
  if (!Number.isInteger(o.port) || o.port! < 0 || o.port! > 65535) throw bad('port');
  if (o.path !== null && typeof o.path !== 'string') throw bad('path');
  if (o.mode !== 'pong' && o.mode !== 'echo') throw bad('mode');
  if (!Array.isArray(o.protocols) || !o.protocols.every((p) => typeof p === 'string')) throw bad('protocols');
  if (!Number.isInteger(o.maxPayloadBytes) || o.maxPayloadBytes! < 1) throw bad('maxPayloadBytes');
  if (!Number.isInteger(o.maxSendBufferBytes) || o.maxSendBufferBytes! < 1) throw bad('maxSendBufferBytes');
  if (!Number.isInteger(o.shutdownTimeoutMs) || o.shutdownTimeoutMs! < 0) throw bad('shutdownTimeoutMs');
  return o as PongOptions;
}

/**
 * RFC 6455 §4.2.2: the first protocol in the client's offer order that we support, or undefined.
 * Parsed here, not by the runtime: Deno splits the header on ", " only and Bun answers with the
 * client's first offer whether we support it or not.
 */
export function pickSubprotocol(header: string | null, supported: readonly string[]): string | undefined {
  if (!header) return undefined;
  for (const raw of header.split(',')) {
    const p = raw.trim();
    if (p !== '' && supported.includes(p)) return p;
  }
  return undefined;
}

/** The request path without its query, as the client sent it (no URL normalisation). */
export function requestPath(url: string): string {
  const scheme = url.indexOf('://');
  const start = url.indexOf('/', scheme === -1 ? 0 : scheme + 3);
  if (start === -1) return '/';
  const q = url.indexOf('?', start);
  const hash = url.indexOf('#', start);
  const end = Math.min(q === -1 ? url.length : q, hash === -1 ? url.length : hash);
  return url.slice(start, end);
}

/** Plain counters; read only when /metrics or /healthz is asked. */
export class Stats {
  connectionsCurrent = 0;
  connectionsTotal = 0;
  messagesIn = 0;
  messagesOut = 0;
  readonly closesByCode = new Map<number, number>();
  readonly rejectedByStatus = new Map<number, number>();
  /** Connections the server ended, by cause (send-buffer: the peer did not read its replies). */
  readonly terminatedByCause = new Map<string, number>();

  countTerminated(cause: string): void {
    this.terminatedByCause.set(cause, (this.terminatedByCause.get(cause) ?? 0) + 1);
  }
  countClose(code: number): void {
    this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
  }
  countRejected(status: number): void {
    this.rejectedByStatus.set(status, (this.rejectedByStatus.get(status) ?? 0) + 1);
  }
}

/** What the HTTP handler needs from the runtime. */
export interface ServerInfo {
  runtime: 'bun' | 'deno';
  runtimeVersion: string;
  pid: number;
  rssBytes(): number;
  isShuttingDown(): boolean;
}

export type Routed =
  | { kind: 'upgrade'; path: string; protocol: string | undefined }
  | { kind: 'response'; response: Response };

/**
 * Everything but the upgrade itself: refusals (503 while shutting down, 404 off --path, 426 for an
 * unknown Sec-WebSocket-Version), /healthz, /metrics, 426 for any other GET, 405 otherwise.
 */
export function route(req: Request, opts: PongOptions, stats: Stats, info: ServerInfo): Routed {
  const path = requestPath(req.url);
  if (isUpgrade(req)) {
    if (info.isShuttingDown()) return refuse(stats, 503, 'server is shutting down');
    if (opts.path !== null && path !== opts.path) return refuse(stats, 404, `no WebSocket endpoint at ${path}`);
    const version = req.headers.get('sec-websocket-version');
    if (version !== null && !SUPPORTED_VERSIONS.includes(version)) {
      return refuse(stats, 426, `unsupported Sec-WebSocket-Version ${version}`, { 'Sec-WebSocket-Version': SUPPORTED_VERSIONS.join(', ') });
    }
    return { kind: 'upgrade', path, protocol: pickSubprotocol(req.headers.get('sec-websocket-protocol'), opts.protocols) };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return respond(405, 'text/plain', 'Method Not Allowed\n', { Allow: 'GET' });
  if (path === '/healthz') {
    const body = { status: 'ok', pid: info.pid, workerPid: info.pid, workers: 1, connections: stats.connectionsCurrent, runtime: info.runtime };
    return respond(200, 'application/json', JSON.stringify(body) + '\n');
  }
  if (path === '/metrics') return respond(200, 'text/plain; version=0.0.4; charset=utf-8', metricsText(stats, info, opts));
  return respond(426, 'text/plain', 'Upgrade Required: this endpoint speaks WebSocket\n', { Upgrade: 'websocket', Connection: 'Upgrade' });
}

/** An upgrade the runtime itself refused (no Sec-WebSocket-Key, …). */
export function badHandshake(stats: Stats, why: string): Response {
  return refuse(stats, 400, `bad WebSocket handshake: ${why}`).response;
}

function isUpgrade(req: Request): boolean {
  const upgrade = req.headers.get('upgrade');
  return upgrade !== null && upgrade.toLowerCase().split(',').some((v) => v.trim() === 'websocket');
}

function refuse(stats: Stats, status: number, body: string, headers: Record<string, string> = {}): { kind: 'response'; response: Response } {
  stats.countRejected(status);
  return respond(status, 'text/plain', body + '\n', { Connection: 'close', ...headers });
}

function respond(status: number, type: string, body: string, headers: Record<string, string> = {}): { kind: 'response'; response: Response } {
  return { kind: 'response', response: new Response(body, { status, headers: { 'Content-Type': type, ...headers } }) };
}

/** Prometheus text exposition: the Node server's names, so dashboards work for every runtime. */
export function metricsText(stats: Stats, info: ServerInfo, opts: PongOptions): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  metric('wsbench_connections_current', 'gauge', 'Open WebSocket connections', [['', stats.connectionsCurrent]]);
  metric('wsbench_connections_total', 'counter', 'WebSocket connections accepted', [['', stats.connectionsTotal]]);
  metric('wsbench_messages_received_total', 'counter', 'Messages received from clients', [['', stats.messagesIn]]);
  metric('wsbench_messages_sent_total', 'counter', 'Messages sent to clients (greetings included)', [['', stats.messagesOut]]);
  metric(
    'wsbench_closes_total',
    'counter',
    'Closed connections by close code (1006: abrupt disconnect)',
    [...stats.closesByCode].map(([code, n]) => [`{code="${code}"}`, n]),
  );
  metric(
    'wsbench_upgrades_rejected_total',
    'counter',
    'Upgrade requests refused, by HTTP status',
    [...stats.rejectedByStatus].map(([status, n]) => [`{status="${status}"}`, n]),
  );
  metric(
    'wsbench_connections_terminated_total',
    'counter',
    'Connections the server ended, by cause (send-buffer)',
    [...stats.terminatedByCause].map(([cause, n]) => [`{cause="${cause}"}`, n]),
  );
  metric('wsbench_max_send_buffer_bytes', 'gauge', 'Per-connection limit of unsent bytes (--max-send-buffer)', [['', opts.maxSendBufferBytes]]);
  metric('wsbench_runtime_info', 'gauge', 'The runtime serving WebSocket connections', [[`{runtime="${info.runtime}",version="${info.runtimeVersion}"}`, 1]]);
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', info.rssBytes()]]);
  return out.join('\n') + '\n';
}

/** The one stdout line, byte for byte what `wsbench serve` prints for the Node server. */
export function listeningLine(opts: PongOptions, port: number, pid: number): string {
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return `wsbench serve listening on ws://${host}:${port}${opts.path ?? '/'} (pid ${pid}, 1 worker(s), mode ${opts.mode})\n`;
}

/** A start-up failure in the CLI's format (`wsbench: message [CODE]` + hint) and its exit code. */
export function startupFailure(err: unknown, opts: PongOptions): { text: string; exitCode: number } {
  const e = err as { code?: string; name?: string; message?: string };
  const code = e?.code ?? e?.name ?? '';
  const line = (message: string, wsbCode: string, hint: string) => `wsbench: ${message} [${wsbCode}]\n  hint: ${hint}\n`;
  if (/EADDRINUSE|AddrInUse/i.test(code) || /address already in use|in use/i.test(e?.message ?? '')) {
    if (opts.port === 0) {
      return {
        text: line(`no free port on ${opts.host}: the ephemeral port range is used up`, 'WSB_ERR_PORT_IN_USE', 'wait for other connections to close (TIME_WAIT), or choose a --port outside net.ipv4.ip_local_port_range'),
        exitCode: EXIT.ENVIRONMENT,
      };
    }
    return {
      text: line(`port ${opts.port} on ${opts.host} is already in use`, 'WSB_ERR_PORT_IN_USE', 'stop the other server or choose another --port (0 picks a free one)'),
      exitCode: EXIT.ENVIRONMENT,
    };
  }
  if ((/EACCES|PermissionDenied/i.test(code) || /permission denied/i.test(e?.message ?? '')) && opts.port < 1024) {
    return {
      text: line(`port ${opts.port} is below 1024 and needs root or the CAP_NET_BIND_SERVICE capability`, 'WSB_ERR_PRIVILEGED_PORT', `use --port ${opts.port === 80 ? 8080 : 8000 + opts.port}`),
      exitCode: EXIT.ENVIRONMENT,
    };
  }
  if (/EADDRNOTAVAIL|AddrNotAvailable/i.test(code)) {
    return {
      text: line(`address ${opts.host} is not available on this machine`, 'WSB_ERR_ADDRESS_NOT_AVAILABLE', 'use --host 0.0.0.0 or an address of one of its interfaces'),
      exitCode: EXIT.ENVIRONMENT,
    };
  }
  return { text: `wsbench: the server could not start: ${e?.message ?? String(err)} [WSB_ERR_INTERNAL]\n`, exitCode: EXIT.INTERNAL };
}

/** Polls `done` until true or the deadline; shutdown is the only caller, so no timer per socket. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
