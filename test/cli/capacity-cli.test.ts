import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnCli, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import type { CapacityDocument } from '../../src/capacity/capacity-report.js';

after(killAll);

const SHORT = ['--runtime', 'node', '--duration', '2s', '--warmup', '1s'];

describe('wsbench capacity', { timeout: 180_000 }, () => {
  it('steps up against a fresh wsbench serve per run and writes JSON, CSV and HTML', { timeout: 90_000 }, async () => {
    const out = tempDir();
    const p = spawnCli(['capacity', ...SHORT, '--from', '50', '--to', '100', '--slo', 'errors==0', '--out', out, '--json']);
    const exit = await p.exited;
    assert.equal(exit.code, 0, p.stderr());
    const doc = JSON.parse(p.stdout()) as CapacityDocument;
    assert.deepEqual(
      doc.steps.map((s) => [s.clients, s.outcome]),
      [
        [50, 'pass'],
        [100, 'pass'],
      ],
    );
    assert.equal(doc.answer.kind, 'at-least');
    assert.ok(
      doc.steps.every((s) => s.serverRssPerConnectionKb !== null),
      'the fresh server is sampled',
    );
    assert.match(p.stderr(), /step\s+clients\s+result/);
    assert.match(p.stderr(), /capacity: at least 100 clients/);
    const files = readdirSync(out);
    for (const f of ['capacity.json', 'capacity.csv', 'capacity.html', 'runs']) assert.ok(files.includes(f), f);
    assert.equal(readdirSync(path.join(out, 'runs')).filter((f) => f.endsWith('.json')).length, 2, 'one result per run');
    const csv = readFileSync(path.join(out, 'capacity.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 3);
    assert.match(readFileSync(path.join(out, 'capacity.html'), 'utf8'), /<svg[^>]*>.*p99/s);
  });

  it('an SLO no server meets ends at --from with the reason; bad flags are usage errors', { timeout: 60_000 }, async () => {
    const out = tempDir();
    const p = spawnCli(['capacity', ...SHORT, '--from', '20', '--to', '40', '--slo', 'rtt.p99<1us', '--out', out, '--json']);
    assert.equal((await p.exited).code, 0, p.stderr());
    const doc = JSON.parse(p.stdout()) as CapacityDocument;
    assert.equal(doc.answer.kind, 'below-from');
    assert.equal(doc.steps.length, 1);
    assert.match(doc.steps[0].reasons.join(' '), /rtt\.p99<1us not met/);
    for (const args of [
      ['--runtime', 'node', '--slo', 'latency<5'],
      ['ws://127.0.0.1:9/', '--runtime', 'node'],
      ['--runtime', 'node', '--from', '10k', '--to', '5k'],
      ['--runtime', 'node', '--step', 'x1'],
    ]) {
      const bad = spawnCli(['capacity', ...args]);
      assert.equal((await bad.exited).code, 2, `${args.join(' ')}: ${bad.stderr()}`);
    }
  });
});
