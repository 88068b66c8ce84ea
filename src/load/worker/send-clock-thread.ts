/**
 * The clock thread of a SendClock (send-clock.ts): sleeps on a futex until shortly before the
 * sender's deadline, spins the rest, bumps FIRED and notifies the sender's Atomics.waitAsync.
 * No I/O and nothing else: it only ever waits, so it needs no event loop turn to be on time.
 */
import { workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { monotonicOriginUs } from '../../core/clock.js';
import { FIRED, GEN, STOP, type ClockThreadData } from './send-clock-control.js';

const data = workerData as ClockThreadData;
const ctl = new Int32Array(data.control);
const deadline = new Float64Array(data.deadline);
// Sender's time → this thread's time; deadlines 1 µs later, so the origins' rounding never makes a wake-up early.
const offsetUs = monotonicOriginUs() - data.originUs - 1;
const now = () => performance.now() * 1000;

let gen = -1;
let at = Number.POSITIVE_INFINITY;
let periodUs = 0;
for (;;) {
  if (Atomics.load(ctl, STOP) !== 0) break;
  const g = Atomics.load(ctl, GEN);
  if (g !== gen) {
    // A new deadline (and period) from the sender.
    gen = g;
    at = deadline[0] - offsetUs;
    periodUs = deadline[1];
  }
  if (!(at < Number.POSITIVE_INFINITY)) {
    Atomics.wait(ctl, GEN, gen);
    continue;
  }
  const sleepUs = at - now() - data.spinUs;
  if (sleepUs > 0) {
    Atomics.wait(ctl, GEN, gen, sleepUs / 1000);
    continue;
  }
  while (now() < at && Atomics.load(ctl, GEN) === gen);
  if (Atomics.load(ctl, GEN) !== gen) continue;
  Atomics.add(ctl, FIRED, 1);
  Atomics.notify(ctl, FIRED);
  // With a period the clock goes on by itself (the sender re-arms only when its next instant
  // differs); without one it waits to be told.
  at = periodUs > 0 ? at + periodUs : Number.POSITIVE_INFINITY;
}
