import type { WebSocket, WebSocketServer } from 'ws';
import type { ServerStats } from './stats.js';

const alive = new WeakSet<WebSocket>();

function onPong(this: WebSocket): void {
  alive.add(this);
}

/**
 * One timer per process: ping every peer each interval; a peer that has not answered the previous
 * ping is terminated (dead TCP connections otherwise hold memory and file descriptors forever).
 */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number, stats: ServerStats): () => void {
  wss.on('connection', (ws: WebSocket) => {
    alive.add(ws);
    ws.on('pong', onPong);
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        stats.countError('HEARTBEAT_TIMEOUT');
        stats.countTerminated('heartbeat');
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
