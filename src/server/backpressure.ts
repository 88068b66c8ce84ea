import { CLOSES } from '../contract/pong-routes.js';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ServerStats } from './stats.js';

/** Per-connection send-buffer limit: what `onSent` needs and what the server shuts down. */
export interface Backpressure {
  /** Registers the TCP socket under `ws` (its 'drain' is what resumes reading). */
  track(ws: WebSocket, socket: Duplex): void;
  /** Call after sending on `ws`: pauses reading from it when its unsent bytes pass the limit. */
  afterSend(ws: WebSocket): void;
  /** The connection closed: forget it. Returns true when this module closed it (count 1008). */
  forget(ws: WebSocket): boolean;
  stop(): void;
}

/**
 * Without this a client that sends and never reads makes the server queue every reply in memory
 * (hundreds of MB per second with 60 KB messages, until the process dies). Past `limitBytes` of
 * unsent data the server stops reading from that client, so its own sends block in its kernel
 * buffers instead of ours; reading resumes when the socket drains. A connection paused for longer
 * than `timeoutMs` is closed with 1008 and counted, freeing what it holds (0: never closed).
 *
 * Once paused, a connection can only add what ws had already read from the socket (bounded by
 * one read chunk), so one byte limit plus a time limit bound the memory per connection.
 * One sweep timer per process; per-connection state only while a connection is paused.
 */
export function createBackpressure(limitBytes: number, timeoutMs: number, stats: ServerStats): Backpressure {
  const socketOf = new WeakMap<WebSocket, Duplex>();
  const ownerOf = new WeakMap<Duplex, WebSocket>();
  /** Paused connections → when they were paused (ms since the epoch; only compared with itself). */
  const pausedSince = new Map<WebSocket, number>();
  const closedByUs = new WeakSet<WebSocket>();

  function resumeIfDrained(this: Duplex): void {
    const ws = ownerOf.get(this);
    if (!ws || !pausedSince.has(ws)) return;
    // ws may still hold bytes of its own (permessage-deflate queue): wait for the next drain.
    if (ws.bufferedAmount > limitBytes) return void this.once('drain', resumeIfDrained);
    pausedSince.delete(ws);
    stats.connectionsPaused--;
    ws.resume();
  }

  const sweepEveryMs = timeoutMs === 0 ? 1000 : Math.min(1000, Math.max(20, Math.floor(timeoutMs / 4)));
  const timer = setInterval(() => {
    if (pausedSince.size === 0) return;
    const now = Date.now();
    for (const [ws, since] of pausedSince) {
      const socket = socketOf.get(ws);
      // A drain that came without a 'drain' event (bytes queued inside ws, not the socket).
      if (socket && ws.bufferedAmount <= limitBytes) {
        resumeIfDrained.call(socket);
        continue;
      }
      if (timeoutMs === 0 || now - since < timeoutMs) continue;
      pausedSince.delete(ws);
      stats.connectionsPaused--;
      stats.countTerminated('send-buffer');
      closedByUs.add(ws);
      // The close frame is queued behind replies the peer does not read, so it would never
      // arrive: send it for a peer that reads later, then free the socket now.
      ws.close(CLOSES.notReading.code, CLOSES.notReading.reason);
      ws.terminate();
    }
  }, sweepEveryMs);
  timer.unref();

  return {
    track(ws, socket) {
      socketOf.set(ws, socket);
      ownerOf.set(socket, ws);
    },
    afterSend(ws) {
      if (ws.bufferedAmount <= limitBytes || pausedSince.has(ws) || ws.readyState !== ws.OPEN) return;
      const socket = socketOf.get(ws);
      if (!socket) return;
      pausedSince.set(ws, Date.now());
      stats.connectionsPaused++;
      stats.backpressurePauses++;
      ws.pause();
      socket.once('drain', resumeIfDrained);
    },
    forget(ws) {
      if (pausedSince.delete(ws)) stats.connectionsPaused--;
      return closedByUs.has(ws);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
