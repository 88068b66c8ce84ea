import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnCli, startServe, killAll, runWindow } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { waitForServerMessages } from '../helpers/server-traffic.js';
import { stallProcess } from '../helpers/stall.js';
import { looseSelfCheckProfile } from '../helpers/self-check-profile.js';
import { watchDashboard } from '../helpers/dashboard-events.js';

after(killAll);

/**
 * Who was the limit: a target that dies mid-window must be blamed (target-errors), a load generator
 * that stops must blame itself (client-saturated). Both runs are small: only the event differs.
 * Each event is placed inside the window by the server's count of messages received (the load sends
 * on schedule, never ahead): where exactly does not matter, only that it is inside.
 */
describe('the verdict names the right culprit', { timeout: 120_000 }, () => {
  it('a server killed (SIGKILL) mid-window: target-errors (exit 6) live and in the result, not client-saturated', { timeout: 60_000 }, async () => {
    const server = await startServe(['--mode', 'echo']);
    const out = tempDir();
    const load = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '500',
      '--rate',
      '2',
      ...runWindow('6s'),
      // Loose self-check limits: the 2 s before the kill once measured a send-lag p99 of 20.5 ms
      // (limit 20) on a busy host, and client-saturated wins over target-errors. The limits are not
      // what this test is about: the server's death itself kept the whole window's send-lag p99 at
      // 6.4 and 6.6 ms in two runs, well under even the default limit.
      '--profile',
      looseSelfCheckProfile(tempDir('wsb-profile-')),
      // The dashboard's verdict so far must end as the result's (one set of rules, result/summarize.ts).
      '--dashboard',
      '0',
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    const [, url] = await load.waitForStderr(/dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/);
    const live = watchDashboard(url);
    // 1 000 msg/s: 3 000 received is at least 1 s of warm-up and 2 s of the 6 s window.
    await waitForServerMessages(server.port, 3000);
    await server.stop('SIGKILL');
    const exit = await load.exited;
    await live.ended;
    const { doc } = readRun(out);
    const s = doc.summary;
    assert.equal(s.verdict, 'target-errors', s.verdictReasons.join('; '));
    assert.equal(exit.code, 6, load.stderr());
    assert.ok(Object.keys(s.unexpectedClosesByCode).length > 0, 'the target closed the connections');
    assert.ok(
      s.verdictReasons.some((r) => /the target failed during the run: client saturation was judged on the \d+ s of the window before/.test(r)),
      s.verdictReasons.join('; '),
    );
    assert.equal(live.last?.phase, 'done');
    assert.equal(live.last.verdictSoFar, s.verdict, `live: ${live.verdicts.join(' → ')}; ${live.last.verdictReasonsSoFar.join('; ')}`);
    assert.equal(live.verdicts[0], 'valid', 'valid before the server died');
  });

  it('a load generator stopped 200 ms (SIGSTOP) in the window shows it in its send lag and host floor, client-saturated', { timeout: 60_000 }, async () => {
    const server = await startServe(['--mode', 'echo']);
    const out = tempDir();
    const load = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '200',
      '--rate',
      '5',
      ...runWindow('5s'),
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    await waitForServerMessages(server.port, 2500);
    await stallProcess(load.pid, 200);
    const exit = await load.exited;
    const { doc } = readRun(out);
    const s = doc.summary;
    assert.ok(s.sendLagUs.max >= 195_000, `send lag max ${s.sendLagUs.max} µs`);
    // Every deadline the floor's thread missed counts (expected-interval correction), not one sample.
    assert.ok(s.hostFloorUs, 'the host floor is recorded');
    // Its deadlines are 10 ms apart: the first one the stall swallowed fell up to 10 ms after it began.
    assert.ok(s.hostFloorUs.max >= 185_000, `host floor max ${s.hostFloorUs.max} µs`);
    assert.ok(s.hostFloorUs.count >= 400, `${s.hostFloorUs.count} deadlines: about 100 per second of the window`);
    assert.ok(s.hostFloorUs.p99 >= 20_000, `host floor p99 ${s.hostFloorUs.p99} µs: the stall's 20 deadlines are 4 % of 500`);
    assert.equal(s.verdict, 'client-saturated', s.verdictReasons.join('; '));
    assert.equal(exit.code, 5, load.stderr());
    await server.stop();
  });
});
