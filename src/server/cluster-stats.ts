import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { PrimaryToWorker, WorkerToPrimary } from './cluster-messages.js';

/** How long the primary waits for every worker's part of a whole-server snapshot. */
const STATS_TIMEOUT_MS = 2000;

type StatsPart = Extract<WorkerToPrimary, { type: 'wsb:stats-part' }>;

export interface ServerSnapshot {
  metricsText: string;
  contentType: string;
  connections: number;
}

/**
 * Whole-server figures for /metrics and /healthz: the primary asks every live worker for its
 * registry and sums the answers (prom-client's aggregator); a worker that does not answer within
 * STATS_TIMEOUT_MS is left out.
 */
export class ClusterStats {
  private nextId = 1;
  private readonly pending = new Map<number, { parts: StatsPart[]; expected: number; done: () => void }>();

  constructor(
    private readonly liveWorkers: () => Worker[],
    private readonly send: (worker: Worker, msg: PrimaryToWorker) => void,
  ) {}

  /** A worker's part of a snapshot arrived. */
  onPart(part: StatsPart): void {
    const p = this.pending.get(part.id);
    if (!p) return;
    p.parts.push(part);
    if (p.parts.length >= p.expected) p.done();
  }

  async collect(): Promise<ServerSnapshot> {
    const workers = this.liveWorkers();
    const id = this.nextId++;
    const parts: StatsPart[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STATS_TIMEOUT_MS);
      this.pending.set(id, { parts, expected: workers.length, done: () => (clearTimeout(timer), resolve()) });
      for (const w of workers) this.send(w, { type: 'wsb:stats-collect', id });
    });
    this.pending.delete(id);
    const aggregated = AggregatorRegistry.aggregate(parts.map((p) => p.metrics));
    return {
      metricsText: await aggregated.metrics(),
      contentType: aggregated.contentType,
      connections: parts.reduce((sum, p) => sum + p.connections, 0),
    };
  }
}
