import type { Logger } from '../core/logger.js';
import type { ValueCounts } from '../metrics/bucket-recorder.js';
import { WsbError } from '../core/errors.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerCounters } from './messages.js';
import { processHost, threadHost, type HostEvents, type WorkerHost } from './worker-hosts.js';

type ResultMsg = Extract<FromWorker, { type: 'result' }>;
type IntervalMsg = Extract<FromWorker, { type: 'interval' }>;
type WaitType = 'ready' | 'ramp-done' | 'result';

/**
 * All load workers of a run, wherever they live (threads here, or threads in child processes), and
 * their latest reports by worker index. Interval histograms queue until the ticker drains them.
 */
export class WorkerPool {
  private readonly hosts: WorkerHost[];
  private readonly log: Logger;
  private readonly count: number;
  readonly latestCounters: (WorkerCounters | undefined)[];
  readonly latestIntervals: (IntervalMsg | undefined)[];
  readonly results: (ResultMsg | undefined)[];
  readonly errors: string[] = [];
  private pendingRtt: ValueCounts[] = [];
  private pendingSendLag: ValueCounts[] = [];
  private readonly seen = new Map<WaitType, Set<number>>();
  private readonly waiters = new Map<WaitType, () => void>();

  /** The configs are grouped by their slice's process; process 0 is this one. */
  constructor(configs: WorkerConfig[], log: Logger) {
    this.log = log;
    this.count = configs.length;
    this.latestCounters = configs.map(() => undefined);
    this.latestIntervals = configs.map(() => undefined);
    this.results = configs.map(() => undefined);
    const events: HostEvents = { message: (m) => this.onMessage(m), gone: (idx, reason) => this.onGone(idx, reason) };
    // Process 0's slices are worker threads of this process; the others' run in child processes.
    // This process has the file descriptors to spare, and one child fewer saves its ~60 MB of RSS
    // before any connection (the node binary's pages and a heap, measured) at 100 000 clients.
    const groups = new Map<number, WorkerConfig[]>();
    for (const c of configs) groups.set(c.slice.process, [...(groups.get(c.slice.process) ?? []), c]);
    this.hosts = [...groups].flatMap(([p, group]) => (p === 0 ? group.map((c) => threadHost(c, events)) : [processHost(group, events)]));
  }

  broadcast(msg: ToWorker): void {
    for (const h of this.hosts) h.post(msg);
  }

  /** Resolves when every worker has sent a message of this type (or is gone). */
  waitAll(type: WaitType): Promise<void> {
    if (this.countSeen(type) >= this.count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(type, resolve));
  }

  /** Interval RTT histograms received since the last call. */
  drainIntervalRtt(): ValueCounts[] {
    const out = this.pendingRtt;
    this.pendingRtt = [];
    return out;
  }

  /** Interval send-lag histograms (in-window sends) received since the last call. */
  drainIntervalSendLag(): ValueCounts[] {
    const out = this.pendingSendLag;
    this.pendingSendLag = [];
    return out;
  }

  async terminate(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.terminate()));
  }

  private countSeen(type: WaitType): number {
    return this.seen.get(type)?.size ?? 0;
  }

  private arrived(type: WaitType, i: number): void {
    let set = this.seen.get(type);
    if (!set) this.seen.set(type, (set = new Set()));
    set.add(i);
    if (set.size >= this.count) {
      const w = this.waiters.get(type);
      this.waiters.delete(type);
      w?.();
    }
  }

  private onMessage(msg: FromWorker): void {
    const i = msg.workerIndex;
    switch (msg.type) {
      case 'ready':
        break;
      case 'ramp-done':
        this.latestCounters[i] = msg.counters;
        break;
      case 'interval':
        this.latestCounters[i] = msg.counters;
        this.latestIntervals[i] = msg;
        this.pendingRtt.push(msg.rtt);
        if (msg.sendLag.length > 0) this.pendingSendLag.push(msg.sendLag);
        break;
      case 'result':
        this.latestCounters[i] = msg.counters;
        this.results[i] = msg;
        break;
      case 'fatal':
        this.onGone([i], `worker ${i} failed: ${msg.message}`);
        return;
    }
    if (msg.type !== 'interval') this.arrived(msg.type, i);
  }

  /** A worker that dies stops counting towards every wait, so the run ends instead of hanging. */
  private onGone(indexes: number[], reason: string): void {
    if (!this.errors.includes(reason)) {
      this.errors.push(reason);
      this.log.error({ workers: indexes }, reason);
    }
    for (const i of indexes) for (const type of ['ready', 'ramp-done', 'result'] as const) this.arrived(type, i);
  }
}

export function requireAllReady(pool: WorkerPool): void {
  if (pool.errors.length > 0) throw new WsbError('WSB_ERR_INTERNAL', `load workers failed to start: ${pool.errors[0]}`);
}
