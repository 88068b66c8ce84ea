/**
 * The dashboard's "verdict so far" and the result's verdict come from the same rules: a load whose
 * server is killed mid-window, watched through the dashboard's event stream (/events) to the end,
 * shows the verdict the result then has. No browser: the stream carries the state the page draws.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnCli, startServe, killAll, runWindow } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { waitForServerMessages } from '../helpers/server-traffic.js';
import { looseSelfCheckProfile } from '../helpers/self-check-profile.js';
import type { DashboardRun } from '../../src/live/dashboard-state.js';

after(killAll);

interface Watched {
  /** Every verdict the stream showed for the run, in order. */
  verdicts: string[];
  last: DashboardRun | undefined;
  /** Resolves when the stream ends (the command is done and sent the final report). */
  ended: Promise<void>;
}

/** Follows the dashboard's Server-Sent Events, keeping the run's state as the page would. */
function watchDashboard(url: string): Watched {
  const watched: Watched = { verdicts: [], last: undefined, ended: Promise.resolve() };
  watched.ended = new Promise((resolve, reject) => {
    http
      .get(`${url}events`, (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const name = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data === undefined) continue;
            const parsed = JSON.parse(data) as unknown;
            const run =
              name === 'run'
                ? (parsed as DashboardRun)
                : name === 'point'
                  ? (parsed as { run: DashboardRun }).run
                  : name === 'state'
                    ? (parsed as { runs: DashboardRun[] }).runs[0]
                    : undefined;
            if (!run) continue;
            watched.last = run;
            if (watched.verdicts.at(-1) !== run.verdictSoFar) watched.verdicts.push(run.verdictSoFar);
          }
        });
        res.on('end', resolve);
        res.on('error', reject);
      })
      .on('error', reject);
  });
  return watched;
}

describe('the dashboard verdict agrees with the result', { timeout: 120_000 }, () => {
  it('a server killed mid-window: the live verdict at the end is the result verdict (target-errors)', { timeout: 90_000 }, async () => {
    const server = await startServe(['--mode', 'echo']);
    const out = tempDir();
    const load = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '200',
      '--rate',
      '5',
      ...runWindow('6s'),
      // Loose self-check limits, so a busy host cannot make either verdict client-saturated: the
      // order of the rules is the unit test's (test/unit/dashboard-verdict.test.ts).
      '--profile',
      looseSelfCheckProfile(tempDir('wsb-profile-')),
      '--dashboard',
      '0',
      '--out',
      out,
    ]);
    const [, url] = await load.waitForStderr(/dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/);
    const watched = watchDashboard(url);
    // 1 000 msg/s: 3 000 received is at least 1 s of warm-up and 2 s of the 6 s window.
    await waitForServerMessages(server.port, 3000);
    await server.stop('SIGKILL');
    const exit = await load.exited;
    await watched.ended;
    const { doc } = readRun(out);
    assert.equal(doc.summary.verdict, 'target-errors', doc.summary.verdictReasons.join('; '));
    assert.equal(exit.code, 6, load.stderr());
    assert.ok(watched.last, 'the stream showed the run');
    assert.equal(watched.last.phase, 'done');
    assert.equal(
      watched.last.verdictSoFar,
      doc.summary.verdict,
      `live verdicts: ${watched.verdicts.join(' → ')}; reasons: ${watched.last.verdictReasonsSoFar.join('; ')}`,
    );
    assert.equal(watched.verdicts[0], 'valid', 'valid before the server died');
  });
});
