import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Coarse enough to wake the loop rarely (50/s), fine enough to see a stall of a few ms. */
const RESOLUTION_MS = 20;
/** The monitor records the whole timer period, so an idle loop reads ~20 ms: subtract it. */
const RESOLUTION_US = RESOLUTION_MS * 1000;

/**
 * Event-loop delay of the current thread: the load generator's self-check. A busy loop delays
 * sends and replies alike, so a high figure means the client, not the server, set the latency.
 */
export class LoopHealth {
  private readonly monitor: IntervalHistogram;

  constructor() {
    this.monitor = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.monitor.enable();
  }

  /** p99 and max delay since the last reset, in µs (the monitor counts in ns). */
  read(): { p99Us: number; maxUs: number } {
    if (this.monitor.count === 0) return { p99Us: 0, maxUs: 0 };
    const excess = (ns: number) => Math.max(0, Math.round(ns / 1000) - RESOLUTION_US);
    return { p99Us: excess(this.monitor.percentile(99)), maxUs: excess(this.monitor.max) };
  }

  reset(): void {
    this.monitor.reset();
  }

  stop(): void {
    this.monitor.disable();
  }
}
