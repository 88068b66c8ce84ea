import { loadSendTimer } from '../../core/native-timer.js';
import type { SendClock } from './send-clock.js';
import { ThreadClock } from './thread-clock.js';
import { TimerfdClock } from './timerfd-clock.js';

/**
 * Why this installation's workers will wake with the clock thread though the timerfd clock was not
 * turned down (WSBENCH_SEND_CLOCK=thread): the addon is missing or does not load. Undefined when
 * they will use the timerfd clock, or were told not to.
 */
export function sendClockFallback(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.WSBENCH_SEND_CLOCK === 'thread') return undefined;
  const timer = loadSendTimer();
  return timer.ok ? undefined : timer.why;
}

/** The best clock this installation has, unless WSBENCH_SEND_CLOCK names one. */
export function createSendClock(onWake: () => void, env: NodeJS.ProcessEnv = process.env): SendClock {
  const wanted = env.WSBENCH_SEND_CLOCK;
  if (wanted !== 'thread') {
    const timer = loadSendTimer();
    if (timer.ok) return new TimerfdClock(timer.addon, onWake);
    if (wanted === 'timerfd') throw new Error(`WSBENCH_SEND_CLOCK=timerfd, but the native send timer is not available: ${timer.why}`);
  }
  return new ThreadClock(onWake);
}
