/**
 * The charts of a wsbench page (src/report/chart), read two ways: the specs written into the HTML,
 * and what uPlot drew in headless Chromium (how many charts, pixels of each series' colour on the
 * canvas, the y range, the legend's values under the cursor).
 */
import path from 'node:path';
import type { ChartSpec } from '../../src/report/chart/chart-spec.js';
import type { Page } from './chromium.js';
import { waitFor } from './http.js';

/** The chart specs of a page, in page order. */
export function chartSpecsIn(html: string): ChartSpec[] {
  return [...html.matchAll(/<figure class="chart [^"]*" data-wsb-chart>.*?<script type="application\/json">(.*?)<\/script><\/figure>/gs)].map(
    (m) => JSON.parse(m[1]) as ChartSpec,
  );
}

export interface DrawnChart {
  cls: string;
  /** Canvas pixels in one of the chart's series colours: 0 means no line or bar was drawn. */
  seriesPixels: number;
  yRange: [number, number];
  /** The largest value plotted. */
  yDataMax: number;
}

export interface DrawnCharts {
  figures: number;
  charts: DrawnChart[];
  errors: string[];
}

// Runs in the page: a pixel counts when it is opaque and within a small distance of a series colour.
const READ_CHARTS = `(() => {
  const rgb = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  const figures = [...document.querySelectorAll('figure[data-wsb-chart]')];
  if (!window.wsbCharts) return { figures: figures.length, charts: [], errors: ['no window.wsbCharts on the page'] };
  const charts = figures.flatMap((f) => {
    const u = wsbCharts.of(f);
    if (!u) return [];
    const colors = JSON.parse(f.querySelector('script[type="application/json"]').textContent).series.map((s) => rgb(s.color));
    const px = u.ctx.getImageData(0, 0, u.ctx.canvas.width, u.ctx.canvas.height).data;
    let seriesPixels = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] < 200) continue;
      if (colors.some(([r, g, b]) => Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) < 40)) seriesPixels++;
    }
    const yDataMax = Math.max(...u.data.slice(1).flatMap((col) => col.filter((v) => v != null)));
    return [{ cls: f.className, seriesPixels, yRange: [u.scales.y.min, u.scales.y.max], yDataMax }];
  });
  return { figures: figures.length, charts, errors: wsbCharts.errors };
})()`;

/** What uPlot drew, once every chart of the page is drawn (or `timeoutMs` has passed). */
export async function drawnCharts(page: Page, timeoutMs = 20_000): Promise<DrawnCharts> {
  return waitFor(
    'the charts drawn',
    async () => {
      const drawn = await page.evaluate<DrawnCharts>(READ_CHARTS);
      return drawn.figures > 0 && drawn.charts.length === drawn.figures && drawn;
    },
    timeoutMs,
  );
}

/** The legend of chart `index` with the cursor in the middle of its plot: the x value, then each series' value. */
export function hoverValues(page: Page, index: number): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const u = wsbCharts.charts[${index}];
    u.setCursor({ left: u.bbox.width / devicePixelRatio / 2, top: u.bbox.height / devicePixelRatio / 2 });
    return [...u.root.querySelectorAll('.u-legend .u-value')].map((e) => e.textContent);
  })()`);
}

/** Where a test writes its screenshot: $WSBENCH_SCREENSHOTS if set (to keep them), else beside its other files. */
export function screenshotFile(name: string, dir: string): string {
  return path.join(process.env.WSBENCH_SCREENSHOTS ?? dir, `${name}.png`);
}
