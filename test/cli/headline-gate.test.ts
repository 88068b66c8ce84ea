import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, killAll, REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import type { ResultDocument } from '../../src/contract/result.js';

after(killAll);

/**
 * Results written before the headline (test/fixtures/results/before-headline: three smoke demos of
 * commit 5a30fd8, whose headline was the corrected rttUs) must read, report and gate as before; a
 * new head gated on them must say which figure it fell back to; and results of different arrival
 * patterns must not be compared on a timing figure at all.
 */
const fixtures = (dir: string) =>
  readdirSync(path.join(REPO_ROOT, 'test', 'fixtures', 'results', dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(REPO_ROOT, 'test', 'fixtures', 'results', dir, f));
const OLD = fixtures('before-headline');
const NEW = fixtures('headline');

async function report(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnCli(['report', ...args]);
  const exit = await p.exited;
  return { code: exit.code, stdout: p.stdout(), stderr: p.stderr() };
}

describe('the headline across result versions', { timeout: 60_000 }, () => {
  it('results written before the headline still report, and gate on rtt.* as they did', async () => {
    const old = JSON.parse(readFileSync(OLD[0], 'utf8')) as ResultDocument;
    assert.equal(old.summary.latencyBasis, undefined, 'the fixture predates the headline');
    const table = await report(OLD);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /p99 ms/);
    // Each result against itself: a gate that passes unless reading the old file changed a figure.
    const gate = await report([OLD[0], '--baseline', OLD[0], '--max-regression', 'rtt.p99=0%,rttRaw.p99=0%,messagesPerSec=0%,errors=0%']);
    assert.equal(gate.code, 0, gate.stderr);
    assert.doesNotMatch(gate.stderr, /compared on/, 'the same basis on both sides: no fallback');
  });

  it('a new head gated against an old baseline on latency.* falls back to rttRaw.* and says so in one line', async () => {
    const gate = await report([...NEW, ...OLD.flatMap((f) => ['--baseline', f]), '--max-regression', 'latency.p99=1000%']);
    assert.equal(gate.code, 0, gate.stderr);
    const notes = gate.stderr.split('\n').filter((l) => /compared on rttRaw\.p99/.test(l));
    assert.equal(notes.length, 1, gate.stderr);
    assert.match(notes[0], /latency\.p99: the baseline was written before the headline/);
    assert.match(gate.stderr, /rttRaw\.p99/);
  });

  it('new results gate on latency.* directly', async () => {
    const gate = await report([NEW[0], '--baseline', NEW[0], '--max-regression', 'latency.p99=0%']);
    assert.equal(gate.code, 0, gate.stderr);
    assert.doesNotMatch(gate.stderr, /compared on/);
    assert.match(gate.stderr, /latency\.p99/);
  });

  it('refuses (exit 2) to compare timing figures of different arrival patterns', async () => {
    const doc = JSON.parse(readFileSync(NEW[0], 'utf8')) as ResultDocument;
    doc.config.arrivals = 'spread';
    const spread = path.join(tempDir(), 'spread.json');
    writeFileSync(spread, JSON.stringify(doc));
    const gate = await report([spread, '--baseline', NEW[1], '--max-regression', 'latency.p99=10%']);
    assert.equal(gate.code, 2, gate.stderr);
    assert.match(gate.stderr, /--arrivals grid .* --arrivals spread|--arrivals spread .* --arrivals grid/);
    assert.doesNotMatch(gate.stderr, /\n\s+at /, 'no stack trace');
  });
});
