/**
 * The headline figure and what two sets of results can be compared on. The headline (`latency.*`,
 * `summary.latencyUs`) is the raw round trip, from just before the write to the reply's read
 * (docs/measurement.md, "The headline"). Results written before it have no `latencyBasis`: their
 * headline was the corrected `rttUs`. Comparing across that change, or across arrival patterns,
 * must not compare different things under one name: a figure is resolved to one both sides have
 * (and a one-line note says so), or the comparison is refused (exit 2).
 */
import { usageError } from '../core/errors.js';
import { medianOf } from '../stats/median.js';
import { msFromUs } from '../core/ms-text.js';
import type { LatencySummaryUs, ResultDocument } from '../contract/result.js';

/** The headline's summary: `latencyUs`, or for results before it the raw round trip it is measured as. */
export function headlineOf(doc: ResultDocument): LatencySummaryUs {
  return doc.summary.latencyUs ?? doc.summary.rttRawUs;
}

/** The headline's encoded histogram: the raw round trip's, which every result has. */
export function headlineHistogramOf(doc: ResultDocument): string {
  return doc.histograms.rttRawUs;
}

/** The headline's basis as recorded; `corrected` for results written before the field (their headline was rttUs). */
export function basisOf(doc: ResultDocument): string {
  return doc.summary.latencyBasis ?? 'corrected';
}

export function arrivalsOf(doc: ResultDocument): string {
  return doc.config.arrivals ?? 'grid';
}

/** Figures that depend on when messages arrive: not comparable between arrival patterns. */
const TIMING = /^(latency|rtt|rttRaw|sendLag)\.|^server\.cpuPercentMean$/;

export interface ResolvedFigure {
  /** The figure to compare both sides on. */
  metric: string;
  /** One line saying what was compared instead, and why; null when the figure is compared as asked. */
  note: string | null;
}

/**
 * The figure both sides can be compared on for `metric`: itself; for `latency.*` across different
 * bases, `rttRaw.*` (every result has it, and it is measured as the headline is). Throws a usage
 * error (exit 2) when no figure fits: a timing figure across different arrival patterns.
 */
export function resolveComparable(
  metric: string,
  a: readonly ResultDocument[],
  b: readonly ResultDocument[],
  sides = ['baseline', 'this run'],
): ResolvedFigure {
  const arrivalsA = [...new Set(a.map(arrivalsOf))];
  const arrivalsB = [...new Set(b.map(arrivalsOf))];
  const all = [...new Set([...arrivalsA, ...arrivalsB])];
  if (all.length > 1 && TIMING.test(metric)) {
    throw usageError(
      `${metric} cannot be compared: the ${sides[0]} sent with --arrivals ${arrivalsA.join('/')} and ${sides[1]} with --arrivals ${arrivalsB.join('/')}, and no figure measured under one pattern fits the other`,
      `measure both sides with the same --arrivals (results before the flag are grid)`,
    );
  }
  if (!metric.startsWith('latency.')) return { metric, note: null };
  const bases = [...new Set([...a, ...b].map(basisOf))];
  if (bases.length === 1 && bases[0] !== 'corrected') return { metric, note: null };
  const fallback = `rttRaw.${metric.slice('latency.'.length)}`;
  const older = a.some((d) => basisOf(d) === 'corrected') ? sides[0] : sides[1];
  return {
    metric: fallback,
    note: `${metric}: the ${older} was written before the headline (latencyBasis ${bases.join(' vs ')}); compared on ${fallback}, which both have and which is measured as the headline is`,
  };
}

/** The host floor at the percentile a tail figure is read at (µs), or undefined when the result has none. */
function floorFor(doc: ResultDocument, metric: string): number | undefined {
  const f = doc.summary.hostFloorUs;
  if (!f) return undefined;
  const stat = metric.split('.')[1];
  return stat === 'p999' || stat === 'p9999' || stat === 'max' ? f.p999 : f.p99;
}

/** Tail figures: the ones a host's wake-up lateness can move. */
export function isTailFigure(metric: string): boolean {
  return /^(latency|rtt|rttRaw)\.(p90|p99|p999|p9999|max)$/.test(metric);
}

/**
 * The larger of the two sides' host floors (each the median over its results) for a tail figure,
 * when the difference of the figure's medians is smaller: the difference may be the host's. Null
 * for a figure that is not a tail figure, a difference at or above the floor, or no floor recorded.
 */
export function belowHostFloor(metric: string, a: readonly ResultDocument[], b: readonly ResultDocument[], difference: number): number | null {
  if (!isTailFigure(metric)) return null;
  const floorA = medianOf(a.map((d) => floorFor(d, metric)).filter((v): v is number => v !== undefined));
  const floorB = medianOf(b.map((d) => floorFor(d, metric)).filter((v): v is number => v !== undefined));
  if (floorA === undefined && floorB === undefined) return null;
  const floor = Math.max(floorA ?? 0, floorB ?? 0);
  return Math.abs(difference) < floor ? floor : null;
}

/** "host floor p99 0.90 ms (p50 …, p99.9 …): tail differences smaller than this may be the host's": the summary's and the dashboard's one line. */
export function hostFloorText(f: { p50Us: number; p99Us: number; p999Us: number }): string {
  const ms = (us: number) => msFromUs(us, 2);
  return `host floor p99 ${ms(f.p99Us)} ms (p50 ${ms(f.p50Us)}, p99.9 ${ms(f.p999Us)}): tail differences smaller than this may be the host's`;
}

/** The one line for a result, null for a result without a floor. */
export function hostFloorLine(doc: ResultDocument): string | null {
  const f = doc.summary.hostFloorUs;
  return f ? hostFloorText({ p50Us: f.p50, p99Us: f.p99, p999Us: f.p999 }) : null;
}
