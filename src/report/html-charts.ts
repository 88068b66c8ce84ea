/**
 * The charts of the HTML report, as chart specs (src/report/chart): latency percentile curves per
 * tier (log axes, as HdrHistogram plots them), server RSS per connection as bars, the seed
 * benchmark's question as lines over the client tiers (p50, p99 and RSS per connection against
 * 1k/10k/100k, one line per server), and each run's latency over time from its per-second series.
 * Charts of runs set side by side share their y range (shareYRange).
 */
import { mergeEncoded } from '../metrics/histograms.js';
import { lineName, type ComparisonRow, type RunGroup } from './comparison.js';
import { headlineHistogramOf } from '../result/headline.js';
import type { SeriesEntry } from '../contract/result.js';
import { shareYRange, toColumns, type ChartAxis, type ChartSpec } from './chart/chart-spec.js';

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

/** "Nines": p50 → 0.3, p99 → 2, p99.9 → 3, so the tail gets as much room as the body. */
const nines = (p: number) => Math.log10(100 / (100 - p));
const LATENCY_LOG: ChartAxis = { label: 'round-trip time', unit: 'ms', log: true };

/**
 * Percentile curves, one chart per tier, all on one latency range: x in nines, y = latency ms on a
 * log axis. A tier without samples gets a line of text in its place.
 */
export function percentileCharts(tiers: string[], curves: PercentileCurve[], colorOf: (name: string) => string): (ChartSpec | string)[] {
  const x: ChartAxis = {
    label: 'percentile',
    unit: '',
    ticks: [50, 90, 99, 99.9, 99.99, 99.999].map((p) => ({ at: nines(p), label: `p${p}` })),
    range: [nines(PERCENTILES[0]), nines(PERCENTILES[PERCENTILES.length - 1])],
  };
  const charts = tiers.map((tier): ChartSpec | string => {
    const mine = curves.filter((c) => c.tier === tier && c.points.length > 0);
    if (mine.length === 0) return `No latency samples for ${tier}.`;
    return {
      cls: 'latency',
      title: `RTT percentiles, ${tier} (log axes)`,
      x,
      y: LATENCY_LOG,
      series: mine.map((c) => ({ label: c.name, color: colorOf(c.name) })),
      data: toColumns(mine.map((c) => c.points.map(([p, us]) => [nines(p), Math.max(us, 1) / 1000] as const))),
    };
  });
  return shareAmong(charts);
}

/** shareYRange over the charts of a list that also holds lines of text, in their order. */
function shareAmong(items: (ChartSpec | string)[]): (ChartSpec | string)[] {
  const shared = shareYRange(items.filter((c) => typeof c !== 'string'));
  return items.map((c) => (typeof c === 'string' ? c : shared.shift()!));
}

/** Server RSS per connection, grouped by tier, one bar per line name; null when no run has the figure. */
export function rssBars(rows: ComparisonRow[], colorOf: (name: string) => string): ChartSpec | null {
  const data = rows.filter((r) => r.serverRssPerConnectionKb !== null);
  if (data.length === 0) return null;
  const tiers = [...new Set(data.map((r) => r.tier))];
  const names = [...new Set(data.map(lineName))];
  // Each bar has its own x: the tier's index, shifted by the line's place in the group.
  const width = 0.8 / names.length;
  const at = (ti: number, si: number) => ti - 0.4 + width * (si + 0.5);
  return {
    cls: 'rss',
    title: 'Server RSS per connection',
    x: { label: 'client tier', unit: '', ticks: tiers.map((t, i) => ({ at: i, label: t })), range: [-0.5, tiers.length - 0.5] },
    y: { label: 'server RSS per connection', unit: 'KB' },
    series: names.map((n) => ({ label: n, color: colorOf(n), bars: true })),
    data: toColumns(
      names.map((n, si) =>
        tiers.flatMap((tier, ti) => {
          const row = data.find((r) => r.tier === tier && lineName(r) === n);
          return row ? [[at(ti, si), row.serverRssPerConnectionKb!] as const] : [];
        }),
      ),
    ),
  };
}

