/**
 * A send tick that throws (the test hook WSBENCH_TEST_TICK_THROW) in a real `wsbench load` against a
 * real `wsbench serve`: with the native timer (the exception comes back through the addon's
 * napi_fatal_exception) and with the clock thread (a rejected wake-up), in a worker thread and in a
 * load child process. Each run ends early with one error line, exit 1 and a written partial result.
 * `compare` and `capacity` run the same load in-process: they print the worker's error, keep its
 * partial result on disk, and exit 1 as well.
 */
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, startServe, killAll, runWindow, type StartedServer } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { EXIT } from '../../src/contract/exit-codes.js';
import { loadSendTimer } from '../../src/core/native-timer.js';
import type { ResultDocument } from '../../src/contract/result.js';

after(killAll);

const NO_STACK = /^\s+at /m;
const ERROR_LINE =
  /^wsbench: load worker \d+ failed: the send tick threw \(WSBENCH_TEST_TICK_THROW=3\)(?: \(and \d+ more worker error\(s\)\))?; the run stopped there \[WSB_ERR_INTERNAL\]\n {2}hint: .+\n/m;
const timerfd = loadSendTimer();

describe('a send tick that throws', { timeout: 120_000 }, () => {
  let server: StartedServer;
  before(async () => {
    server = await startServe([]);
  });

  const cases = [
    { name: 'native timer, worker thread', clock: 'timerfd', layout: ['--processes', '1', '--threads', '1'], skip: timerfd.ok ? false : timerfd.why },
    { name: 'clock thread, load child process', clock: 'thread', layout: ['--processes', '2', '--threads', '1'], skip: false },
  ] as const;
  for (const c of cases) {
    it(`ends the run with one error line, exit ${EXIT.INTERNAL} and a written partial result (${c.name})`, { timeout: 60_000, skip: c.skip }, async () => {
      const out = tempDir();
      const p = spawnCli(
        ['load', `ws://127.0.0.1:${server.port}/`, '--clients', '10', '--rate', '5', ...runWindow('5s'), ...c.layout, '--out', out, '--json'],
        { env: { WSBENCH_TEST_TICK_THROW: '3', WSBENCH_SEND_CLOCK: c.clock } },
      );
      const exit = await p.exited;
      assert.deepEqual(exit, { code: EXIT.INTERNAL, signal: null }, p.stderr());
      assert.match(p.stderr(), ERROR_LINE);
      assert.doesNotMatch(p.stderr(), NO_STACK);
      const printed = JSON.parse(p.stdout()) as ResultDocument;
      const { doc } = readRun(out);
      assert.deepEqual(doc, printed, 'the written result is the one printed');
      assert.equal(doc.interrupted, true, 'a partial result');
      assert.equal(doc.config.sendClock, c.clock);
      assert.equal(doc.summary.connections.established, 10, 'every worker reported its connections');
      assert.ok(
        doc.summary.verdictReasons.some((r) => /load worker \d+ failed: the send tick threw/.test(r)),
        doc.summary.verdictReasons.join('; '),
      );
    });
  }
});

describe('a send tick that throws under compare and capacity', { timeout: 180_000 }, () => {
  const RUN_ERROR = /load worker \d+ failed: the send tick threw \(WSBENCH_TEST_TICK_THROW=3\)/;
  const env = { WSBENCH_TEST_TICK_THROW: '3' };

  it(`compare says which run failed, leaves it out of the comparison and exits ${EXIT.INTERNAL}`, { timeout: 90_000 }, async () => {
    const dir = tempDir('wsb-tick-profile-');
    const profile = path.join(dir, 'tick.json');
    writeFileSync(profile, JSON.stringify({ clients: 10, rate: 5, duration: '3s', warmup: '0.5s', grace: '1s' }));
    const out = tempDir('wsb-tick-compare-');
    const p = spawnCli(['compare', '--runtimes', 'node', '--profiles', profile, '--repeat', '1', '--out', out, '--log-level', 'warn'], { env });
    const exit = await p.exited;
    assert.deepEqual(exit, { code: EXIT.INTERNAL, signal: null }, p.stderr());
    assert.match(p.stderr(), RUN_ERROR);
    assert.match(p.stderr(), /partial result is left out of the comparison/);
    assert.doesNotMatch(p.stderr(), NO_STACK);
    assert.ok(
      readdirSync(out).some((f) => /-node-.*-r1\.json$/.test(f)),
      `the partial result is on disk: ${readdirSync(out).join(', ')}`,
    );
  });

  it(`capacity stops its search at the failed run and exits ${EXIT.INTERNAL}`, { timeout: 90_000 }, async () => {
    const out = tempDir('wsb-tick-capacity-');
    const p = spawnCli(
      [
        'capacity',
        '--runtime',
        'node',
        '--duration',
        '3s',
        '--warmup',
        '0.5s',
        '--from',
        '10',
        '--to',
        '20',
        '--rate',
        '5',
        '--out',
        out,
        '--log-level',
        'warn',
      ],
      {
        env,
      },
    );
    const exit = await p.exited;
    assert.deepEqual(exit, { code: EXIT.INTERNAL, signal: null }, p.stderr());
    assert.match(p.stderr(), RUN_ERROR);
    assert.match(p.stderr(), /the search stops here/);
    assert.doesNotMatch(p.stderr(), NO_STACK);
    assert.ok(
      readdirSync(path.join(out, 'runs')).some((f) => f.endsWith('.json')),
      'the partial result is on disk',
    );
  });
});
