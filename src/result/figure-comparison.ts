/**
 * One named figure compared over two sets of results (the repeats of a baseline and of the run
 * compared): each result gives one value, src/stats decides. The figures `compare` reports are
 * listed here once, in the order they are shown.
 */
import { compareSamples, type SampleComparison } from '../stats/compare-samples.js';
import { metricDirection, metricValue } from './metric-names.js';
import type { ResultDocument } from '../contract/result.js';

/** One line of compare.json: a server against the baseline server at one tier, one figure. */
export interface ServerComparison extends SampleComparison {
  tier: string;
  server: string;
  baseline: string;
  figure: string;
  metric: string;
  /** A tail figure whose difference is smaller than the larger host floor of the two: that floor (µs). */
  belowHostFloorUs?: number;
}

export interface ComparedFigure {
  /** How the figure is shown: `p99`, `msg/s`. */
  figure: string;
  /** Its name in --threshold / --max-regression: `latency.p99` (the headline), `messagesPerSec`. */
  metric: string;
}

export const COMPARED_FIGURES: readonly ComparedFigure[] = [
  { figure: 'p50', metric: 'latency.p50' },
  { figure: 'p90', metric: 'latency.p90' },
  { figure: 'p99', metric: 'latency.p99' },
  { figure: 'p99.9', metric: 'latency.p999' },
  { figure: 'msg/s', metric: 'messagesPerSec' },
  { figure: 'server CPU', metric: 'server.cpuPercentMean' },
  { figure: 'RSS/conn', metric: 'server.rssPerConnectionKb' },
];

/** The figure's values, one per result that has it (server.* is missing without a sampled server pid). */
export function figureValues(docs: readonly ResultDocument[], metric: string): number[] {
  return docs.map((d) => metricValue(d, metric)?.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Undefined when either side has no value of the figure at all. */
export function compareFigure(baseline: readonly ResultDocument[], docs: readonly ResultDocument[], metric: string): SampleComparison | undefined {
  const a = figureValues(baseline, metric);
  const b = figureValues(docs, metric);
  if (!a.length || !b.length) return undefined;
  return compareSamples(a, b, metricDirection(metric) === 'higher-is-worse' ? 'lower' : 'higher');
}
