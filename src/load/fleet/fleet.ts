import type { Logger } from '../../core/logger.js';
import type { ValueCounts } from '../../metrics/bucket-recorder.js';
import { WsbError } from '../../core/errors.js';
import { sumCounters, type FromWorker, type ToWorker, type WorkerConfig, type WorkerCounters } from '../worker/messages.js';
import { processHost, threadHost, type HostEvents, type WorkerHost } from './hosts.js';

type ResultMsg = Extract<FromWorker, { type: 'result' }>;
type IntervalMsg = Extract<FromWorker, { type: 'interval' }>;
/** Messages every worker sends once, that the orchestrator waits for. */
export type Milestone = 'ready' | 'ramp-done' | 'result';

/** What the orchestrator reads of the last interval reports, summed or maxed over the workers. */
export interface FleetSnapshot {
  totals: WorkerCounters;
  loopDelayP99Us: number;
  sendLagMaxUs: number;
}

/**
 * All load workers of a run, wherever they live (threads here, or threads in child processes),
 * behind one interface: commands go out with `broadcast`, milestones are awaited with `waitAll`
 * (any number of waiters), interval figures are read as a snapshot or drained, and results come
 * back once. Nothing mutable is handed out.
 */
export class Fleet {
  private readonly hosts: WorkerHost[];
  private readonly log: Logger;
  private readonly count: number;
  private readonly latestCounters: (WorkerCounters | undefined)[];
  private readonly latestIntervals: (IntervalMsg | undefined)[];
  private readonly resultByWorker: (ResultMsg | undefined)[];
  private readonly errorList: string[] = [];
  private pendingRtt: ValueCounts[] = [];
  private pendingLatency: ValueCounts[] = [];
  private pendingSendLag: ValueCounts[] = [];
  private pendingWindowRtt: ValueCounts[] = [];
  private pendingWindowRttRaw: ValueCounts[] = [];
  private readonly seen = new Map<Milestone, Set<number>>();
  private readonly waiters = new Map<Milestone, (() => void)[]>();
  private onFailure: () => void = () => {};
  /** Resolves when the first worker fails or goes away: the run stops there instead of running on without it. */
  readonly failed = new Promise<void>((resolve) => (this.onFailure = resolve));

  /** The configs are grouped by their slice's process; process 0 is this one. */
  constructor(configs: WorkerConfig[], log: Logger) {
    this.log = log;
    this.count = configs.length;
    this.latestCounters = configs.map(() => undefined);
    this.latestIntervals = configs.map(() => undefined);
    this.resultByWorker = configs.map(() => undefined);
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

  /** Resolves when every worker has sent this milestone (or is gone). */
  waitAll(type: Milestone): Promise<void> {
    if (this.countSeen(type) >= this.count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(type, [...(this.waiters.get(type) ?? []), resolve]));
  }

  /** The workers' latest counters summed, and the worst loop delay and send lag of their last reports. */
  snapshot(): FleetSnapshot {
    const totals = sumCounters(this.latestCounters);
    const intervals = this.latestIntervals.filter((m) => m !== undefined);
    return {
      totals,
      loopDelayP99Us: Math.max(0, ...intervals.map((m) => m.loopDelayP99Us)),
      sendLagMaxUs: Math.max(0, ...intervals.map((m) => m.sendLagMaxUs)),
    };
  }

  /**
   * Interval histograms received since the last call: RTT of replies, send lag of in-window sends,
   * and (live metrics only) the window's corrected and raw RTT.
   */
  drainIntervals(): { rtt: ValueCounts[]; latency: ValueCounts[]; sendLag: ValueCounts[]; windowRtt: ValueCounts[]; windowRttRaw: ValueCounts[] } {
    const out = {
      rtt: this.pendingRtt,
      latency: this.pendingLatency,
      sendLag: this.pendingSendLag,
      windowRtt: this.pendingWindowRtt,
      windowRttRaw: this.pendingWindowRttRaw,
    };
    this.pendingRtt = [];
    this.pendingLatency = [];
    this.pendingSendLag = [];
    this.pendingWindowRtt = [];
    this.pendingWindowRttRaw = [];
    return out;
  }

  /** The final reports of the workers that sent one. */
  results(): ResultMsg[] {
    return this.resultByWorker.filter((r) => r !== undefined);
  }

  /** Why workers failed or went away, once each. */
  errors(): string[] {
    return [...this.errorList];
  }

  /** Throws if a worker failed to start. */
  requireAllReady(): void {
    if (this.errorList.length > 0) throw new WsbError('WSB_ERR_INTERNAL', `load workers failed to start: ${this.errorList[0]}`);
  }

  async terminate(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.terminate()));
  }

  private countSeen(type: Milestone): number {
    return this.seen.get(type)?.size ?? 0;
  }

  private arrived(type: Milestone, i: number): void {
    let set = this.seen.get(type);
    if (!set) this.seen.set(type, (set = new Set()));
    set.add(i);
    if (set.size >= this.count) {
      const waiting = this.waiters.get(type) ?? [];
      this.waiters.delete(type);
      for (const w of waiting) w();
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
        this.pendingLatency.push(msg.latency);
        if (msg.sendLag.length > 0) this.pendingSendLag.push(msg.sendLag);
        if (msg.windowRtt.length > 0) this.pendingWindowRtt.push(msg.windowRtt);
        if (msg.windowRttRaw.length > 0) this.pendingWindowRttRaw.push(msg.windowRttRaw);
        break;
      case 'result':
        this.latestCounters[i] = msg.counters;
        this.resultByWorker[i] = msg;
        break;
      case 'failed':
        // Its result follows (worker-runtime.ts): it still counts towards the waits.
        this.log.debug({ workers: [i], stack: msg.stack }, 'load worker exception');
        this.recordError([i], `load worker ${i} failed: ${msg.message}`);
        return;
      case 'fatal':
        this.onGone([i], `worker ${i} failed: ${msg.message}`);
        return;
    }
    if (msg.type !== 'interval') this.arrived(msg.type, i);
  }

  private recordError(indexes: number[], reason: string): void {
    if (!this.errorList.includes(reason)) {
      this.errorList.push(reason);
      this.log.error({ workers: indexes }, reason);
    }
    this.onFailure();
  }

  /** A worker that dies stops counting towards every wait, so the run ends instead of hanging. */
  private onGone(indexes: number[], reason: string): void {
    this.recordError(indexes, reason);
    for (const i of indexes) for (const type of ['ready', 'ramp-done', 'result'] as const) this.arrived(type, i);
  }
}
