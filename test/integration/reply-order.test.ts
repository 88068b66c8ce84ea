import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, killAll, runWindow } from '../helpers/cli.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtures.js';
import { readRun, splitCsvLine, tempDir } from '../helpers/results.js';
import { CSV_COLUMNS } from '../../src/result-files/csv.js';
import { EXIT } from '../../src/contract/exit-codes.js';

const fixtures = new Set<FixtureServer>();
after(async () => {
  await Promise.all([...fixtures].map((f) => f.stop()));
  await killAll();
});

/**
 * Loose self-check limits: this test is about the target's errors, and on a busy shared machine a
 * `client-saturated` verdict (which wins over `target-errors`) would hide them.
 */
function profile(dir: string, client: 'lean' | 'ws'): string {
  const file = path.join(dir, 'reply-order.profile.json');
  writeFileSync(file, JSON.stringify({ client, maxSendLagP99Ms: 2000, maxEventLoopDelayP99Ms: 2000 }));
  return file;
}

describe('sequence checks against a server that duplicates, reorders and swaps replies', { timeout: 90_000 }, () => {
  for (const client of ['lean', 'ws'] as const) {
    it(
      `${client} client: each misbehaviour is counted, reported in JSON, CSV and the summary, and the verdict is target-errors (exit 6)`,
      { timeout: 40_000 },
      async () => {
        const server = await startFixtureServer('misbehaving-echo-server.mjs');
        fixtures.add(server);
        const out = tempDir();
        const load = spawnCli([
          'load',
          `ws://127.0.0.1:${server.port}/`,
          '--profile',
          profile(out, client),
          '--clients',
          '20',
          '--rate',
          '5',
          ...runWindow('3s'),
          '--out',
          out,
          '--name',
          'reply-order',
        ]);
        const exit = await load.exited;
        await server.stop();
        const { doc, csv } = readRun(out);
        const m = doc.summary.messages;
        const why = `${load.stderr()}\nmessages: ${JSON.stringify(m)}`;
        // The fixture answers seq 2, 12, 22 … twice, holds 5, 15 … until after 6, 16 …, and swaps the
        // replies to 8, 18 … between connections: every connection sees all three within ~4 s.
        assert.ok((m.duplicateReplies ?? 0) > 0, `duplicates counted\n${why}`);
        assert.ok((m.outOfOrderReplies ?? 0) > 0, `out-of-order replies counted\n${why}`);
        assert.ok((m.crossedReplies ?? 0) > 0, `crossed replies counted\n${why}`);
        assert.equal(m.badReplies, 0, 'the probes themselves are intact');
        // Duplicates and crossed replies are not measured; out-of-order ones are.
        assert.equal(doc.summary.rttUs.count, m.received);
        assert.ok(m.receivedTotal <= m.sentTotal, `no duplicate counted as received\n${why}`);

        assert.equal(doc.summary.verdict, 'target-errors', why);
        const reasons = doc.summary.verdictReasons.join('\n');
        assert.match(reasons, new RegExp(`^${m.duplicateReplies} duplicated reply`, 'm'));
        assert.match(reasons, new RegExp(`^${m.outOfOrderReplies} reply\\(ies\\) out of order`, 'm'));
        assert.match(reasons, new RegExp(`^${m.crossedReplies} reply\\(ies\\) carried another connection's`, 'm'));
        assert.equal(exit.code, EXIT.TARGET_ERRORS, why);
        // The human summary (on stdout without --json).
        assert.match(load.stdout(), /reply errors\s*│?\s*0 unparseable, \d+ duplicated, \d+ out of order, \d+ crossed/);

        const [header, row] = csv.trim().split('\n').map(splitCsvLine);
        assert.deepEqual(header, [...CSV_COLUMNS]);
        const cell = (name: (typeof CSV_COLUMNS)[number]) => row[CSV_COLUMNS.indexOf(name)];
        assert.equal(cell('duplicateReplies'), String(m.duplicateReplies));
        assert.equal(cell('outOfOrderReplies'), String(m.outOfOrderReplies));
        assert.equal(cell('crossedReplies'), String(m.crossedReplies));
        assert.equal(cell('verdict'), 'target-errors');
      },
    );
  }
});
