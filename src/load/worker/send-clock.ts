/**
 * A wake-up source finer than setTimeout, for the send schedule.
 *
 * Why not setTimeout: Node truncates timeouts to whole milliseconds and libuv fires timers against a
 * millisecond loop clock, so a send woke 0–1 ms after its intended instant (median ~0.6 ms, measured;
 * bench/send-timer.js) and every corrected latency carried that. Two clocks do better:
 * - timerfd (Linux, the native addon built at install): the kernel wakes the worker's own event loop
 *   with nanosecond resolution, the way libuv's own timers do, with no other thread involved;
 * - thread (anywhere): a clock thread sleeps on a futex until the instant and wakes the worker.
 *   On small hosts its hand-off costs the raw round trip (thread-clock.ts), so it is the fallback.
 * pick-send-clock.ts takes the best one; WSBENCH_SEND_CLOCK=thread|timerfd forces one (for measuring).
 */
export type SendClockKind = 'timerfd' | 'thread';

/** One pending wake-up at a time, in the caller's nowUs() time base; wakeAt replaces any earlier one. */
export interface SendClock {
  readonly kind: SendClockKind;
  /**
   * Calls onWake at `us` or as soon after as the event loop allows. `periodUs` > 0 says the caller
   * will likely ask for us + period next (the thread clock then keeps going without being told).
   */
  wakeAt(us: number, periodUs?: number): void;
  /** No wake-up is delivered afterwards. */
  stop(): void;
}
