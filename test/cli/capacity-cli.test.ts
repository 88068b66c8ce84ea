import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnCli, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import { CHROMIUM, openPage, type Page } from '../helpers/chromium.js';
import { chartSpecsIn, drawnCharts, hoverValues, screenshotFile } from '../helpers/page-charts.js';
import type { CapacityDocument } from '../../src/capacity/capacity-report.js';

let page: Page | undefined;
after(async () => {
  await page?.close();
  await killAll();
});

const SHORT = ['--runtime', 'node', '--duration', '2s', '--warmup', '1s'];

describe('wsbench capacity', { timeout: 240_000 }, () => {
  let html = '';
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
    html = path.join(out, 'capacity.html');
    const charts = chartSpecsIn(readFileSync(html, 'utf8'));
    assert.deepEqual(
      charts.map((c) => c.cls),
      ['latency', 'rss', 'cpu'],
    );
    assert.deepEqual(
      charts[0].series.map((s) => s.label),
      ['p50', 'p99'],
    );
    assert.deepEqual(charts[0].data[0], [50, 100], 'clients on x, a point per step');
    assert.deepEqual(charts[0].markers, [{ at: 100, label: 'last pass', color: '#2ca02c' }]);
  });

  const skip = CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)';
  it('capacity.html in headless Chromium: every chart drawn by uPlot, with values under the cursor', { skip, timeout: 60_000 }, async (t) => {
    assert.ok(html, 'the search above wrote its report');
    ({ page } = await openPage(`file://${html}`));
    const drawn = await drawnCharts(page);
    assert.deepEqual(drawn.errors, []);
    assert.equal(drawn.charts.length, 3);
    for (const c of drawn.charts) assert.ok(c.seriesPixels > 20, `${c.cls}: its lines are on the canvas (${c.seriesPixels} px)`);
    const [x, p50, p99] = await hoverValues(page, 0);
    assert.match(x, /^\d+$/, 'clients');
    assert.match(p50, / ms$/);
    assert.match(p99, / ms$/);
    const shot = screenshotFile('capacity-report', path.dirname(html));
    await page.screenshot(shot);
    t.diagnostic(`screenshot: ${shot}`);
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
