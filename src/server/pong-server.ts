import type http from 'node:http';
import type https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type ServerOptions } from 'ws';
import type { Logger } from '../core/logger.js';
import { pickSubprotocol, WORKER_PID_HEADER } from '../contract/pong.js';
import { ServerStats } from './stats.js';
import { limitsOf, type ServeOptions } from './options.js';
import { handleHttpRequest, type ClusterView } from './http-routes.js';
import { startHeartbeat } from './heartbeat.js';
import { createBackpressure, type Backpressure } from './backpressure.js';
import { createHttpServer } from './http-server.js';
import { createAutoPong } from './auto-pong.js';
import { createMessageHandler } from './message-handler.js';
import { acceptUpgrades } from './upgrades.js';
import { serveConnections } from './connections.js';
import { countOpenFileDrops } from './open-file-warning.js';
import { closeGracefully } from './graceful-shutdown.js';

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
 * Each step is a function of its own; this one only wires them together.
 */
export function createPongServer(opts: ServeOptions, tls: { cert: Buffer; key: Buffer } | undefined, cluster: ClusterView, log: Logger): PongServer {
  const stats = new ServerStats();
  let shuttingDown = false;
  const wss = createWebSocketServer(opts);
  const backpressure = createBackpressure(opts.maxSendBufferBytes, opts.sendBufferTimeoutMs, stats);
  const fanOut = broadcastFanOut(wss, cluster, stats, backpressure);
  const messages = createMessageHandler(opts, { stats, backpressure, fanOut });
  serveConnections(wss, {
    stats,
    backpressure,
    log,
    greet: opts.mode === 'pong' && opts.format === 'plain',
    onMessage: messages.onMessage,
    onPing: createAutoPong(stats, backpressure),
  });

  const server = { limits: limitsOf(opts), replyDelayMs: opts.replyDelayMs, replyDelayAchieved: () => messages.achieved() };
  const requestListener = (req: IncomingMessage, res: http.ServerResponse) => handleHttpRequest(req, res, stats, cluster, server, log);
  const httpServer = createHttpServer(tls, opts.handshakeTimeoutMs, stats, requestListener);
  countOpenFileDrops(httpServer, stats, log);
  acceptUpgrades(httpServer, { opts, wss, stats, cluster, backpressure, isShuttingDown: () => shuttingDown });
  const stopHeartbeat = opts.pingIntervalMs > 0 ? startHeartbeat(wss, opts.pingIntervalMs, stats) : () => {};

  async function shutdown(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    stopHeartbeat();
    backpressure.stop();
    messages.stop();
    await closeGracefully(httpServer, wss, opts.shutdownTimeoutMs);
  }
  return { stats, httpServer, shutdown };
}

/** ws in noServer mode, with every limit set by us and the worker's pid on each 101. */
function createWebSocketServer(opts: ServeOptions): WebSocketServer {
  const wsOptions: ServerOptions = {
    noServer: true,
    // Library defaults are never left unexamined: 100 MiB maxPayload would let one client eat memory.
    maxPayload: opts.maxPayloadBytes,
    perMessageDeflate: opts.deflate,
    clientTracking: true,
    // Pings are answered by auto-pong.ts, which counts the peers a ping flood ends.
    autoPong: false,
    handleProtocols: (offered) => pickSubprotocol(offered, opts.protocols),
  };
  const wss = new WebSocketServer(wsOptions);
  wss.on('headers', (headers) => {
    headers.push(`${WORKER_PID_HEADER}: ${process.pid}`);
  });
  return wss;
}

/**
 * --mode broadcast: sends a message to every open connection of this process, and hands it to the
 * other workers through the primary (cluster-primary.ts), whose relays reach this process's clients.
 */
function broadcastFanOut(wss: WebSocketServer, cluster: ClusterView, stats: ServerStats, backpressure: Backpressure): (data: Buffer) => void {
  function sendToAll(data: Buffer): void {
    for (const client of wss.clients) {
      if (client.readyState !== client.OPEN) continue;
      client.send(data, { binary: false });
      stats.messagesOut++;
      stats.bytesOut += data.length;
      backpressure.afterSend(client);
    }
  }
  cluster.onRelay(sendToAll);
  return (data) => {
    sendToAll(data);
    if (cluster.workers > 1) cluster.relay(data);
  };
}
