import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { commandTarget, referenceTarget } from '../../src/targets/make-targets.js';
import { processExists } from '../../src/metrics/process-sampler.js';
import { runConformance } from '../../src/check/conformance.js';
import { spawnCli, killAll } from '../helpers/cli.js';

after(killAll);

const host = { env: process.env };

/** Whether `pid` is still in /proc: stop() resolves after the child's exit, when this process has reaped it. */
const alive = processExists;

describe('targets start and stop real servers', { timeout: 60_000 }, () => {
  it('a node reference target listens on loopback, passes the conformance check, and its pid is gone after stop()', async () => {
    const running = await referenceTarget('node', [], undefined, host).start();
    try {
      assert.match(running.url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
      assert.ok(running.pid !== undefined && alive(running.pid), 'the announced pid runs');
      assert.equal((await runConformance(running.url)).ok, true);
    } finally {
      await running.stop();
    }
    assert.equal(alive(running.pid), false, `pid ${running.pid} is gone`);
  });

  it('a --server command target is started fresh per start(), and stop() ends its whole process group', async () => {
    const target = commandTarget('bare=node bench/fixtures/bare-ws-echo.mjs {port}', undefined, host);
    const first = await target.start();
    const pid = first.pid!;
    await first.stop();
    assert.equal(alive(pid), false, `pid ${pid} is gone`);
    const second = await target.start();
    try {
      assert.notEqual(second.url, '');
      assert.notEqual(second.pid, pid);
    } finally {
      await second.stop();
    }
  });

  it('compare refuses a malformed --server spec with exit 2 before starting anything', async () => {
    const p = spawnCli(['compare', '--server', 'no-equals-sign', '--profiles', 'smoke']);
    const exit = await p.exited;
    assert.equal(exit.code, 2, p.stderr());
    assert.match(p.stderr(), /--server must look like 'name=command with \{port\}' \(got no-equals-sign\) \[WSB_ERR_USAGE\]/);
  });
});
