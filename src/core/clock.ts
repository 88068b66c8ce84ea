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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
