import { performance } from 'node:perf_hooks';

/**
 * Monotonic microseconds since this thread's time origin, as an integer.
 * Latency is always taken and subtracted in the same thread with this clock (never Date.now()).
 */
export function nowUs(): number {
  return Math.round(performance.now() * 1000);
}

/**
 * Wall-clock milliseconds with sub-millisecond precision that agree across worker threads
 * (timeOrigin is per thread, the sum is not). Used only to line up phase boundaries between threads.
 */
export function sharedNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Converts a shared wall-clock instant into this thread's monotonic microseconds. */
export function sharedMsToLocalUs(sharedMs: number): number {
  return Math.round((sharedMs - performance.timeOrigin) * 1000);
}

/**
 * Where this thread's performance.now() is zero, in µs of the system's monotonic clock
 * (CLOCK_MONOTONIC, through hrtime): the same clock in every thread and process of one host.
 * nowUs() + monotonicOriginUs() is that clock's reading, comparable across processes on this host.
 */
export function monotonicOriginUs(): number {
  // hrtime read between two performance.now() reads; the pair closest together wins, so a thread
  // preempted between the reads (milliseconds on a busy host, seen) cannot skew the origin.
  let closest = Number.POSITIVE_INFINITY;
  let origin = 0;
  for (let i = 0; i < 8; i++) {
    const before = performance.now();
    const hr = process.hrtime.bigint();
    const after = performance.now();
    if (after - before < closest) {
      closest = after - before;
      origin = Number(hr / 1000n) - ((before + after) / 2) * 1000;
    }
  }
  return origin;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
