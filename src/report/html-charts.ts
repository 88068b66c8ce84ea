/**
 * The charts of the HTML report: latency percentile curves per tier (log axes, as HdrHistogram
 * plots them), server RSS per connection as bars, the seed benchmark's question as lines over the
 * client tiers (p50, p99 and RSS per connection against 1k/10k/100k, one line per server), and
 * each run's latency over time from its per-second series.
 */
import { mergeEncoded } from '../metrics/histograms.js';
import { lineName, type ComparisonRow, type RunGroup } from './comparison.js';
import { headlineHistogramOf } from '../result/headline.js';
import type { SeriesEntry } from '../contract/result.js';
import { linearAxis, lineChart, logAxis, numberText, type Axis, type Series } from './svg-chart.js';
import { escapeHtml as esc } from './html.js';

export const PERCENTILES = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999];

export interface PercentileCurve {
  /** The row's line name (see lineName), its server and tier. */
  name: string;
  server: string;
  tier: string;
  /** [percentile, latency µs] from the runs' histograms merged exactly. */
  points: [number, number][];
}

export function percentileCurves(groups: RunGroup[]): PercentileCurve[] {
  return groups.map(({ id, docs }) => {
    const h = mergeEncoded(docs.map(headlineHistogramOf));
    const points = h.totalCount ? PERCENTILES.map((p) => [p, h.getValueAtPercentile(p)] as [number, number]) : [];
    h.destroy();
    return { name: lineName(id), server: id.server, tier: id.tier, points };
  });
}

const msLabel = (ms: number) => `${numberText(ms)} ms`;

/** Percentile curves of one tier: x = log10(1/(1-p)) ("nines"), y = latency ms on a log axis. */
export function percentileChart(tier: string, curves: PercentileCurve[], colorOf: (name: string) => string): string {
  const all = curves.flatMap((c) => c.points.map(([, us]) => Math.max(us, 1) / 1000));
  if (all.length === 0) return `<p>No latency samples for ${esc(tier)}.</p>`;
  const nines = (p: number) => Math.log10(100 / (100 - p));
  const x: Axis = {
    kind: 'linear',
    min: 0,
    max: nines(PERCENTILES[PERCENTILES.length - 1]),
    ticks: [50, 90, 99, 99.9, 99.99, 99.999].map((p) => ({ v: nines(p), label: `p${p}` })),
    title: 'percentile',
  };
  const y = { ...logAxis(Math.min(...all), Math.max(...all), msLabel), title: 'round-trip time' };
  const series: Series[] = curves.map((c) => ({
    name: c.name,
    color: colorOf(c.name),
    points: c.points.map(([p, us]) => [nines(p) - nines(50), us / 1000]),
    attrs: `class="curve" data-server="${esc(c.server)}" data-run="${esc(c.name)}"`,
  }));
  return lineChart({ cls: 'latency', title: `RTT percentiles, ${tier} (log axes)`, x, y, series });
}

/** Server RSS per connection, grouped by tier, one bar per line name; the axis ends on a tick above the largest bar. */
export function rssBars(rows: ComparisonRow[], colorOf: (name: string) => string): string {
  const data = rows.filter((r) => r.serverRssPerConnectionKb !== null);
  if (data.length === 0) return '<p>No server memory figures (runs without a server pid).</p>';
  const tiers = [...new Set(data.map((r) => r.tier))];
  const names = [...new Set(data.map(lineName))];
  const W = 640;
  const H = 300;
  const legendW = Math.min(200, 24 + 7 * Math.max(...names.map((n) => n.length)));
  const m = { l: 64, r: 16 + legendW, t: 30, b: 40 };
  const axis = linearAxis(Math.max(...data.map((r) => r.serverRssPerConnectionKb!), 0.01));
  const yOf = (v: number) => H - m.b - (v / axis.max) * (H - m.t - m.b);
  const groupW = (W - m.l - m.r) / tiers.length;
  const barW = Math.max(4, (groupW * 0.8) / names.length);
  const parts: string[] = [`<text x="${m.l}" y="18" font-size="13" font-weight="bold">Server RSS per connection (KB)</text>`];
  for (const t of axis.ticks) {
    const y = yOf(t.v).toFixed(1);
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#e4e4e4"/><text x="${m.l - 6}" y="${Number(y) + 4}" text-anchor="end" font-size="11">${esc(t.label)}</text>`,
    );
  }
  tiers.forEach((tier, ti) => {
    const gx = m.l + ti * groupW + groupW * 0.1;
    parts.push(`<text x="${m.l + ti * groupW + groupW / 2}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${esc(tier)}</text>`);
    names.forEach((name, si) => {
      const row = data.find((r) => r.tier === tier && lineName(r) === name);
      if (!row) return;
      const h = H - m.b - yOf(row.serverRssPerConnectionKb!);
      parts.push(
        `<rect class="bar" data-server="${esc(row.server)}" data-run="${esc(name)}" data-tier="${esc(tier)}" x="${(gx + si * barW).toFixed(1)}" y="${(H - m.b - h).toFixed(1)}" width="${barW - 2}" height="${h.toFixed(1)}" fill="${colorOf(name)}"><title>${esc(name)} ${esc(tier)}: ${row.serverRssPerConnectionKb!.toFixed(2)} KB</title></rect>`,
      );
    });
  });
  names.forEach((n, i) =>
    parts.push(
      `<rect x="${W - m.r + 12}" y="${m.t + i * 18}" width="12" height="10" fill="${colorOf(n)}"/><text x="${W - m.r + 30}" y="${m.t + i * 18 + 9}" font-size="12">${esc(n)}</text>`,
    ),
  );
  return `<svg class="chart rss" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="xMinYMin meet">${parts.join('')}</svg>`;
}

