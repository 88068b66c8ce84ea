import type { ServeOptions } from './options.js';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** IPC between the cluster primary and its workers (a typed union, one message per request). */
export type WorkerToPrimary =
  | { type: 'wsb:fatal'; code: string; message: string; hint?: string }
  | { type: 'wsb:stats-req'; id: number }
  | { type: 'wsb:admit-req'; id: number }
  | { type: 'wsb:release' }
  /** Broadcast mode: a message to fan out on every other worker (text, as sent to clients). */
  | { type: 'wsb:broadcast'; data: string }
  | {
      type: 'wsb:stats-part';
      id: number;
      metrics: MetricObjectWithValues<MetricValue<string>>[];
      connections: number;
    };

export type PrimaryToWorker =
  | { type: 'wsb:shutdown' }
  | { type: 'wsb:broadcast'; data: string }
  | { type: 'wsb:stats-collect'; id: number }
  | { type: 'wsb:admit-res'; id: number; admitted: boolean }
  | { type: 'wsb:stats-res'; id: number; metricsText: string; contentType: string; connections: number; error?: string };

export function isWsbMessage(m: unknown): m is { type: string } {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('wsb:');
}

/** What a cluster worker is started with, through its environment (one name per field, here only). */
export interface ClusterWorkerStart {
  opts: ServeOptions;
  /** The pid users know the server by (the primary's). */
  serverPid: number;
  workers: number;
}

const ENV = { opts: 'WSBENCH_SERVE_OPTIONS', serverPid: 'WSBENCH_SERVER_PID', workers: 'WSBENCH_WORKERS' } as const;

export function clusterWorkerEnv(s: ClusterWorkerStart): Record<string, string> {
  return { [ENV.opts]: JSON.stringify(s.opts), [ENV.serverPid]: String(s.serverPid), [ENV.workers]: String(s.workers) };
}

export function readClusterWorkerEnv(env: Record<string, string | undefined>): ClusterWorkerStart {
  return { opts: JSON.parse(env[ENV.opts] ?? '{}') as ServeOptions, serverPid: Number(env[ENV.serverPid]), workers: Number(env[ENV.workers]) };
}
