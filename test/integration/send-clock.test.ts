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
import { loadSendTimer } from '../../src/core/native-timer.js';
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

describe('the timerfd addon under misuse and failure', { timeout: 60_000, skip: timerfd.ok ? false : timerfd.why }, () => {
  /** Runs `body` in a fresh node with the addon as `addon`; its stdout and exit. */
  const inChild = (body: string, nodeArgs: string[] = []) =>
    spawnSync(process.execPath, [...nodeArgs, '-e', `const addon = require(${JSON.stringify(timerfd.ok ? timerfd.file : '')});\n${body}`], {
      encoding: 'utf8',
      timeout: 50_000,
    });

  it('throws a JS error (WSB_ERR_SEND_TIMER) for bad arguments; a closed timer is inert', () => {
    const addon = timerfd.ok ? timerfd.addon : undefined;
    assert.ok(addon);
    assert.throws(() => addon.create(1 as unknown as () => void), { code: 'WSB_ERR_SEND_TIMER', name: 'TypeError' });
    assert.throws(() => addon.arm({}, 1000), { code: 'WSB_ERR_SEND_TIMER', message: /not a timer handle/ });
    assert.throws(() => addon.close(undefined), { code: 'WSB_ERR_SEND_TIMER' });
    const handle = addon.create(() => assert.fail('a closed timer called back'));
    assert.throws(() => addon.arm(handle, 'soon' as unknown as number), { code: 'WSB_ERR_SEND_TIMER' });
    addon.close(handle);
    addon.close(handle);
    addon.arm(handle, 1);
  });

  it("reports an exception thrown by the callback to the thread's uncaught-exception handling at once", () => {
    const run = inChild(`
      const handle = addon.create(() => { throw new Error('thrown in the tick'); });
      process.on('uncaughtException', (err) => {
        console.log('caught: ' + err.message);
        addon.close(handle); // nothing left pending to surface here
        console.log('closed');
      });
      addon.arm(handle, 1000);
    `);
    assert.equal(run.signal, null);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'caught: thrown in the tick\nclosed\n');
  });

  it('closes the timer of a collected handle (its finalizer): no fd is left open, the loop is not kept alive', () => {
    const run = inChild(
      `
      const before = require('node:fs').readdirSync('/proc/self/fd').length;
      for (let i = 0; i < 500; i++) addon.arm(addon.create(() => {}), 3600e9);
      const settle = (n) => (n === 0 ? console.log(require('node:fs').readdirSync('/proc/self/fd').length - before) : (gc(), setImmediate(() => settle(n - 1))));
      settle(5);
    `,
      ['--expose-gc'],
    );
    assert.equal(run.signal, null);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), '0', 'every timerfd closed');
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
