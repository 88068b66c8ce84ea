/**
 * The host's floor, recorded beside every run: how late this machine wakes an idle thread
 * (host-floor-thread.ts), over the measured window. No client-side figure can be finer than it:
 * a reply is read by a thread that must wake, and a tail difference smaller than the floor's tail
 * may be the host's, not the server's. One thread per run, in the orchestrating process (the load
 * processes it starts share the host).
 */
import { Worker } from 'node:worker_threads';
import { BucketRecorder, type ValueCounts } from './bucket-recorder.js';
import type { HostFloorThreadData } from './host-floor-thread.js';

/**
 * Deadlines per second. Each wake-up of an idle thread costs tens of µs of CPU on a small VM: at
 * 1 000 a second the thread cost 1.19× the client CPU per round trip at 10 000 clients (and doubled
 * the load process's wake-ups); at 100 its cost is within the noise (docs/measurement.md, both
 * measured with load-client-cost --variant-env WSBENCH_HOST_FLOOR=off). What it measures is the
 * lateness of each wake, not the deadlines' density: 100 a second give 1 000 samples in a 10 s window,
 * and expected-interval correction still counts a stall as every deadline it swallowed.
 */
export const HOST_FLOOR_RATE_PER_SEC = 100;

const STOP_TIMEOUT_MS = 2000;

export class HostFloor {
  readonly ratePerSec: number;
  private readonly control = new SharedArrayBuffer(4);
  private readonly window = new SharedArrayBuffer(16);
  private readonly recorder = new BucketRecorder();
  private readonly thread: Worker;
  private exited = false;

  constructor(ratePerSec = HOST_FLOOR_RATE_PER_SEC) {
    this.ratePerSec = ratePerSec;
    new Float64Array(this.window).fill(Number.POSITIVE_INFINITY);
    const data: HostFloorThreadData = { ratePerSec, control: this.control, window: this.window };
    this.thread = new Worker(new URL('./host-floor-thread.js', import.meta.url), { workerData: data });
    this.thread.on('message', (vc: ValueCounts) => this.recorder.addValueCounts(vc));
    // The floor is a side measurement: if its thread fails, the run goes on and records no floor.
    this.thread.on('error', () => (this.exited = true));
    this.thread.on('exit', () => (this.exited = true));
    this.thread.unref();
  }

  /** The measured window on the shared wall clock (sharedNowMs): only its deadlines are recorded. */
  setWindow(startMs: number, endMs: number): void {
    const w = new Float64Array(this.window);
    w[0] = startMs;
    w[1] = endMs;
  }

  /** p50, p99 and p99.9 so far (µs), null before any deadline of the window passed. */
  soFar(): { p50Us: number; p99Us: number; p999Us: number } | null {
    if (this.recorder.count === 0) return null;
    const [p50Us, p99Us, p999Us] = this.recorder.percentiles([50, 99, 99.9]);
    return { p50Us, p99Us, p999Us };
  }

  /** Stops the thread and returns everything it recorded (null when it recorded nothing). */
  async stop(): Promise<ValueCounts | null> {
    if (!this.exited) {
      const control = new Int32Array(this.control);
      Atomics.store(control, 0, 1);
      Atomics.notify(control, 0);
      const exited = new Promise<void>((resolve) => this.thread.once('exit', () => resolve()));
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
      if (!this.exited) await this.thread.terminate();
    }
    return this.recorder.count > 0 ? this.recorder.valueCounts() : null;
  }
}
