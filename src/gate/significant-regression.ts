/**
 * --max-regression when both sides have several results: a figure fails only if the change is
 * significant (src/stats: Mann–Whitney over the results, in the figure's own direction) AND its
 * Hodges–Lehmann ratio is worse than the limit. Either alone is noise or a change too small to
 * care about. The single-result rule (regression.ts) stays for one result on either side.
 */
import { compareFigure, figureValues } from '../result/figure-comparison.js';
import { metricDirection } from '../result/metric-names.js';
import type { SampleComparison } from '../stats/compare-samples.js';
import type { RegressionLimit, RegressionOutcome } from './regression.js';
import type { ResultDocument } from '../contract/result.js';
import { belowHostFloor } from '../result/headline.js';
import { medianOf } from '../stats/median.js';

export interface SignificantRegressionOutcome extends RegressionOutcome {
  /** The test behind the status; baseline and current are then the medians of each side. */
  significance: SampleComparison;
}

export function significantRegressions(
  baseline: readonly ResultDocument[],
  docs: readonly ResultDocument[],
  limits: readonly RegressionLimit[],
): (RegressionOutcome | SignificantRegressionOutcome)[] {
  return limits.map(({ metric, maxWorsening }) => {
    const direction = metricDirection(metric);
    const b = medianOf(figureValues(baseline, metric));
    const c = medianOf(figureValues(docs, metric));
    const base = { metric, direction, baseline: b, current: c, maxWorsening };
    // The same two edge rules as a single result: nothing to compare against, or a figure gone.
    if (b === undefined) return { ...base, change: undefined, worsening: undefined, status: 'skipped' as const };
    const significance = compareFigure(baseline, docs, metric);
    if (c === undefined || !significance) return { ...base, change: undefined, worsening: undefined, status: 'regressed' as const };
    const change = significance.ratio === null ? undefined : significance.ratio - 1;
    const worsening = change === undefined ? undefined : direction === 'higher-is-worse' ? change : -change;
    // Without a ratio (the baseline's median is 0), a significant worsening is beyond any limit.
    const beyond = worsening === undefined ? true : worsening > maxWorsening;
    const status = significance.verdict === 'slower' && beyond ? ('regressed' as const) : ('ok' as const);
    const floor = belowHostFloor(metric, baseline, docs, c - b);
    return { ...base, change, worsening, status, significance, ...(floor === null ? {} : { belowHostFloorUs: floor }) };
  });
}
