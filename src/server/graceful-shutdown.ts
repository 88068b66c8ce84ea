import type http from 'node:http';
import type https from 'node:https';
import type { WebSocketServer } from 'ws';
import { CLOSES } from '../contract/pong-routes.js';

/**
 * Stops accepting, closes every connection with 1001, waits up to `timeoutMs` for the close
 * handshakes, then terminates what is left and resolves when the listener has closed.
 */
export async function closeGracefully(httpServer: http.Server | https.Server, wss: WebSocketServer, timeoutMs: number): Promise<void> {
  const listenerClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
  httpServer.closeIdleConnections();
  for (const ws of wss.clients) ws.close(CLOSES.goingAway.code, CLOSES.goingAway.reason);
  const deadline = Date.now() + timeoutMs;
  while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const ws of wss.clients) ws.terminate();
  httpServer.closeAllConnections();
  await listenerClosed;
}