/**
 * The seed benchmark's question: how p50, p99 and server RSS per connection grow with the client
 * tier, one line per server. Drawn once some server was measured at two or more tiers.
 */
export function tierCharts(rows: ComparisonRow[], colorOf: (name: string) => string): ChartSpec[] {
  const names = [...new Set(rows.map(lineName))];
  const byName = new Map(names.map((n) => [n, rows.filter((r) => lineName(r) === n).sort((a, b) => a.clients - b.clients)]));
  if (![...byName.values()].some((rs) => new Set(rs.map((r) => r.clients)).size >= 2)) return [];
  const clients = [...new Set(rows.map((r) => r.clients))].sort((a, b) => a - b);
  const tierAt = (c: number) => [...new Set(rows.filter((r) => r.clients === c).map((r) => r.tier))].join('/');
  const x: ChartAxis = {
    label: 'clients (tier), log scale',
    unit: '',
    log: true,
    ticks: clients.map((c) => ({ at: c, label: `${tierAt(c)} (${c.toLocaleString('en-US')})` })),
    // Half a step of room each side: the first and last tiers are not drawn on the frame.
    range: [clients[0] / 1.6, clients[clients.length - 1] * 1.6],
  };
  const chart = (cls: string, title: string, y: ChartAxis, value: (r: ComparisonRow) => number | null): ChartSpec[] => {
    const points = names.map((n) =>
      byName.get(n)!.flatMap((r) => {
        const v = value(r);
        return v === null ? [] : [[r.clients, v] as const];
      }),
    );
    if (points.every((p) => p.length === 0)) return [];
    return [{ cls, title, x, y, series: names.map((n) => ({ label: n, color: colorOf(n), points: true })), data: toColumns(points) }];
  };
  return [
    ...chart('tier-p50', 'p50 round-trip time by client tier', LATENCY_LOG, (r) => r.latencyP50Us / 1000),
    ...chart('tier-p99', 'p99 round-trip time by client tier', LATENCY_LOG, (r) => r.latencyP99Us / 1000),
    ...chart('tier-rss', 'Server RSS per connection by client tier', { label: 'server RSS per connection', unit: 'KB' }, (r) => r.serverRssPerConnectionKb),
  ];
}

/**
 * Each run's p99 and p50 per second, the measured window shaded; one chart per result, all on one
 * y range. A result without per-second latency gets a line of text in its place.
 */
export function seriesCharts(groups: RunGroup[], colorOf: (name: string) => string): (ChartSpec | string)[] {
  // The headline per second (latencyP*); series written before it have only the corrected rttP*.
  const p99 = (e: SeriesEntry) => e.latencyP99Us ?? e.rttP99Us;
  const p50 = (e: SeriesEntry) => e.latencyP50Us ?? e.rttP50Us;
  const charts = groups.flatMap(({ id, docs }) =>
    docs.map((doc, i): ChartSpec | string => {
      const pts = doc.series.filter((e) => p99(e) > 0);
      const name = lineName(id);
      const title = `${name} / ${id.tier}${docs.length > 1 ? `, repeat ${doc.label?.repeat ?? i + 1}` : ''}: latency over time`;
      if (pts.length === 0) return `No per-second latency for ${title}.`;
      // An entry's tS is the end of its second: the window starts one second before the first.
      const measured = doc.series.filter((e) => e.phase === 'measure').map((e) => e.tS);
      return {
        cls: 'series',
        title,
        x: { label: 'time since start', unit: 's', range: [0, Math.max(...doc.series.map((e) => e.tS), 1)] as [number, number] },
        y: { label: 'round-trip time', unit: 'ms' },
        series: [
          { label: 'p99', color: colorOf(name) },
          { label: 'p50', color: colorOf(name), dash: true },
        ],
        data: [pts.map((e) => e.tS), pts.map((e) => p99(e) / 1000), pts.map((e) => p50(e) / 1000)],
        bands: measured.length ? [{ from: Math.min(...measured) - 1, to: Math.max(...measured), label: 'measured window' }] : [],
        height: 240,
      };
    }),
  );
  return shareAmong(charts);
}
