/**
 * `serve --reply-delay`: every server waits this long before each reply, a known difference that
 * calibrates wsbench's significance tests. The Node server and the Bun, Deno and uWebSockets.js
 * servers all delay through this file, so the delay means the same thing on every runtime. Part of
 * the contract: no imports; only APIs Node, Bun and Deno all have (setTimeout, setImmediate,
 * performance.now).
 *
 * How close the delay comes to the asked value: a timer alone fires late by 0.1–1 ms on Node and
 * Bun and by about 1–2 ms on Deno, and none fires sooner than 1 ms (setTimeout(fn, 0.2) waits
 * ≈1.1 ms on Node and Bun, ≈2.1 ms on Deno). So a timer waits for all but the last
 * SPIN_MARGIN_MS, and the event loop's check phase (setImmediate) finishes the wait: that is
 * accurate to tens of microseconds, and other connections are still served between turns, but the
 * loop polls without sleeping while a reply is within SPIN_MARGIN_MS of its time. A sub-millisecond
 * delay therefore costs CPU for as long as any reply is waiting.
 *
 * A runtime with a precise timer of its own (the Node server: a Linux timerfd, native/send-timer.c)
 * passes it in, and then the wait is that timer alone: no polling, so the delay costs almost
 * nothing, and it is as accurate as the host wakes a thread (the host floor).
 *
 * The delay is one constant, so replies fall due in the order their messages arrived: one FIFO
 * queue and one timer per process keep every connection's replies in order. Each reply's achieved
 * delay minus the asked one is kept (the last ACHIEVED_SAMPLES), for /healthz.
 *
 * Behaviour, not only an agreement: it stays in src/contract because servers/* may import nothing
 * else of src, and one implementation is what makes the delay mean the same on every runtime.
 */

/** What is left of a wait when the timer hands over to the event loop's check phase. */
export const SPIN_MARGIN_MS = 2;

interface Pending<S, D, F> {
  due: number;
  socket: S;
  data: D;
  flag: F;
}

type Immediate = (fn: () => void) => unknown;
const runtimeGlobals = globalThis as unknown as { setImmediate?: Immediate; performance: { now(): number } };
const nextTurn: Immediate = runtimeGlobals.setImmediate ?? ((fn) => setTimeout(fn, 0));
const now = () => runtimeGlobals.performance.now();

/** How many of the latest replies the achieved delay is read over. */
export const ACHIEVED_SAMPLES = 4096;

/** Achieved − asked delay over the latest replies (µs), as /healthz reports it. */
export interface AchievedDelay {
  p50Us: number;
  p99Us: number;
  samples: number;
}

/** A one-shot timer with sub-millisecond resolution: arm replaces any pending expiry. */
export interface PreciseTimer {
  arm(delayMs: number): void;
  cancel(): void;
}

/** A reply function that runs `delayMs` after it is called (in call order), and a stop for shutdown. */
export interface DelayedReply<S, D, F> {
  (socket: S, data: D, flag: F): void;
  /** Drops the replies not yet sent and stops the timer. */
  stop(): void;
  /** The achieved delay so far, null before the first delayed reply. */
  achieved(): AchievedDelay | null;
}

/**
 * Wraps `reply` so that each call runs `delayMs` milliseconds (fractions allowed) later. `reply`
 * itself must skip a socket that closed in the meantime. Call only with delayMs > 0: a server with
 * no delay calls its reply function directly, so the default costs nothing.
 */
export function delayReplies<S, D, F>(
  delayMs: number,
  reply: (socket: S, data: D, flag: F) => void,
  makePreciseTimer?: (onExpiry: () => void) => PreciseTimer,
): DelayedReply<S, D, F> {
  let queue: Pending<S, D, F>[] = [];
  let head = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let spinning = false;
  let stopped = false;
  let preciseArmed = false;
  const precise = makePreciseTimer?.(() => {
    preciseArmed = false;
    drain();
  });
  const lateMs = new Float64Array(ACHIEVED_SAMPLES);
  let recorded = 0;

  function drain(): void {
    timer = undefined;
    spinning = false;
    if (stopped) return;
    const t = now();
    while (head < queue.length && queue[head].due <= t) {
      const p = queue[head];
      queue[head++] = undefined as unknown as Pending<S, D, F>;
      lateMs[recorded++ % ACHIEVED_SAMPLES] = t - p.due;
      reply(p.socket, p.data, p.flag);
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
      return;
    }
    // Under steady traffic the queue never empties: drop the sent part now and then.
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    arm(queue[head].due - t);
  }

  function arm(waitMs: number): void {
    if (precise) {
      preciseArmed = true;
      return precise.arm(waitMs);
    }
    if (waitMs > SPIN_MARGIN_MS) timer = setTimeout(drain, waitMs - SPIN_MARGIN_MS);
    else {
      spinning = true;
      nextTurn(drain);
    }
  }

  const delayed = ((socket: S, data: D, flag: F) => {
    if (stopped) return;
    queue.push({ due: now() + delayMs, socket, data, flag });
    if (timer === undefined && !spinning && !preciseArmed) arm(delayMs);
  }) as DelayedReply<S, D, F>;
  delayed.stop = () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    precise?.cancel();
    queue = [];
    head = 0;
  };
  delayed.achieved = () => {
    const n = Math.min(recorded, ACHIEVED_SAMPLES);
    if (n === 0) return null;
    const sorted = lateMs.slice(0, n).sort();
    const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))] * 1000);
    return { p50Us: at(0.5), p99Us: at(0.99), samples: n };
  };
  return delayed;
}
