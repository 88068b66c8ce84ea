/**
 * A send tick that throws (the test hook WSBENCH_TEST_TICK_THROW) in a real `wsbench load` against a
 * real `wsbench serve`: with the native timer (the exception comes back through the addon's
 * napi_fatal_exception) and with the clock thread (a rejected wake-up), in a worker thread and in a
 * load child process. Each run ends early with one error line, exit 1 and a written partial result.
 */
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
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
