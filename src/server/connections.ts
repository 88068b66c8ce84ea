import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer, RawData } from 'ws';
import type { Logger } from '../core/logger.js';
import { greeting, requestPath } from '../contract/pong.js';
import { CLOSE_NOT_READING } from '../contract/pong-routes.js';
import type { ServerStats } from './stats.js';
import type { Backpressure } from './backpressure.js';

export interface ConnectionContext {
  stats: ServerStats;
  backpressure: Backpressure;
  log: Logger;
  /** --mode pong: greet each connection with the seed's greeting. */
  greet: boolean;
  onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  onPing: (this: WebSocket, data: Buffer) => void;
}

/**
 * Each open connection: counted, given the shared listeners (created once per server, no closure
 * per connection), and greeted in pong mode.
 */
export function serveConnections(wss: WebSocketServer, ctx: ConnectionContext): void {
  const { stats, backpressure, log } = ctx;
  function onClose(this: WebSocket, code: number): void {
    stats.connectionsCurrent--;
    // Closed by the send-buffer limit: the server sent 1008 (the peer never read it, so ws says 1006).
    stats.countClose(backpressure.forget(this) ? CLOSE_NOT_READING : code);
    log.debug({ code }, 'Connection closed');
  }
  function onError(this: WebSocket, err: Error & { code?: string }): void {
    // Protocol violations (ws closes with 1002/1007/1009 itself) and resets: counted, never thrown.
    stats.countError(err.code ?? 'UNKNOWN');
  }

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    stats.connectionsCurrent++;
    stats.connectionsTotal++;
    ws.on('message', ctx.onMessage);
    ws.on('ping', ctx.onPing);
    ws.on('close', onClose);
    ws.on('error', onError);
    if (ctx.greet) {
      const hello = greeting(requestPath(req.url));
      ws.send(hello);
      stats.messagesOut++;
      stats.bytesOut += Buffer.byteLength(hello);
      backpressure.afterSend(ws);
    }
  });
}
