import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import type { ServerStats } from './stats.js';
import type { AchievedDelay } from '../contract/reply-delay.js';
import type { ServerLimits } from './options.js';
import { HEALTHZ_PATH, METRICS_PATH, PONG_ROUTES, type HttpAnswer } from '../contract/pong-routes.js';

/** What the whole server looks like from one process: itself alone, or a cluster worker asking the primary. */
export interface ClusterView {
  readonly workers: number;
  /** The pid users know the server by (the cluster primary, or this process). */
  readonly serverPid: number;
  /** Prometheus text and total open connections, summed over every process of the server. */
  snapshot(local: ServerStats): Promise<{ metricsText: string; contentType: string; connections: number }>;
  /** Takes one of the whole server's --max-connections slots, if any is free. */
  admit(): boolean | Promise<boolean>;
  /** Gives a slot back (its TCP connection closed). */
  release(): void;
  /** Broadcast: hands a message this process fanned out to the other workers (no-op with one process). */
  relay(data: Buffer): void;
  /** Broadcast: messages other workers fanned out, for this process's clients. */
  onRelay(listener: (data: Buffer) => void): void;
}

/**
 * Plain HTTP on the WebSocket port, from the routes table (src/contract/pong-routes.ts): /healthz
 * and /metrics for operators, 426 for any other GET (a browser or curl pointed at the WebSocket URL
 * learns it needs an upgrade), 405 otherwise.
 */
export function handleHttpRequest(
  req: IncomingMessage,
  res: ServerResponse,
  stats: ServerStats,
  cluster: ClusterView,
  server: { limits: ServerLimits; replyDelayMs: number; replyDelayAchieved: () => AchievedDelay | null },
  log: Logger,
): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    stats.countHttpRejected(405);
    return send(res, PONG_ROUTES.methodNotAllowed());
  }
  if (path === HEALTHZ_PATH || path === METRICS_PATH) {
    cluster
      .snapshot(stats)
      .then((snap) => {
        if (path === METRICS_PATH) return send(res, PONG_ROUTES.metrics(snap.contentType, snap.metricsText));
        send(
          res,
          PONG_ROUTES.healthz({
            status: 'ok',
            runtime: 'node',
            pid: cluster.serverPid,
            workerPid: process.pid,
            workers: cluster.workers,
            connections: snap.connections,
            replyDelayMs: server.replyDelayMs,
            replyDelayAchieved: server.replyDelayAchieved(),
            limits: server.limits,
          }),
        );
      })
      .catch((err: Error) => {
        log.warn({ err: err.message, path }, 'could not collect server stats');
        stats.countHttpRejected(503);
        send(res, PONG_ROUTES.statsUnavailable(err.message));
      });
    return;
  }
  stats.countHttpRejected(426);
  // RFC 9110 §7.8: an Upgrade header needs "upgrade" in Connection. Setting Connection overrides
  // Node's own keep-alive decision, so a client's "close" (or HTTP/1.0) must be carried over.
  const answer = PONG_ROUTES.notAnUpgrade();
  send(res, { ...answer, headers: { ...answer.headers, Connection: wantsClose(req) ? 'Upgrade, close' : 'Upgrade' } });
}

function wantsClose(req: IncomingMessage): boolean {
  const tokens = (req.headers.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
  if (tokens.includes('close')) return true;
  return req.httpVersionMajor === 1 && req.httpVersionMinor === 0 && !tokens.includes('keep-alive');
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}
