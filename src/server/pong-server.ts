import type http from 'node:http';
import type https from 'node:https';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket, type RawData, type ServerOptions } from 'ws';
import type { Logger } from '../core/logger.js';
import { CLOSE_NOT_READING, greeting, pickSubprotocol, requestPath, SUPPORTED_VERSIONS, WORKER_PID_HEADER } from '../contract/pong.js';
import { PONG_PREFIX_BYTES } from '../protocol/pong.js';
import { ServerStats } from './stats.js';
import { limitsOf, type ServeOptions } from './options.js';
import { handleHttpRequest, type ClusterView } from './http-routes.js';
import { startHeartbeat } from './heartbeat.js';
import { createBackpressure } from './backpressure.js';
import { createHttpServer } from './http-server.js';
import { FD_RESERVE } from '../core/defaults.js';

/**
 * ws terminates a peer with this many automatic pongs not yet written (a ping flood from a client
 * that does not read). Set here rather than left to the library default; counted as `ping-flood`.
 */
const MAX_PENDING_AUTO_PONGS = 60;

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
export function createPongServer(opts: ServeOptions, tls: { cert: Buffer; key: Buffer } | undefined, cluster: ClusterView, log: Logger): PongServer {
  const stats = new ServerStats();
  let shuttingDown = false;

  // @types/ws does not list maxPendingAutoPongs (ws 8.18+); a typed variable skips the excess-property check.
  const wsOptions: ServerOptions & { maxPendingAutoPongs: number } = {
    noServer: true,
    // Library defaults are never left unexamined: 100 MiB maxPayload would let one client eat memory.
    maxPayload: opts.maxPayloadBytes,
    perMessageDeflate: opts.deflate,
    clientTracking: true,
    maxPendingAutoPongs: MAX_PENDING_AUTO_PONGS,
    handleProtocols: (offered) => pickSubprotocol(offered, opts.protocols),
  };
  const wss = new WebSocketServer(wsOptions);
  wss.on('headers', (headers) => {
    headers.push(`${WORKER_PID_HEADER}: ${process.pid}`);
  });
  // Handshakes ws itself refuses (missing key, bad headers): count them; ws writes the answer.
  wss.on('wsClientError', (err: Error & { code?: string }, socket: Duplex) => {
    stats.countError(err.code ?? 'WS_HANDSHAKE_ERROR');
    stats.countRejected(400);
    if (!socket.writable) return void socket.destroy();
    socket.once('finish', () => socket.destroy());
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  const backpressure = createBackpressure(opts.maxSendBufferBytes, opts.sendBufferTimeoutMs, stats);

  // Hot-path listeners: created once per server and shared by every socket (no closure per connection).
  const pong = opts.mode === 'pong' && opts.format === 'plain';
  const broadcast = opts.mode === 'broadcast' && opts.format === 'plain';
  const shootout = opts.format === 'shootout';

  /** Sends a text message to every open connection of this process (the fan-out of a broadcast). */
  function sendToAll(data: Buffer): void {
    for (const client of wss.clients) {
      if (client.readyState !== client.OPEN) continue;
      client.send(data, { binary: false });
      stats.messagesOut++;
      stats.bytesOut += data.length;
      backpressure.afterSend(client);
    }
  }
  // Other workers' broadcasts reach this worker's clients through the primary (cluster-primary.ts).
  cluster.onRelay(sendToAll);
  function fanOut(data: Buffer): void {
    sendToAll(data);
    if (cluster.workers > 1) cluster.relay(data);
  }

  /**
   * The websocket-shootout protocol: `{"type":"echo",…}` comes back unchanged; `{"type":"broadcast",
   * "payload":p}` goes to every client as `{"type":"broadcast","payload":p}`, and the sender also
   * gets `{"type":"broadcastResult","payload":p}`. Anything else is counted and ignored.
   */
  function onShootoutMessage(ws: WebSocket, buf: Buffer): void {
    let msg: { type?: unknown; payload?: unknown };
    try {
      msg = JSON.parse(buf.toString('utf8')) as typeof msg;
    } catch {
      return stats.countError('SHOOTOUT_NOT_JSON');
    }
    if (msg.type === 'echo') {
      ws.send(buf, { binary: false });
      stats.messagesOut++;
      stats.bytesOut += buf.length;
      return backpressure.afterSend(ws);
    }
    if (msg.type !== 'broadcast') return stats.countError('SHOOTOUT_UNKNOWN_TYPE');
    const payload = JSON.stringify(msg.payload ?? null);
    fanOut(Buffer.from(`{"type":"broadcast","payload":${payload}}`));
    const result = Buffer.from(`{"type":"broadcastResult","payload":${payload}}`);
    ws.send(result, { binary: false });
    stats.messagesOut++;
    stats.bytesOut += result.length;
    backpressure.afterSend(ws);
  }

  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const buf = data as Buffer;
    stats.messagesIn++;
    stats.bytesIn += buf.length;
    if (shootout && !isBinary) return onShootoutMessage(this, buf);
    if (broadcast && !isBinary) return fanOut(buf);
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
    backpressure.afterSend(this);
  }
  const pingFlooded = new WeakSet<WebSocket>();
  function onPing(this: WebSocket): void {
    if (this.readyState === this.OPEN) return backpressure.afterSend(this);
    // ws ended this peer on its own for too many unwritten automatic pongs; it says so nowhere but
    // in this private counter (checked on ws 8.23), so read it to count the termination.
    const pending = (this as unknown as { _pendingAutoPongs?: number })._pendingAutoPongs;
    if (pending !== undefined && pending >= MAX_PENDING_AUTO_PONGS && !pingFlooded.has(this)) {
      pingFlooded.add(this);
      stats.countTerminated('ping-flood');
    }
  }
  function onClose(this: WebSocket, code: number): void {
    stats.connectionsCurrent--;
    // Closed by the send-buffer limit: the server sent 1008 (the peer never read it, so ws says 1006).
    stats.countClose(backpressure.forget(this) ? CLOSE_NOT_READING : code);
    log.debug({ code }, 'Connection closed');
  }
  /** After the 101: ws destroys the socket on a reset without telling anyone, so count it here. */
  function onOpenSocketError(this: Duplex, err: Error & { code?: string }): void {
    if (err.code === 'ECONNRESET') stats.countReset('open');
    stats.countError(err.code ?? 'UNKNOWN');
  }
  function onError(this: WebSocket, err: Error & { code?: string }): void {
    // Protocol violations (ws closes with 1002/1007/1009 itself) and resets: counted, never thrown.
    stats.countError(err.code ?? 'UNKNOWN');
  }

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    stats.connectionsCurrent++;
    stats.connectionsTotal++;
    ws.on('message', onMessage);
    ws.on('ping', onPing);
    ws.on('close', onClose);
    ws.on('error', onError);
    if (pong) {
      const hello = greeting(requestPath(req.url));
      ws.send(hello);
      stats.messagesOut++;
      stats.bytesOut += Buffer.byteLength(hello);
      backpressure.afterSend(ws);
    }
  });

  const limits = limitsOf(opts);
  const requestListener = (req: IncomingMessage, res: http.ServerResponse) => handleHttpRequest(req, res, stats, cluster, limits, log);
  const httpServer = createHttpServer(tls, opts.handshakeTimeoutMs, stats, requestListener);
  let dropped = 0;
  httpServer.on('drop', () => {
    stats.countTerminated('open-file-limit');
    if (dropped++ === 0) {
      log.warn(
        { maxConnections: httpServer.maxConnections },
        `this process holds ${httpServer.maxConnections} connections (its open-file limit less ${FD_RESERVE}): further ones are closed at accept; use --workers to hold more`,
      );
    }
  });

  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', onUpgradeSocketError);
    const refusal = refuseUpgrade(req);
    if (refusal) return refuse(socket, refusal);
    if (opts.maxConnections <= 0) return upgrade(req, socket, head);
    // A slot is held from admission until the TCP connection closes, whatever happens in between.
    void Promise.resolve(cluster.admit()).then((admitted) => {
      if (!admitted) {
        return refuse(socket, { status: 503, reason: 'Service Unavailable', body: `connection limit ${opts.maxConnections} reached` });
      }
      // The peer may have gone while a worker waited for the primary's answer: its 'close' has
      // fired already and would never give the slot back.
      if (socket.destroyed) return cluster.release();
      socket.once('close', () => cluster.release());
      upgrade(req, socket, head);
    });
  });
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onUpgradeSocketError);
      socket.on('error', onOpenSocketError);
      backpressure.track(ws, socket);
      wss.emit('connection', ws, req);
    });
  }
  function refuse(socket: Duplex, refusal: Refusal): void {
    stats.countRejected(refusal.status);
    writeRefusal(socket, refusal);
  }
  function onUpgradeSocketError(err: Error & { code?: string }): void {
    if (err.code === 'ECONNRESET') stats.countReset('handshake');
    stats.countError(err.code ?? 'UNKNOWN');
  }

  function refuseUpgrade(req: IncomingMessage): Refusal | undefined {
    if (shuttingDown) return { status: 503, reason: 'Service Unavailable', body: 'server is shutting down' };
    if (opts.path !== undefined && requestPath(req.url) !== opts.path) {
      return { status: 404, reason: 'Not Found', body: `no WebSocket endpoint at ${requestPath(req.url)}` };
    }
    const version = req.headers['sec-websocket-version'];
    if (version !== undefined && !SUPPORTED_VERSIONS.includes(version)) {
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
    backpressure.stop();
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
