import { performance } from 'node:perf_hooks';
import type { SendTimerAddon } from '../../core/native-timer.js';
import type { SendClock } from './send-clock.js';

/**
 * The send clock on Linux: one timerfd on the worker's own event loop (native/send-timer.c), re-armed
 * for every wake-up (one timerfd_settime, ~1 µs). It expires with nanosecond resolution and wakes
 * the loop's epoll directly; what is left of the send lag is the wake-up itself (~40–50 µs median on
 * a 2-vCPU VM). Measured against the thread clock and setTimeout back to back (issue 20,
 * bench/send-lag.ts): the raw round trip and the client's CPU of the setTimeout sender, with the send
 * lag of the thread clock.
 */
export class TimerfdClock implements SendClock {
  readonly kind = 'timerfd';
  private readonly addon: SendTimerAddon;
  private readonly handle: unknown;
  private stopped = false;

  constructor(addon: SendTimerAddon, onWake: () => void) {
    this.addon = addon;
    this.handle = addon.create(() => {
      if (!this.stopped) onWake();
    });
  }

  wakeAt(us: number): void {
    if (this.stopped) return;
    this.addon.arm(this.handle, (us - performance.now() * 1000) * 1000);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.addon.close(this.handle);
  }
}
