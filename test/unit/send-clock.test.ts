import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SendClock } from '../../src/load/4-worker/send-clock.js';
import { nowUs } from '../../src/core/clock.js';

/** Properties of the clock thread's wake-ups that hold however busy the machine is (no timing limits). */
describe('SendClock', { timeout: 30_000 }, () => {
  it("wakes once per deadline, never before it, with sub-millisecond deadlines in this thread's time", async () => {
    const lateUs: number[] = [];
    let deadline = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => (done = r));
    const clock = new SendClock(() => {
      lateUs.push(nowUs() - deadline);
      if (lateUs.length === 50) return done();
      deadline = nowUs() + 300 + lateUs.length * 7; // fractions of a millisecond, all different
      clock.wakeAt(deadline);
    });
    deadline = nowUs() + 1500;
    clock.wakeAt(deadline);
    await finished;
    clock.stop();
    assert.equal(lateUs.length, 50);
    // nowUs() rounds to whole µs: 1 µs is rounding, not an early wake-up.
    for (const l of lateUs) assert.ok(l >= -1, `woke ${-l} µs before its deadline`);
  });

  it('a new deadline replaces the pending one; a past deadline fires at once; stop() ends wake-ups', async () => {
    let wakes = 0;
    const clock = new SendClock(() => wakes++);
    clock.wakeAt(nowUs() + 60_000_000); // a minute away …
    clock.wakeAt(nowUs() - 1000); // … replaced by one already due
    for (let i = 0; i < 100 && wakes === 0; i++) await sleep(20);
    assert.equal(wakes, 1);
    clock.wakeAt(nowUs() + 50_000);
    clock.stop();
    await sleep(150);
    assert.equal(wakes, 1, 'no wake-up after stop()');
  });
});
