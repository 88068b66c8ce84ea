/**
 * The host floor's thread (host-floor.ts): sleeps on a futex to absolute deadlines, `ratePerSec` a
 * second, and records how late each wake-up comes. It does nothing else, so its lateness is the
 * host's: how late this machine lets an idle thread wake (scheduler, hypervisor steal, interrupts).
 * A wake-up k intervals late also missed the k deadlines before it; each counts with its own
 * lateness (expected-interval correction, as HdrHistogram's recordValueWithExpectedInterval), so a
 * 200 ms stall weighs as every deadline it swallowed, not as one sample.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { BucketRecorder } from './bucket-recorder.js';

export interface HostFloorThreadData {
  ratePerSec: number;
  /** [0]: 1 = stop. Waited on, so a stop wakes the thread at once. */
  control: SharedArrayBuffer;
  /** [windowStartMs, windowEndMs] on the shared wall clock (performance.timeOrigin + now). */
  window: SharedArrayBuffer;
}

/** How often the thread ships what it recorded (the live views read the floor so far). */
const REPORT_EVERY_MS = 1000;

function run(data: HostFloorThreadData): void {
  const control = new Int32Array(data.control);
  const window = new Float64Array(data.window);
  const intervalMs = 1000 / data.ratePerSec;
  const recorder = new BucketRecorder();
  const origin = performance.timeOrigin;
  let deadline = performance.now() + intervalMs;
  let nextReport = performance.now() + REPORT_EVERY_MS;
  while (Atomics.load(control, 0) === 0) {
    const waitMs = deadline - performance.now();
    if (waitMs > 0) Atomics.wait(control, 0, 0, waitMs);
    const now = performance.now();
    if (now < deadline) continue;
    const lateMs = now - deadline;
    const atMs = origin + deadline;
    if (atMs >= window[0] && atMs < window[1]) {
      recorder.record(lateMs * 1000);
      for (let missed = lateMs - intervalMs; missed > 0; missed -= intervalMs) recorder.record(missed * 1000);
    }
    deadline += intervalMs * (1 + Math.floor(lateMs / intervalMs));
    if (now >= nextReport) {
      parentPort!.postMessage(recorder.growthSinceLastCall());
      nextReport = now + REPORT_EVERY_MS;
    }
  }
  parentPort!.postMessage(recorder.growthSinceLastCall());
}

run(workerData as HostFloorThreadData);
