import type { WebSocket } from 'ws';
import type { ServerStats } from './stats.js';
import type { Backpressure } from './backpressure.js';

/**
 * A peer may have this many of our pongs not yet written (a ping flood from a client that does not
 * read); one more ping ends it, counted as `ping-flood`. Set here rather than left to a library default.
 */
export const MAX_PENDING_AUTO_PONGS = 60;

/**
 * Answers pings ourselves (the server runs ws with `autoPong: false`), through ws's public `pong()`
 * and its write callback: ws's own automatic pong ends a flooding peer without saying so anywhere
 * public, so the count would need its private state. The rule is ws's: a ping that finds
 * MAX_PENDING_AUTO_PONGS pongs unwritten terminates the peer; pings after the close handshake
 * started get no pong.
 */
export function createAutoPong(stats: ServerStats, backpressure: Backpressure): (this: WebSocket, data: Buffer) => void {
  const unwritten = new WeakMap<WebSocket, number>();
  const written = (ws: WebSocket) => unwritten.set(ws, (unwritten.get(ws) ?? 1) - 1);
  return function onPing(this: WebSocket, data: Buffer): void {
    if (this.readyState !== this.OPEN) return;
    const pending = unwritten.get(this) ?? 0;
    if (pending >= MAX_PENDING_AUTO_PONGS) {
      stats.countTerminated('ping-flood');
      return this.terminate();
    }
    unwritten.set(this, pending + 1);
    this.pong(data, false, () => written(this));
    backpressure.afterSend(this);
  };
}
