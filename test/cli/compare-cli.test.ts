import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import { CHROMIUM, openPage, type Page } from '../helpers/chromium.js';
import { chartSpecsIn, drawnCharts, hoverValues, screenshotFile } from '../helpers/page-charts.js';

let page: Page | undefined;
after(async () => {
  await page?.close();
  await killAll();
});

describe('wsbench compare over two client tiers', { timeout: 180_000 }, () => {
  let out = '';
  it('draws p50, p99 and RSS per connection against the tier, one line per server, and writes no empty failed-checks.json', { timeout: 100_000 }, async () => {
    const dir = tempDir('wsb-tiers-');
    const tiers = [
      ['t20', 20],
      ['t80', 80],
    ] as const;
    for (const [name, clients] of tiers) {
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ clients, rate: 5, duration: '1s500ms', warmup: '0.5s', grace: '1s' }));
    }
    out = tempDir('wsb-compare-');
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
    assert.ok(!files.includes('failed-checks.json'), `every server passed the conformance check: ${files.join(', ')}`);
    const html = readFileSync(path.join(out, 'compare.html'), 'utf8');
    const specs = chartSpecsIn(html);
    for (const cls of ['tier-p50', 'tier-p99', 'tier-rss']) {
      const chart = specs.find((c) => c.cls === cls);
      assert.ok(chart, `${cls} chart`);
      assert.deepEqual(
        chart.series.map((s) => s.label),
        ['node'],
        `${cls}: one line for the one server`,
      );
      assert.deepEqual(chart.data[0], [20, 80], `${cls}: a point per tier`);
      assert.equal(chart.data[1].filter((v) => v !== null).length, 2);
      assert.deepEqual(
        chart.x.ticks?.map((t) => t.label),
        ['t20 (20)', 't80 (80)'],
      );
    }
    const series = specs.filter((c) => c.cls === 'series');
    assert.equal(series.length, 2, 'latency over time, one chart per run');
    assert.ok(series[0].y.range, 'the runs side by side share a y range');
    assert.deepEqual(series[0].y.range, series[1].y.range);
    const latencies = specs.filter((c) => c.cls === 'latency');
    assert.equal(latencies.length, 2, 'percentiles, one chart per tier');
    assert.deepEqual(latencies[0].y.range, latencies[1].y.range, 'the tiers share a latency range');
    // compare's runs are named by server and tier: no run column.
    assert.doesNotMatch(html, /<th>run<\/th>/);
  });

  const skip = CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)';
  it('the report in headless Chromium: every chart drawn by uPlot, the runs on one y range, values under the cursor', { skip, timeout: 60_000 }, async (t) => {
    assert.ok(out, 'the compare above wrote its report');
    ({ page } = await openPage(`file://${path.join(out, 'compare.html')}`));
    const drawn = await drawnCharts(page);
    assert.deepEqual(drawn.errors, []);
    t.diagnostic(drawn.charts.map((c) => `${c.cls}: ${c.seriesPixels} px, y ${c.yRange.join('..')}`).join('\n'));
    for (const c of drawn.charts) {
      assert.ok(c.seriesPixels > 20, `${c.cls}: its lines or bars are on the canvas`);
      assert.ok(c.yRange[1] >= c.yDataMax, `${c.cls}: the y axis ends above the largest value`);
    }
    const series = drawn.charts.filter((c) => c.cls === 'chart series');
    assert.equal(series.length, 2, 'one chart per run');
    assert.deepEqual(series[0].yRange, series[1].yRange, 'the runs side by side on one y range');
    const [x, ...values] = await hoverValues(page, drawn.charts.indexOf(series[0]));
    assert.match(x, /^[\d.]+ s$/, 'the time axis is in seconds');
    assert.ok(
      values.some((v) => / ms$/.test(v)),
      `hover values in ms: ${values.join(', ')}`,
    );
    const shot = screenshotFile('compare-report', out);
    await page.screenshot(shot);
    t.diagnostic(`screenshot: ${shot}`);
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
