import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, spawnCli, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import { checkResultDocument } from '../../src/result-files/read-results.js';

after(killAll);

/**
 * Results written by earlier commits (test/fixtures/results/README.md says which): every one is
 * schemaVersion 1, though fields were added since, so each must still read, report and gate.
 */
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'results');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const fixture = (name: string) => path.join(FIXTURES, name);

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnCli(args);
  const exit = await p.exited;
  return { code: exit.code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Writes a changed copy of a fixture and returns its path. */
function damaged(change: (doc: Record<string, unknown>) => void, text?: string): string {
  const file = path.join(tempDir('wsb-damaged-'), 'result.json');
  if (text !== undefined) writeFileSync(file, text);
  else {
    const doc = JSON.parse(readFileSync(fixture('before-send-clock.json'), 'utf8')) as Record<string, unknown>;
    change(doc);
    writeFileSync(file, JSON.stringify(doc));
  }
  return file;
}

const at = (doc: Record<string, unknown>, ...keys: string[]) => keys.reduce((o, k) => o[k] as Record<string, unknown>, doc);

describe('result files written by earlier wsbench versions', { timeout: 120_000 }, () => {
  it('the fixtures are there: before pattern/format, before sendClock, before the sequence counters, merged', () => {
    assert.deepEqual(fixtures, [
      'before-pattern-format.json',
      'before-send-clock.json',
      'before-sequence-counters.json',
      'merged-before-send-clock.json',
      'shard-0-of-2-before-send-clock.json',
      'shard-1-of-2-before-send-clock.json',
    ]);
  });

  for (const name of fixtures) {
    it(`${name}: reads as written, reports and gates against itself`, async () => {
      const raw: unknown = JSON.parse(readFileSync(fixture(name), 'utf8'));
      // The check changes nothing: what the report and the gate see is the file as written.
      assert.deepEqual(checkResultDocument(raw, name), raw);
      const doc = raw as { name: string };
      const report = await run(['report', fixture(name)]);
      assert.equal(report.code, 0, report.stderr);
      assert.ok(report.stdout.includes(doc.name), report.stdout);
      const gate = await run(['report', fixture(name), '--baseline', fixture(name), '--max-regression', 'rtt.p99=10%']);
      assert.equal(gate.code, 0, gate.stderr);
      assert.match(gate.stderr, /ok\s+.*rtt\.p99: (\d+) -> \1 \(\+0\.0%/);
    });
  }

  it('merge of the two old shards gives the old merged result', async () => {
    const shards = ['shard-0-of-2-before-send-clock.json', 'shard-1-of-2-before-send-clock.json'].map(fixture);
    const merged = await run(['merge', ...shards, '--json']);
    assert.equal(merged.code, 0, merged.stderr);
    type Merged = { summary: Record<string, unknown>; histograms: unknown; mergedFrom: unknown };
    const doc = JSON.parse(merged.stdout) as Merged;
    const old = JSON.parse(readFileSync(fixture('merged-before-send-clock.json'), 'utf8')) as Merged;
    // The summary's per-second and client figures are the same sums; the histograms merge exactly.
    assert.deepEqual(doc.histograms, old.histograms);
    assert.deepEqual(doc.mergedFrom, old.mergedFrom);
    for (const key of ['messages', 'rttUs', 'rttRawUs', 'sendLagUs', 'verdict']) assert.deepEqual(doc.summary[key], old.summary[key], key);
    // Today's merge also writes connections.portRetries, a field added since: the rest is the same.
    assert.deepEqual({ ...(doc.summary.connections as object), portRetries: undefined }, { ...(old.summary.connections as object), portRetries: undefined });
  });
});

describe('damaged and foreign files are refused with the file and the field named (exit 2)', { timeout: 120_000 }, () => {
  const cases: { what: string; file: () => string; expect: RegExp }[] = [
    {
      what: 'rttUs.p99 is a string',
      file: () => damaged((d) => (at(d, 'summary', 'rttUs').p99 = '4103')),
      expect: /summary\.rttUs\.p99: .*expected number, received string/,
    },
    {
      what: 'summary.messages is missing',
      file: () => damaged((d) => delete at(d, 'summary').messages),
      expect: /summary\.messages: missing/,
    },
    {
      what: 'an unknown verdict',
      file: () => damaged((d) => (at(d, 'summary').verdict = 'great')),
      expect: /summary\.verdict: /,
    },
    {
      what: 'a series entry without its time',
      file: () => damaged((d) => delete (d.series as Record<string, unknown>[])[2].tS),
      expect: /series\[2\]\.tS: missing/,
    },
    {
      what: 'a histogram that does not decode',
      file: () => damaged((d) => (at(d, 'histograms').rttUs = 'bm90IGEgaGlzdG9ncmFt')),
      expect: /histograms\.rttUs: not an encoded histogram/,
    },
    {
      what: 'a future schemaVersion',
      file: () => damaged((d) => (d.schemaVersion = 2)),
      expect: /schemaVersion 2; this wsbench reads results of schemaVersion 1/,
    },
    {
      what: 'schemaVersion 0',
      file: () => damaged((d) => (d.schemaVersion = 0)),
      expect: /schemaVersion: /,
    },
    {
      what: 'a truncated file',
      file: () => damaged(() => undefined, readFileSync(fixture('before-send-clock.json'), 'utf8').slice(0, 500)),
      expect: /is not JSON/,
    },
    {
      what: 'a JSON array',
      file: () => damaged(() => undefined, '[1,2]'),
      expect: /the JSON is an array, not an object/,
    },
    {
      what: 'compare.json',
      file: () => damaged(() => undefined, JSON.stringify({ baseline: 'node', repeat: 1, comparisons: [] })),
      expect: /is a comparison summary \(compare\.json, written by wsbench compare\), not a run's result[\s\S]*pass the run result files instead/,
    },
    {
      what: 'capacity.json',
      file: () => damaged(() => undefined, JSON.stringify({ kind: 'wsbench-capacity', schemaVersion: 1, steps: [] })),
      expect: /is a capacity summary \(capacity\.json, written by wsbench capacity\), not a run's result[\s\S]*pass the run result files instead/,
    },
  ];

  for (const c of cases) {
    it(`${c.what}: report, the gate and merge exit 2`, async () => {
      const file = c.file();
      const good = fixture('before-send-clock.json');
      for (const args of [
        ['report', file],
        ['report', good, '--baseline', file, '--max-regression', 'rtt.p99=10%'],
        ['merge', file, '--json'],
      ]) {
        const r = await run(args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.ok(r.stderr.includes(file), r.stderr);
        assert.match(r.stderr, c.expect);
        assert.doesNotMatch(r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
        assert.equal(r.stdout, '', 'nothing rendered from a refused file');
      }
    });
  }

  it('a result with a field added by a later wsbench (same schemaVersion) still reads', async () => {
    const file = damaged((d) => {
      d.someFutureField = { x: 1 };
      at(d, 'summary', 'messages').someFutureCounter = 3;
    });
    const r = await run(['report', file]);
    assert.equal(r.code, 0, r.stderr);
  });
});
