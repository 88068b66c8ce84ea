/**
 * A self-contained HTML report: the comparison table, the charts of html-charts.ts, and the data
 * embedded as JSON. It opens in a browser without a network and can be re-analysed from the file
 * alone. The page uses the window's width: charts sit in a grid that fills it.
 */
import { comparisonColumns, comparisonRows, groupRuns, lineName } from './comparison.js';
import { percentileCharts, percentileCurves, rssBars, seriesCharts, tierCharts } from './html-charts.js';
import { COLORS, type ChartSpec } from './chart/chart-spec.js';
import { chartAssets, chartFigure } from './chart/chart-html.js';
import { escapeHtml as esc } from './html.js';
import { significanceHtml } from './significance-table.js';
import type { ServerComparison } from '../result/figure-comparison.js';
import type { ResultDocument } from '../contract/result.js';

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:1.5em 2em;color:#222}',
  'table{border-collapse:collapse;margin:1em 0;width:100%}',
  'td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}',
  'th,td.text{text-align:left}',
  '.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,560px),1fr));gap:1.5em 2em;margin:1em 0}',
  'h2{margin-top:1.5em}',
].join('');

const TEXT_KEYS = new Set(['run', 'server', 'tier', 'verdict']);

/** `significance`: compare's verdicts (src/compare/significance.ts), shown under the table. */
export function renderHtmlReport(docs: ResultDocument[], title = 'wsbench report', significance: readonly ServerComparison[] = []): string {
  const groups = groupRuns(docs);
  const rows = comparisonRows(docs);
  const curves = percentileCurves(groups);
  const names = [...new Set(rows.map(lineName))];
  const colorOf = (name: string) => COLORS[Math.max(0, names.indexOf(name)) % COLORS.length];
  const tiers = [...new Set(rows.map((r) => r.tier))];
  const env = docs[0]?.environment;
  const columns = comparisonColumns(rows);
  const table = [
    '<table><thead><tr>',
    ...columns.map((c) => `<th>${esc(c.title)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map((r) => `<tr>${columns.map((c) => `<td${TEXT_KEYS.has(c.key) ? ' class="text"' : ''}>${esc(c.format(r))}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
  const byTier = tierCharts(rows, colorOf).map(chartFigure).join('\n');
  const rss = rssBars(rows, colorOf);
  const runs = docs.map((d) => ({ label: d.label ?? null, name: d.name, startedAt: d.startedAt, config: d.config, summary: d.summary, series: d.series }));
  const data = JSON.stringify({ rows, curves, runs }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>${STYLE}</style>
${chartAssets()}
</head><body>
<h1>${esc(title)}</h1>
<p>${env ? esc(`${env.cpuModel} × ${env.cores} cores, ${(env.memTotalBytes / 2 ** 30).toFixed(1)} GiB, ${env.os}, kernel ${env.kernel}, Node ${env.node}`) : ''}</p>
<p>Latency is the headline round trip, from just before each write to its reply (socket queueing included; see docs/measurement.md, &ldquo;The headline&rdquo;); one row per run, medians over its repeats, the p99 spread shows their range. Shards and merged results are separate rows.</p>
${table}
${significanceHtml(significance)}
${byTier ? `<h2>By client tier</h2>\n<div class="grid">${byTier}</div>` : ''}
<h2>Latency percentiles and server memory</h2>
<div class="grid">
${figures(percentileCharts(tiers, curves, colorOf))}
${rss ? chartFigure(rss) : '<p>No server memory figures (runs without a server pid).</p>'}
</div>
<h2>Latency over time (per second; p99 solid, p50 dashed)</h2>
<div class="grid">
${figures(seriesCharts(groups, colorOf))}
</div>
<script type="application/json" id="wsbench-data">${data}</script>
</body></html>
`;
}

/** Charts as figures; a line of text where a chart had nothing to draw. */
function figures(items: (ChartSpec | string)[]): string {
  return items.map((c) => (typeof c === 'string' ? `<p>${esc(c)}</p>` : chartFigure(c))).join('\n');
}
