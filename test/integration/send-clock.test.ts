/**
 * The send clocks on the real OS: ThreadClock starts a worker thread, TimerfdClock uses the native
 * addon's timerfd. Here, not in test/unit: the fast loop starts no threads or processes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSendClock } from '../../src/load/worker/pick-send-clock.js';
import type { SendClock } from '../../src/load/worker/send-clock.js';
import { ThreadClock } from '../../src/load/worker/thread-clock.js';
import { TimerfdClock } from '../../src/load/worker/timerfd-clock.js';
import { loadSendTimer } from '../../src/load/worker/native-timer.js';
import { nowUs } from '../../src/core/clock.js';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../helpers/cli.js';
import path from 'node:path';

const timerfd = loadSendTimer();
const clocks: { name: string; make: (onWake: () => void) => SendClock; skip: string | false }[] = [
  { name: 'ThreadClock', make: (onWake) => new ThreadClock(onWake), skip: false },
  {
    name: 'TimerfdClock',
    make: (onWake) => (timerfd.ok ? new TimerfdClock(timerfd.addon, onWake) : new ThreadClock(onWake)),
    skip: timerfd.ok ? false : timerfd.why,
  },
];

/** Properties of the send clocks' wake-ups that hold however busy the machine is (no timing limits). */
for (const c of clocks) {
  describe(c.name, { timeout: 30_000, skip: c.skip }, () => {
    it("wakes once per deadline, never before it, with sub-millisecond deadlines in this thread's time", async () => {
      const lateUs: number[] = [];
      let deadline = 0;
      let done: () => void = () => {};
      const finished = new Promise<void>((r) => (done = r));
      const clock = c.make(() => {
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
      const clock = c.make(() => wakes++);
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
}

describe('the timerfd addon in a terminated worker thread', { timeout: 60_000, skip: timerfd.ok ? false : timerfd.why }, () => {
  it('finishes closing an armed timer before its thread is torn down (no SIGSEGV from a close callback in an unloaded library)', () => {
    // Before the async cleanup hook, about 1 in 20 saturated load runs crashed in their grace period,
    // and this fixture crashed within its first few rounds.
    const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'terminate-armed-timers.mjs');
    // The build or the prebuild that wsbench itself loads (node-gyp-build's pick).
    const addon = timerfd.ok ? timerfd.file : '';
    const run = spawnSync(process.execPath, [fixture, addon, '50'], { encoding: 'utf8', timeout: 50_000 });
    assert.equal(run.signal, null, `killed by ${run.signal}`);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /terminated 50/);
  });
});

describe('createSendClock', () => {
  it('takes the timerfd clock where the addon loads, the thread clock otherwise or when WSBENCH_SEND_CLOCK=thread', () => {
    const best = createSendClock(() => {}, {});
    assert.equal(best.kind, timerfd.ok ? 'timerfd' : 'thread');
    best.stop();
    const forced = createSendClock(() => {}, { WSBENCH_SEND_CLOCK: 'thread' });
    assert.equal(forced.kind, 'thread');
    forced.stop();
  });

  it('is built by npm install on Linux CI (the fallback is for hosts without a compiler)', { skip: !(process.env.CI && process.platform === 'linux') }, () => {
    assert.ok(timerfd.ok, timerfd.ok ? '' : timerfd.why);
  });
});
