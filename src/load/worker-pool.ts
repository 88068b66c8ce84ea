import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/logger.js';
import { WsbError } from '../core/errors.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerCounters } from './messages.js';

const WORKER_ENTRY = fileURLToPath(new URL('./worker/worker-main.js', import.meta.url));

type ResultMsg = Extract<FromWorker, { type: 'result' }>;
type IntervalMsg = Extract<FromWorker, { type: 'interval' }>;

/**
 * The load worker threads of this process and their latest reports. Interval histograms are queued
 * until the orchestrator's ticker drains them; counters are kept as the latest cumulative copy.
 */
export class WorkerPool {
  private readonly workers: Worker[];
  private readonly log: Logger;
  readonly latestCounters: (WorkerCounters | undefined)[];
  readonly latestIntervals: (IntervalMsg | undefined)[];
  private pendingRtt: string[] = [];
  private readonly waiters = new Map<string, { remaining: Set<number>; resolve: () => void }>();
  readonly results: (ResultMsg | undefined)[];
  readonly connectHists: string[] = [];
  readonly errors: string[] = [];

  constructor(configs: WorkerConfig[], log: Logger) {
    this.log = log;
    this.latestCounters = configs.map(() => undefined);
    this.latestIntervals = configs.map(() => undefined);
    this.results = configs.map(() => undefined);
    this.workers = configs.map((cfg, i) => {
      const w = new Worker(WORKER_ENTRY, { workerData: cfg });
      w.on('message', (msg: FromWorker) => this.onMessage(i, msg));
      w.on('error', (err) => this.onWorkerGone(i, `worker ${i} crashed: ${err.stack ?? err.message}`));
      w.on('exit', (code) => {
        if (!this.results[i]) this.onWorkerGone(i, `worker ${i} exited (code ${code}) before reporting`);
      });
      return w;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  broadcast(msg: ToWorker): void {
    for (const w of this.workers) w.postMessage(msg);
  }

  /** Resolves when every worker has sent a message of this type (or is gone). */
  waitAll(type: 'ready' | 'ramp-done' | 'result'): Promise<void> {
    const remaining = new Set(this.workers.map((_, i) => i).filter((i) => !this.has(type, i)));
    if (remaining.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(type, { remaining, resolve }));
  }

  /** Interval RTT histograms received since the last call. */
  drainIntervalRtt(): string[] {
    const out = this.pendingRtt;
    this.pendingRtt = [];
    return out;
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private readonly seen = new Map<string, Set<number>>();
  private has(type: string, i: number): boolean {
    return this.seen.get(type)?.has(i) ?? false;
  }

  private arrived(type: string, i: number): void {
    let set = this.seen.get(type);
    if (!set) this.seen.set(type, (set = new Set()));
    set.add(i);
    const waiter = this.waiters.get(type);
    if (waiter) {
      waiter.remaining.delete(i);
      if (waiter.remaining.size === 0) {
        this.waiters.delete(type);
        waiter.resolve();
      }
    }
  }

  private onMessage(i: number, msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        break;
      case 'ramp-done':
        this.latestCounters[i] = msg.counters;
        this.connectHists[i] = msg.connectHist;
        break;
      case 'interval':
        this.latestCounters[i] = msg.counters;
        this.latestIntervals[i] = msg;
        this.pendingRtt.push(msg.rttHist);
        break;
      case 'result':
        this.latestCounters[i] = msg.counters;
        this.results[i] = msg;
        break;
      case 'fatal':
        this.onWorkerGone(i, `worker ${i} failed: ${msg.message}`);
        return;
    }
    this.arrived(msg.type, i);
  }

  /** A worker that dies stops counting towards every wait, so the run ends instead of hanging. */
  private onWorkerGone(i: number, message: string): void {
    if (this.errors.includes(message)) return;
    this.errors.push(message);
    this.log.error({ worker: i }, message);
    for (const type of ['ready', 'ramp-done', 'result']) this.arrived(type, i);
  }
}

export function requireAllReady(pool: WorkerPool): void {
  if (pool.errors.length > 0) throw new WsbError('WSB_ERR_INTERNAL', `load workers failed to start: ${pool.errors[0]}`);
}
