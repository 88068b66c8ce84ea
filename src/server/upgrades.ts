import type http from 'node:http';
import type https from 'node:https';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { requestPath } from '../contract/pong.js';
import { PONG_ROUTES, refuseUpgrade, type HttpAnswer } from '../contract/pong-routes.js';
import type { ServeOptions } from './options.js';
import type { ServerStats } from './stats.js';
import type { ClusterView } from './http-routes.js';
import type { Backpressure } from './backpressure.js';
import { writeRefusal } from './raw-refusal.js';

export interface UpgradeContext {
  opts: Pick<ServeOptions, 'path' | 'maxConnections'>;
  wss: WebSocketServer;
  stats: ServerStats;
  cluster: ClusterView;
  backpressure: Backpressure;
  isShuttingDown(): boolean;
}

/**
 * Upgrade requests: refused from the routes table (shutting down, off --path, unknown version),
 * then admitted against --max-connections (whole server, through the cluster view), then handed to
 * ws. Resets on the way are counted by phase: `handshake` before the 101, `open` after it.
 */
export function acceptUpgrades(httpServer: http.Server | https.Server, ctx: UpgradeContext): void {
  const { opts, wss, stats, cluster, backpressure } = ctx;

  function refuse(socket: Duplex, refusal: HttpAnswer): void {
    stats.countRejected(refusal.status);
    writeRefusal(socket, refusal);
  }
  function onUpgradeSocketError(err: Error & { code?: string }): void {
    if (err.code === 'ECONNRESET') stats.countReset('handshake');
    stats.countError(err.code ?? 'UNKNOWN');
  }
  /** After the 101: ws destroys the socket on a reset without telling anyone, so count it here. */
  function onOpenSocketError(this: Duplex, err: Error & { code?: string }): void {
    if (err.code === 'ECONNRESET') stats.countReset('open');
    stats.countError(err.code ?? 'UNKNOWN');
  }
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      socket.off('error', onUpgradeSocketError);
      socket.on('error', onOpenSocketError);
      backpressure.track(ws, socket);
      wss.emit('connection', ws, req);
    });
  }
  function admitThenUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A slot is held from admission until the TCP connection closes, whatever happens in between.
    void Promise.resolve(cluster.admit()).then((admitted) => {
      if (!admitted) return refuse(socket, PONG_ROUTES.connectionLimit(opts.maxConnections));
      // The peer may have gone while a worker waited for the primary's answer: its 'close' has
      // fired already and would never give the slot back.
      if (socket.destroyed) return cluster.release();
      socket.once('close', () => cluster.release());
      upgrade(req, socket, head);
    });
  }

  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', onUpgradeSocketError);
    const version = req.headers['sec-websocket-version'];
    const refusal = refuseUpgrade(ctx.isShuttingDown(), opts.path, requestPath(req.url), Array.isArray(version) ? version.join(', ') : version);
    if (refusal) return refuse(socket, refusal);
    if (opts.maxConnections <= 0) return upgrade(req, socket, head);
    admitThenUpgrade(req, socket, head);
  });

  // Handshakes ws itself refuses (missing key, bad headers): counted, and answered from the table.
  wss.on('wsClientError', (err: Error & { code?: string }, socket: Duplex) => {
    stats.countError(err.code ?? 'WS_HANDSHAKE_ERROR');
    stats.countRejected(400);
    if (!socket.writable) return void socket.destroy();
    socket.once('finish', () => socket.destroy());
    writeRefusal(socket, PONG_ROUTES.badHandshake(err.message));
  });
}
