/**
 * The live dashboard in headless Chromium (Debian's `chromium`) during a run: its figures change
 * between two instants, its uPlot charts are drawn and take the new points, and after the run the
 * same page is the final HTML report, charts and all. Skipped, with the reason, where chromium is
 * absent.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnCli, startServe, killAll, runWindow } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import { waitFor } from '../helpers/http.js';
import { CHROMIUM, openPage, type Page } from '../helpers/chromium.js';
import { drawnCharts, hoverValues, screenshotFile } from '../helpers/page-charts.js';

const skip = CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)';
let page: Page | undefined;

after(async () => {
  await page?.close();
  await killAll();
});

describe('wsbench load --dashboard in headless Chromium', { skip, timeout: 180_000 }, () => {
  it('the figures and charts change while the run goes; after it the page is the final report', async (t) => {
    const server = await startServe();
    const out = tempDir();
    const load = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '20',
      '--rate',
      '20',
      ...runWindow('8s'),
      '--name',
      'dash',
      '--dashboard',
      '0',
      '--out',
      out,
    ]);
    const [, url] = await load.waitForStderr(/dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/);
    ({ page } = await openPage(url));
    const p = page;
    const figures = () => p.evaluate<string>(`document.getElementById('figures')?.innerText ?? ''`);
    const first = await waitFor('figures on the page', async () => /connections/.test(await figures()) && figures(), 60_000);
    const second = await waitFor(
      'the next second',
      async () => {
        const now = await figures();
        return now !== first && now;
      },
      30_000,
    );
    t.diagnostic(`first:\n${first}\nthen:\n${second}`);
    assert.match(second, /p99 ms\s+[\d.]+/);
    assert.match(await p.evaluate<string>(`document.getElementById('run-title').innerText`), /run 1: dash → ws:\/\/127\.0\.0\.1:\d+\//);

    // The charts take each second's point (setData): the latency chart's x column grows.
    const points = () => p.evaluate<number>(`wsbCharts.of(document.querySelector('figure.live-latency')).data[0].length`);
    const before = await waitFor('points on the latency chart', async () => (await points()) >= 2 && points(), 30_000);
    await waitFor('the next point on the chart', async () => (await points()) > before, 30_000);
    const live = await drawnCharts(p);
    assert.deepEqual(live.errors, []);
    assert.deepEqual(
      live.charts.map((c) => c.cls),
      ['chart live-latency', 'chart live-rate', 'chart live-conn', 'chart live-cpu'],
    );
    for (const c of live.charts.slice(0, 3)) assert.ok(c.seriesPixels > 20, `${c.cls}: its lines are on the canvas (${c.seriesPixels} px)`);
    const [x, ...values] = await hoverValues(p, 0);
    assert.match(x, /^[\d.]+ s$/, 'seconds since the run started');
    assert.ok(
      values.some((v) => / ms$/.test(v)),
      values.join(', '),
    );
    const shot = screenshotFile('dashboard', out);
    await p.screenshot(shot);
    t.diagnostic(`screenshot: ${shot}`);

    const exit = await load.exited;
    assert.ok(exit.code === 0 || exit.code === 5, load.stderr());
    const title = await waitFor(
      'the final report',
      async () => {
        const now = await p.evaluate<string>('document.title');
        return now === 'wsbench load' && now;
      },
      30_000,
    );
    assert.equal(title, 'wsbench load');
    assert.equal(await p.evaluate<string>(`document.querySelector('h1').innerText`), 'wsbench load');
    assert.equal(await p.evaluate<boolean>(`document.getElementById('figures') === null`), true, 'the live page is gone');
    const report = await drawnCharts(p);
    assert.deepEqual(report.errors, []);
    assert.ok(
      report.charts.some((c) => c.cls === 'chart series' && c.seriesPixels > 20),
      'the report drawn in place of the live page',
    );
    await server.stop();
  });
});
