/**
 * A self-contained HTML report: the comparison table, a latency percentile chart per tier (one
 * curve per server, both axes logarithmic, as HdrHistogram plots) and RSS-per-connection bars.
 * Charts are inline SVG drawn here, the data is embedded as JSON: it opens in a browser without a
 * network and can be re-analysed from the file alone.
 */
import { mergeEncoded } from '../metrics/histograms.js';
import { comparisonRows, runLabel, COMPARISON_COLUMNS, type ComparisonRow } from './comparison.js';
import type { ResultDocument } from './result-schema.js';

const PERCENTILES = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999];
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export interface PercentileCurve {
  server: string;
  tier: string;
  /** [percentile, latency µs] from the runs' histograms merged exactly. */
  points: [number, number][];
}

export function percentileCurves(docs: ResultDocument[]): PercentileCurve[] {
  const groups = new Map<string, { server: string; tier: string; hists: string[] }>();
  for (const d of docs) {
    const { server, tier } = runLabel(d);
    const key = `${server}\u0000${tier}`;
    const g = groups.get(key) ?? { server, tier, hists: [] };
    g.hists.push(d.histograms.rttUs);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const h = mergeEncoded(g.hists);
    const points = h.totalCount ? PERCENTILES.map((p) => [p, h.getValueAtPercentile(p)] as [number, number]) : [];
    h.destroy();
    return { server: g.server, tier: g.tier, points };
  });
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function colorOf(servers: string[], server: string): string {
  return COLORS[servers.indexOf(server) % COLORS.length];
}

/** Percentile curves of one tier: x = log10(1/(1-p)), y = log10(latency ms). */
function latencyChart(tier: string, curves: PercentileCurve[], servers: string[]): string {
  const W = 720;
  const H = 340;
  const m = { l: 60, r: 130, t: 30, b: 45 };
  const xOf = (p: number) => Math.log10(100 / (100 - p));
  const all = curves.flatMap((c) => c.points.map(([, us]) => Math.max(us, 1) / 1000));
  if (all.length === 0) return `<p>No latency samples for ${esc(tier)}.</p>`;
  const yMin = Math.floor(Math.log10(Math.min(...all)));
  const yMax = Math.max(yMin + 1, Math.ceil(Math.log10(Math.max(...all))));
  const xMax = xOf(PERCENTILES[PERCENTILES.length - 1]);
  const px = (p: number) => m.l + ((xOf(p) - xOf(50)) / (xMax - xOf(50))) * (W - m.l - m.r);
  const py = (ms: number) => H - m.b - ((Math.log10(Math.max(ms, 10 ** yMin)) - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  const parts: string[] = [];
  for (let e = yMin; e <= yMax; e++) {
    const y = py(10 ** e);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${m.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)} ms</text>`);
  }
  for (const p of [50, 90, 99, 99.9, 99.99, 99.999]) {
    const x = px(p);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/><text x="${x}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">p${p}</text>`);
  }
  curves.forEach((c, i) => {
    const color = colorOf(servers, c.server);
    const d = c.points.map(([p, us], j) => `${j ? 'L' : 'M'}${px(p).toFixed(1)},${py(us / 1000).toFixed(1)}`).join(' ');
    parts.push(`<path class="curve" data-server="${esc(c.server)}" d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<rect x="${W - m.r + 12}" y="${m.t + i * 18}" width="12" height="3" fill="${color}"/><text x="${W - m.r + 30}" y="${m.t + i * 18 + 5}" font-size="12">${esc(c.server)}</text>`);
  });
  parts.push(`<text x="${m.l}" y="18" font-size="13" font-weight="bold">RTT percentiles, ${esc(tier)} (log axes)</text>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">percentile</text>`);
  return `<svg class="chart latency" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

/** Server RSS per connection, grouped by tier, one bar per server. */
function rssChart(rows: ComparisonRow[], servers: string[]): string {
  const data = rows.filter((r) => r.serverRssPerConnectionKb !== null);
  if (data.length === 0) return '<p>No server memory figures (runs without a server pid).</p>';
  const tiers = [...new Set(data.map((r) => r.tier))];
  const W = 720;
  const H = 300;
  const m = { l: 60, r: 130, t: 30, b: 40 };
  const max = Math.max(...data.map((r) => r.serverRssPerConnectionKb!), 0.01);
  const groupW = (W - m.l - m.r) / tiers.length;
  const barW = Math.max(4, (groupW * 0.8) / servers.length);
  const parts: string[] = [`<text x="${m.l}" y="18" font-size="13" font-weight="bold">Server RSS per connection (KB)</text>`];
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    const y = H - m.b - (v / max) * (H - m.t - m.b);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${m.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">${v.toFixed(1)}</text>`);
  }
  tiers.forEach((tier, ti) => {
    const gx = m.l + ti * groupW + groupW * 0.1;
    parts.push(`<text x="${m.l + ti * groupW + groupW / 2}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${esc(tier)}</text>`);
    servers.forEach((server, si) => {
      const row = data.find((r) => r.tier === tier && r.server === server);
      if (!row) return;
      const h = (row.serverRssPerConnectionKb! / max) * (H - m.t - m.b);
      parts.push(`<rect class="bar" data-server="${esc(server)}" data-tier="${esc(tier)}" x="${gx + si * barW}" y="${H - m.b - h}" width="${barW - 2}" height="${h}" fill="${colorOf(servers, server)}"><title>${esc(server)} ${esc(tier)}: ${row.serverRssPerConnectionKb!.toFixed(2)} KB</title></rect>`);
    });
  });
  servers.forEach((s, i) => parts.push(`<rect x="${W - m.r + 12}" y="${m.t + i * 18 - 6}" width="12" height="10" fill="${colorOf(servers, s)}"/><text x="${W - m.r + 30}" y="${m.t + i * 18 + 3}" font-size="12">${esc(s)}</text>`));
  return `<svg class="chart rss" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

export function renderHtmlReport(docs: ResultDocument[], title = 'wsbench report'): string {
  const rows = comparisonRows(docs);
  const curves = percentileCurves(docs);
  const servers = [...new Set(rows.map((r) => r.server))];
  const tiers = [...new Set(rows.map((r) => r.tier))];
  const env = docs[0]?.environment;
  const table = [
    '<table><thead><tr>',
    ...COMPARISON_COLUMNS.map((c) => `<th>${esc(c.title)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map((r) => `<tr>${COMPARISON_COLUMNS.map((c) => `<td>${esc(c.format(r))}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
  const data = JSON.stringify({ rows, curves, runs: docs.map((d) => ({ label: runLabel(d), name: d.name, startedAt: d.startedAt, config: d.config, summary: d.summary })) }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,td:nth-child(2),th{text-align:left}.chart{display:block;margin:1.5em 0}</style>
</head><body>
<h1>${esc(title)}</h1>
<p>${env ? esc(`${env.cpuModel} × ${env.cores} cores, ${(env.memTotalBytes / 2 ** 30).toFixed(1)} GiB, ${env.os}, kernel ${env.kernel}, Node ${env.node}`) : ''}</p>
<p>Latency is round-trip time from the intended send time (corrected for coordinated omission); medians over repeats, the p99 spread shows their range.</p>
${table}
${tiers.map((t) => latencyChart(t, curves.filter((c) => c.tier === t), servers)).join('\n')}
${rssChart(rows, servers)}
<script type="application/json" id="wsbench-data">${data}</script>
</body></html>
`;
}
