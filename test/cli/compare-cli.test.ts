import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';

after(killAll);

describe('wsbench compare over two client tiers', { timeout: 120_000 }, () => {
  it('draws p50, p99 and RSS per connection against the tier, one line per server, and writes no empty failed-checks.json', { timeout: 100_000 }, async () => {
    const dir = tempDir('wsb-tiers-');
    const tiers = [
      ['t20', 20],
      ['t80', 80],
    ] as const;
    for (const [name, clients] of tiers) {
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ clients, rate: 5, duration: '1s500ms', warmup: '0.5s', grace: '1s' }));
    }
    const out = tempDir('wsb-compare-');
    const p = spawnCli([
      'compare',
      '--runtimes',
      'node',
      '--profiles',
      tiers.map(([n]) => path.join(dir, `${n}.json`)).join(','),
      '--repeat',
      '1',
      '--out',
      out,
      '--log-level',
      'warn',
    ]);
    assert.equal((await p.exited).code, 0, p.stderr());
    assert.match(p.stdout(), /significance: single run: no significance/);
    const files = readdirSync(out);
    // A profile given as a path is named by its file name, in the tables and in the result files.
    assert.doesNotMatch(p.stdout() + p.stderr(), new RegExp(dir.replace(/[/\\]/g, '.')), 'no profile path in the output');
    for (const t of ['t20', 't80'])
      assert.ok(
        files.some((f) => f.endsWith(`-node-${t}-r1.json`)),
        `${t}'s result file: ${files.join(', ')}`,
      );
    assert.ok(!files.includes('failed-checks.json'), `every server passed the gate: ${files.join(', ')}`);
    const html = readFileSync(path.join(out, 'compare.html'), 'utf8');
    for (const cls of ['tier-p50', 'tier-p99', 'tier-rss']) {
      const svg = new RegExp(`<svg class="chart ${cls}".*?</svg>`, 's').exec(html)?.[0];
      assert.ok(svg, `${cls} chart`);
      assert.equal((svg.match(/<path class="tier-line" data-server="node"/g) ?? []).length, 1, `${cls}: one line for the one server`);
      assert.equal((svg.match(/<circle /g) ?? []).length, 2, `${cls}: a point per tier`);
      assert.match(svg, /t20 \(20\)/);
      assert.match(svg, /t80 \(80\)/);
    }
    assert.equal((html.match(/<svg class="chart series"/g) ?? []).length, 2, 'latency over time, one chart per run');
    // compare's runs are named by server and tier: no run column.
    assert.doesNotMatch(html, /<th>run<\/th>/);
  });
});

describe('wsbench compare --profiles', () => {
  it('refuses two profile files that would be one tier (exit 2)', async () => {
    const a = tempDir('wsb-tier-a-');
    const b = tempDir('wsb-tier-b-');
    for (const d of [a, b]) writeFileSync(path.join(d, 'p.json'), JSON.stringify({ clients: 10 }));
    const p = spawnCli(['compare', '--runtimes', 'node', '--profiles', `${a}/p.json,${b}/p.json`]);
    assert.equal((await p.exited).code, 2, p.stderr());
    assert.match(p.stderr(), /would both be tier p/);
  });
});
