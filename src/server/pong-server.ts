import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { Logger } from '../core/logger.js';
import { greeting, pickSubprotocol, PONG_PREFIX_BYTES, requestPath } from '../protocol/pong.js';
import { SUPPORTED_VERSIONS } from '../protocol/handshake.js';
import { ServerStats } from './stats.js';
import { WORKER_PID_HEADER, type ServeOptions } from './options.js';
import { handleHttpRequest, type ClusterView } from './http-routes.js';
import { startHeartbeat } from './heartbeat.js';

/** A running Pong server in this process (one cluster worker, or the whole server). */
export interface PongServer {
  readonly stats: ServerStats;
  readonly httpServer: http.Server | https.Server;
  /** Stop accepting, close every connection with 1001, resolve when all are gone (or timed out). */
  shutdown(): Promise<void>;
}

/**
 * Builds the Pong server: an HTTP(S) server whose upgrade requests go to `ws` after our own
 * checks (path, version, capacity), and whose plain requests serve /healthz and /metrics.
 * Listening is the caller's job, so cluster workers and single-process mode share this code.
 */
export function createPongServer(
  opts: ServeOptions,
  tls: { cert: Buffer; key: Buffer } | undefined,
  cluster: ClusterView,
  log: Logger,
): PongServer {
  const stats = new ServerStats();
  let shuttingDown = false;

  const wss = new WebSocketServer({
    noServer: true,
    // Library defaults are never left unexamined: 100 MiB maxPayload would let one client eat memory.
    maxPayload: opts.maxPayloadBytes,
    perMessageDeflate: opts.deflate,
    clientTracking: true,
    handleProtocols: (offered) => pickSubprotocol(offered, opts.protocols),
  });
  wss.on('headers', (headers) => {
    headers.push(`${WORKER_PID_HEADER}: ${process.pid}`);
  });
  // Handshakes ws itself refuses (missing key, bad headers): count them; ws writes the answer.
  wss.on('wsClientError', (err: Error & { code?: string }, socket: Duplex) => {
    stats.countError(err.code ?? 'WS_HANDSHAKE_ERROR');
    if (!socket.writable) return void socket.destroy();
    socket.once('finish', () => socket.destroy());
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  // Hot-path listeners: created once per server and shared by every socket (no closure per connection).
  const pong = opts.mode === 'pong';
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const buf = data as Buffer;
    stats.messagesIn++;
    stats.bytesIn += buf.length;
    if (pong && !isBinary) {
      const reply = Buffer.allocUnsafe(PONG_PREFIX_BYTES.length + buf.length);
      PONG_PREFIX_BYTES.copy(reply, 0);
      buf.copy(reply, PONG_PREFIX_BYTES.length);
      this.send(reply, { binary: false });
      stats.bytesOut += reply.length;
    } else {
      // Binary in pong mode, and everything in echo mode: the payload unchanged, same type.
      this.send(buf, { binary: isBinary });
      stats.bytesOut += buf.length;
    }
    stats.messagesOut++;
  }
  function onClose(this: WebSocket, code: number): void {
    stats.connectionsCurrent--;
    stats.countClose(code);
    log.debug({ code }, 'Connection closed');
  }
  function onError(this: WebSocket, err: Error & { code?: string }): void {
    // Protocol violations (ws closes with 1002/1007/1009 itself) and resets: counted, never thrown.
    stats.countError(err.code ?? 'UNKNOWN');
  }

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    stats.connectionsCurrent++;
    stats.connectionsTotal++;
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
    if (pong) {
      const hello = greeting(requestPath(req.url));
      ws.send(hello);
      stats.messagesOut++;
      stats.bytesOut += Buffer.byteLength(hello);
    }
  });

  const requestListener = (req: IncomingMessage, res: http.ServerResponse) =>
    handleHttpRequest(req, res, stats, cluster, log);
  const httpServer = tls ? https.createServer({ cert: tls.cert, key: tls.key }, requestListener) : http.createServer(requestListener);
  // Without this an idle keep-alive connection holds shutdown up for 5 s.
  httpServer.keepAliveTimeout = 2000;

  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', onUpgradeSocketError);
    const refusal = refuseUpgrade(req);
    if (refusal) return refuse(socket, refusal);
    if (opts.maxConnections <= 0) return upgrade(req, socket, head);
    // A slot is held from admission until the TCP connection closes, whatever happens in between.
    Promise.resolve(cluster.admit()).then((admitted) => {
      if (!admitted) {
        return refuse(socket, { status: 503, reason: 'Service Unavailable', body: `connection limit ${opts.maxConnections} reached` });
      }
      socket.once('close', () => cluster.release());
      upgrade(req, socket, head);
    });
  });
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onUpgradeSocketError);
      wss.emit('connection', ws, req);
    });
  }
  function refuse(socket: Duplex, refusal: Refusal): void {
    stats.countRejected(refusal.status);
    writeRefusal(socket, refusal);
  }
  function onUpgradeSocketError(err: Error & { code?: string }): void {
    stats.countError(err.code ?? 'UNKNOWN');
  }

  function refuseUpgrade(req: IncomingMessage): Refusal | undefined {
    if (shuttingDown) return { status: 503, reason: 'Service Unavailable', body: 'server is shutting down' };
    if (opts.path !== undefined && requestPath(req.url) !== opts.path) {
      return { status: 404, reason: 'Not Found', body: `no WebSocket endpoint at ${requestPath(req.url)}` };
    }
    const version = req.headers['sec-websocket-version'];
    if (version !== undefined && !(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
      // RFC 6455 §4.2.2 / §4.4: 426 plus the versions we do speak.
      return {
        status: 426,
        reason: 'Upgrade Required',
        body: `unsupported Sec-WebSocket-Version ${version}`,
        headers: { 'Sec-WebSocket-Version': SUPPORTED_VERSIONS.join(', ') },
      };
    }
    return undefined;
  }

  const stopHeartbeat = opts.pingIntervalMs > 0 ? startHeartbeat(wss, opts.pingIntervalMs, stats) : () => {};

  async function shutdown(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    stopHeartbeat();
    const listenerClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    for (const ws of wss.clients) ws.close(1001, 'server shutting down');
    const deadline = Date.now() + opts.shutdownTimeoutMs;
    while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of wss.clients) ws.terminate();
    httpServer.closeAllConnections();
    await listenerClosed;
  }

  return { stats, httpServer, shutdown };
}

interface Refusal {
  status: number;
  reason: string;
  body: string;
  headers?: Record<string, string>;
}

function writeRefusal(socket: Duplex, r: Refusal): void {
  const extra = Object.entries(r.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const body = r.body + '\n';
  socket.end(
    `HTTP/1.1 ${r.status} ${r.reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
