/**
 * The charts' HTML: uPlot's script and styles and our browser side (browser/wsb-charts.js),
 * inlined into the page's head so that every page is one file that opens offline, and one
 * <figure> per chart carrying its spec as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml as esc } from '../html.js';
import type { ChartSpec } from './chart-spec.js';

const require = createRequire(import.meta.url);

// browser/wsb-charts.js is plain JavaScript that tsc does not copy: it ships as source (package.json
// "files") and is read from there, four levels above this file's place in dist/src/report/chart.
const RUNTIME = new URL('../../../../src/report/chart/browser/wsb-charts.js', import.meta.url);

const STYLE = [
  'figure.chart{margin:0;min-width:0}',
  'figure.chart figcaption{font-weight:600;font-size:13px;margin:0 0 4px}',
  'figure.chart .u-legend{font-size:12px}',
  // The pages style their own tables; uPlot's legend is a table too.
  'figure.chart .u-legend th,figure.chart .u-legend td{border:0;padding:1px 3px;text-align:left}',
  'figure.chart .u-legend .u-value{font-variant-numeric:tabular-nums}',
].join('');

let assets: string | undefined;

/** <style> and <script> elements for the page's head: uPlot and the code that draws every figure from its spec. */
export function chartAssets(): string {
  assets ??= [
    `<style>${readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')}${STYLE}</style>`,
    inlineScript(readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')),
    inlineScript(readFileSync(RUNTIME, 'utf8')),
  ].join('\n');
  return assets;
}

/** One chart: its title, a place for the canvas, and its spec, drawn when the page has loaded. */
export function chartFigure(spec: ChartSpec): string {
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  return `<figure class="chart ${esc(spec.cls)}" data-wsb-chart><figcaption>${esc(spec.title)}</figcaption><div class="chart-canvas"></div><script type="application/json">${json}</script></figure>`;
}

// A script's text ends at the first "</script": none may appear inside it.
function inlineScript(code: string): string {
  return `<script>${code.replace(/<\/script/gi, '<\\/script')}</script>`;
}