/**
 * The seed benchmark's question: how p50, p99 and server RSS per connection grow with the client
 * tier, one line per server. Drawn once some server was measured at two or more tiers.
 */
export function tierCharts(rows: ComparisonRow[], colorOf: (name: string) => string): string {
  const names = [...new Set(rows.map(lineName))];
  const byName = new Map(names.map((n) => [n, rows.filter((r) => lineName(r) === n).sort((a, b) => a.clients - b.clients)]));
  if (![...byName.values()].some((rs) => new Set(rs.map((r) => r.clients)).size >= 2)) return '';
  const clients = [...new Set(rows.map((r) => r.clients))].sort((a, b) => a - b);
  const tierAt = (c: number) => [...new Set(rows.filter((r) => r.clients === c).map((r) => r.tier))].join('/');
  const x: Axis = {
    kind: 'log',
    // Half a step of room each side: the first and last tiers are not drawn on the frame.
    min: clients[0] / 1.6,
    max: clients[clients.length - 1] * 1.6,
    ticks: clients.map((c) => ({ v: c, label: `${tierAt(c)} (${numberText(c)})` })),
    title: 'clients (tier), log scale',
  };
  const chart = (cls: string, title: string, value: (r: ComparisonRow) => number | null, axisOf: (vs: number[]) => Axis) => {
    const series: Series[] = names.map((n) => ({
      name: n,
      color: colorOf(n),
      points: byName.get(n)!.flatMap((r) => {
        const v = value(r);
        return v === null ? [] : [[r.clients, v] as [number, number]];
      }),
      attrs: `class="tier-line" data-server="${esc(n)}"`,
      dots: true,
    }));
    const values = series.flatMap((s) => s.points.map(([, v]) => v));
    if (values.length === 0) return `<p>No ${esc(title)} figures.</p>`;
    return lineChart({ cls, title, x, y: axisOf(values), series });
  };
  const latencyAxis = (vs: number[]) => ({ ...logAxis(Math.min(...vs), Math.max(...vs), msLabel), title: 'ms (log)' });
  return [
    chart('tier-p50', 'p50 round-trip time by client tier', (r) => r.latencyP50Us / 1000, latencyAxis),
    chart('tier-p99', 'p99 round-trip time by client tier', (r) => r.latencyP99Us / 1000, latencyAxis),
    chart(
      'tier-rss',
      'Server RSS per connection by client tier (KB)',
      (r) => r.serverRssPerConnectionKb,
      (vs) => ({ ...linearAxis(Math.max(...vs)), title: 'KB per connection' }),
    ),
  ].join('\n');
}

/** Each run's p50 and p99 per second, the measured window shaded; one chart per result. */
export function seriesCharts(groups: RunGroup[], colorOf: (name: string) => string): string {
  const charts: string[] = [];
  for (const { id, docs } of groups) {
    docs.forEach((doc, i) => {
      // The headline per second (latencyP*); series written before it have only the corrected rttP*.
      const p99 = (e: SeriesEntry) => e.latencyP99Us ?? e.rttP99Us;
      const p50 = (e: SeriesEntry) => e.latencyP50Us ?? e.rttP50Us;
      const pts = doc.series.filter((e) => p99(e) > 0);
      const name = lineName(id);
      const title = `${name} / ${id.tier}${docs.length > 1 ? `, repeat ${doc.label?.repeat ?? i + 1}` : ''}: latency over time`;
      if (pts.length === 0) {
        charts.push(`<p>No per-second latency for ${esc(title)}.</p>`);
        return;
      }
      // An entry's tS is the end of its second: the window starts one second before the first.
      const measured = doc.series.filter((e) => e.phase === 'measure').map((e) => e.tS);
      const lastS = Math.max(...doc.series.map((e) => e.tS), 1);
      const x: Axis = { ...linearAxis(lastS), title: 'seconds since start' };
      const y: Axis = { ...linearAxis(Math.max(...pts.map((e) => p99(e) / 1000)), msLabel), title: 'round-trip time' };
      const attrs = `class="series-line" data-run="${esc(name)}"`;
      charts.push(
        lineChart({
          cls: 'series',
          title,
          x,
          y,
          bands: measured.length ? [{ from: Math.min(...measured) - 1, to: Math.max(...measured), label: 'measured window' }] : [],
          series: [
            { name: 'p99', color: colorOf(name), points: pts.map((e) => [e.tS, p99(e) / 1000]), attrs },
            { name: 'p50', color: colorOf(name), points: pts.map((e) => [e.tS, p50(e) / 1000]), attrs, dashed: true },
          ],
          height: 260,
        }),
      );
    });
  }
  return charts.join('\n');
}
