/**
 * The HTTP routes and refusals of every wsbench Pong server, as one table: the Node server
 * (src/server/) and the Bun, Deno and uWebSockets.js servers (servers/) all answer from it, so a
 * status, a body or a header is written once. Part of the contract: no imports, no Node-only API
 * (Bun and Deno read it as TypeScript; uws-pong.ts runs it compiled).
 *
 * Behaviour, not only an agreement (the refusal order, the answers' bodies): it stays in
 * src/contract because servers/* may import nothing else of src.
 */

/** Protocol versions a server speaks; anything else gets 426 with this list (RFC 6455 §4.4). */
export const SUPPORTED_VERSIONS: readonly string[] = ['13', '8'];

/** Close status on SIGINT/SIGTERM (RFC 6455 §7.4.1: going away). */
export const CLOSE_GOING_AWAY = 1001;
/**
 * Close status for a peer that stopped reading its replies (--max-send-buffer; RFC 6455 §7.4.1:
 * 1008, policy violation): the client broke the contract, the server is not overloaded (1013 would say it is).
 */
export const CLOSE_NOT_READING = 1008;
/** Close status for a message above --max-payload. */
export const CLOSE_TOO_BIG = 1009;

/** The close frames a server sends of its own accord: code and reason. */
export const CLOSES = {
  goingAway: { code: CLOSE_GOING_AWAY, reason: 'server shutting down' },
  notReading: { code: CLOSE_NOT_READING, reason: 'not reading replies' },
  tooBig: { code: CLOSE_TOO_BIG, reason: 'message too big' },
} as const;

export const HEALTHZ_PATH = '/healthz';
export const METRICS_PATH = '/metrics';

/** One HTTP answer as plain values; each server writes it its own way. */
export interface HttpAnswer {
  status: number;
  /** The reason phrase of the status line (servers that write the status line themselves). */
  reason: string;
  /** Content-Type and any other headers (Content-Length is the writer's job). */
  headers: Record<string, string>;
  body: string;
  /** A refused upgrade: the connection closes after the answer. */
  close: boolean;
}

/** The server's limits as /healthz reports them; null where that server has no such limit. */
export interface HealthzLimits {
  maxSendBufferBytes: number;
  sendBufferTimeoutMs: number | null;
  handshakeTimeoutMs: number | null;
  maxPayloadBytes: number;
  /** 0 = no limit. */
  maxConnections: number;
}

/** The one /healthz body, on every runtime. */
export interface HealthzBody {
  status: 'ok';
  runtime: 'node' | 'bun' | 'deno' | 'uws';
  /** The pid users know the server by (a cluster primary, or the one process). */
  pid: number;
  /** The process that answered. */
  workerPid: number;
  workers: number;
  /** Open WebSocket connections, whole server. */
  connections: number;
  /** serve --reply-delay, in milliseconds (0: replies go out at once). */
  replyDelayMs: number;
  /** With --reply-delay: achieved − asked delay over the latest replies (µs); null without a delay or before a reply. */
  replyDelayAchieved: { p50Us: number; p99Us: number; samples: number } | null;
  limits: HealthzLimits;
}

/** The fields of /healthz, in the order they are written (tests check every runtime against it). */
export const HEALTHZ_FIELDS: readonly (keyof HealthzBody)[] = [
  'status',
  'runtime',
  'pid',
  'workerPid',
  'workers',
  'connections',
  'replyDelayMs',
  'replyDelayAchieved',
  'limits',
];

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

function answer(status: number, contentType: string, body: string, headers: Record<string, string> = {}): HttpAnswer {
  return { status, reason: REASONS[status] ?? '', headers: { 'Content-Type': contentType, ...headers }, body, close: false };
}

function refusal(status: number, text: string, headers: Record<string, string> = {}): HttpAnswer {
  return { ...answer(status, 'text/plain', text + '\n', { Connection: 'close', ...headers }), close: true };
}

/**
 * Every answer a Pong server gives over plain HTTP. Upgrades are refused in this order: shutting
 * down (503), off --path (404), unknown Sec-WebSocket-Version (426), over --max-connections (503),
 * a handshake the WebSocket library rejects (400). Plain requests: /healthz, /metrics, 426 for any
 * other GET or HEAD (a browser pointed at the WebSocket URL learns it needs an upgrade), 405 otherwise.
 */
export const PONG_ROUTES = {
  shuttingDown: (): HttpAnswer => refusal(503, 'server is shutting down'),
  offPath: (path: string): HttpAnswer => refusal(404, `no WebSocket endpoint at ${path}`),
  badVersion: (version: string): HttpAnswer =>
    // RFC 6455 §4.2.2 / §4.4: 426 plus the versions we do speak.
    refusal(426, `unsupported Sec-WebSocket-Version ${version}`, { 'Sec-WebSocket-Version': SUPPORTED_VERSIONS.join(', ') }),
  connectionLimit: (maxConnections: number): HttpAnswer => refusal(503, `connection limit ${maxConnections} reached`),
  badHandshake: (why: string): HttpAnswer => refusal(400, `bad WebSocket handshake: ${why}`),
  methodNotAllowed: (): HttpAnswer => answer(405, 'text/plain', 'Method Not Allowed\n', { Allow: 'GET' }),
  notAnUpgrade: (): HttpAnswer =>
    answer(426, 'text/plain', 'Upgrade Required: this endpoint speaks WebSocket\n', { Upgrade: 'websocket', Connection: 'Upgrade' }),
  healthz: (body: HealthzBody): HttpAnswer => answer(200, 'application/json', JSON.stringify(body) + '\n'),
  metrics: (contentType: string, text: string): HttpAnswer => answer(200, contentType, text),
  statsUnavailable: (why: string): HttpAnswer => answer(503, 'text/plain', `stats unavailable: ${why}\n`),
} as const;

/** Whether an upgrade with this version header is refused (absent: left to the WebSocket library). */
export function unsupportedVersion(version: string | null | undefined): version is string {
  return version !== null && version !== undefined && !SUPPORTED_VERSIONS.includes(version);
}

/**
 * The refusal an upgrade gets before the WebSocket library sees it, or undefined to go on
 * (the checks every server makes; --max-connections is the Node server's own, asked afterwards).
 */
export function refuseUpgrade(
  shuttingDown: boolean,
  wantedPath: string | null | undefined,
  path: string,
  version: string | null | undefined,
): HttpAnswer | undefined {
  if (shuttingDown) return PONG_ROUTES.shuttingDown();
  if (wantedPath !== null && wantedPath !== undefined && path !== wantedPath) return PONG_ROUTES.offPath(path);
  if (unsupportedVersion(version)) return PONG_ROUTES.badVersion(version);
  return undefined;
}
