/**
 * The portable send clock (send-clock.ts picks the timerfd one on Linux when it is built).
 *
 * Why not setTimeout alone: Node truncates timeouts to whole milliseconds and libuv fires timers
 * against a millisecond loop clock, so a timer armed for an instant inside a millisecond fires
 * 0–1 ms after it (median ~0.6 ms, measured; bench/send-timer.js). Every send then carried that
 * lateness in the corrected latency. Node has no sub-millisecond timer, but Atomics.wait sleeps on a
 * futex with a microsecond deadline. So a tiny clock thread (no I/O, a few MB) sleeps until the
 * instant the sender asked for and then notifies it; the sender waits with Atomics.waitAsync,
 * whose resolution wakes its event loop like any other event. One clock thread per sender, one
 * pending wake-up at a time: it replaces the sender's one re-armed timer, nothing per message.
 *
 * The clock thread sleeps until a little before the instant (the kernel's timer slack, 50 µs by
 * default, makes futex deadlines late, never early) and spins the rest, so that the wake-up leaves
 * it on time; what remains is the hand-over to the sender's event loop (tens of µs when it is idle).
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { monotonicOriginUs } from '../../core/clock.js';
import { CONTROL_SLOTS, FIRED, GEN, STOP, type ClockThreadData } from './send-clock-control.js';
import type { SendClock } from './send-clock.js';

const CLOCK_THREAD_ENTRY = new URL('./send-clock-thread.js', import.meta.url);

/** Atomics.waitAsync (V8 since Node 16; TypeScript declares it from lib es2024 on). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync: (a: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/** How long before the deadline the clock thread stops sleeping and spins (µs): the futex's slack. */
const DEFAULT_SPIN_US = 50;

/**
 * One pending wake-up at a time, at microsecond resolution, in the caller's `nowUs()` time base
 * (performance.now() of the calling thread). `wakeAt` replaces any earlier deadline.
 *
 * Its cost (issue 20, measured on a 2-vCPU AMD EPYC VM, 1 000 clients × 1 msg/s, 15–20 s windows,
 * runs alternating): raw round trip p50 0.09–0.12 ms against 0.06–0.08 ms for a sender woken by its
 * own millisecond timer, and ~1.4× the client's CPU. Neither the spin, a nice 19 clock thread, nor
 * waking the sender through postMessage instead of Atomics.waitAsync changed it; a clock thread that
 * ticked every millisecond without waking anyone cost part of it (0.06–0.11 ms). A third thread on
 * two vCPUs, and a wake-up that crosses threads, is the price: so it is the fallback, where the
 * timerfd clock (timerfd-clock.ts) cannot be had.
 */
export class ThreadClock implements SendClock {
  readonly kind = 'thread';
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  /** [deadline, period]: the next instant (caller's µs) and, if > 0, the step the clock repeats it by. */
  private readonly deadline = new Float64Array(new SharedArrayBuffer(16));
  /** What the clock thread is armed for now, as this side tracks it (NaN: nothing). */
  private armedAt = Number.NaN;
  private periodUs = 0;
  /** FIRED as of the last wake-up delivered. */
  private firedSeen = 0;
  private readonly thread: Worker;
  private readonly onWake: () => void;
  private waiting = false;
  private stopped = false;
  /** Set if the clock thread died: wake-ups fall back to a millisecond timer, sends go on. */
  private fallback: NodeJS.Timeout | undefined | null = null;

  constructor(onWake: () => void, spinUs = DEFAULT_SPIN_US) {
    this.onWake = onWake;
    this.deadline[0] = Number.POSITIVE_INFINITY;
    this.thread = new Worker(CLOCK_THREAD_ENTRY, {
      // The caller's time origin: the clock thread converts deadlines into its own time.
      workerData: { control: this.control.buffer, deadline: this.deadline.buffer, originUs: monotonicOriginUs(), spinUs } satisfies ClockThreadData,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2, stackSizeMb: 1 },
      stdout: false,
      stderr: false,
    });
    // Like a timer: a pending wake-up keeps the process alive, an idle clock thread does not.
    this.thread.unref();
    this.thread.on('error', () => {
      this.fallback = undefined;
      if (this.waiting) this.fired();
    });
  }

  /**
   * Calls onWake at `us` (caller's monotonic µs) or as soon after as the event loop allows. With
   * `periodUs` > 0 the clock then keeps going on its own: us + period, us + 2 × period, … until told
   * otherwise, so a busy schedule (a send at every grid instant) costs the clock thread one sleep per
   * tick instead of two (it need not wait to be told the next instant), and re-arming for the
   * instant it is already going to fire at costs nothing.
   */
  wakeAt(us: number, periodUs = 0): void {
    if (this.stopped) return;
    if (this.fallback !== null) {
      clearTimeout(this.fallback);
      this.fallback = setTimeout(this.onWake, Math.max(0, (us - performance.now() * 1000) / 1000));
      return;
    }
    // Wait from the fire count of the last wake-up: a fire that came since is seen by waitAsync as
    // 'not-equal' and delivered at once, never missed.
    const fired = this.firedSeen;
    if (us !== this.armedAt || periodUs !== this.periodUs) {
      this.armedAt = us;
      this.periodUs = periodUs;
      this.deadline[0] = us;
      this.deadline[1] = periodUs;
      Atomics.add(this.control, GEN, 1);
      Atomics.notify(this.control, GEN);
    }
    if (this.waiting) return;
    this.waiting = true;
    this.thread.ref();
    const r = waitAsync(this.control, FIRED, fired);
    if (r.async) void r.value.then(this.fired);
    else queueMicrotask(this.fired);
  }

  private readonly fired = (): void => {
    this.waiting = false;
    this.thread.unref();
    // The clock thread moved on by one period per fire (or stopped, without a period).
    const now = Atomics.load(this.control, FIRED);
    this.armedAt = this.periodUs > 0 ? this.armedAt + (now - this.firedSeen) * this.periodUs : Number.NaN;
    this.firedSeen = now;
    if (this.stopped) return;
    this.onWake();
  };

  /** Ends the clock thread; no wake-up is delivered afterwards. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.fallback) clearTimeout(this.fallback);
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    // Resolve a pending waitAsync so no promise stays parked on the shared block.
    Atomics.add(this.control, FIRED, 1);
    Atomics.notify(this.control, FIRED);
  }
}
