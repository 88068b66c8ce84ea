import { usageError } from '../core/errors.js';
import { isKnownMetric, metricDirection, metricValue, METRIC_HELP, type MetricDirection } from '../result/metric-names.js';
import type { ResultDocument } from '../contract/result.js';
import { belowHostFloor } from '../result/headline.js';

/** `rtt.p99=10%`: the figure may get worse by at most this fraction of the baseline. */
export interface RegressionLimit {
  metric: string;
  maxWorsening: number;
}

/**
 * `ok`: within the limit; `regressed`: worse than the limit allows, or measured in the baseline but
 * not in this run (a gate must not pass by accident); `skipped`: the baseline lacks the figure, so
 * there is nothing to compare against (an older result shape, or a baseline run without --server-pid).
 */
export type RegressionStatus = 'ok' | 'regressed' | 'skipped';

export interface RegressionOutcome {
  metric: string;
  direction: MetricDirection;
  baseline: number | undefined;
  current: number | undefined;
  /** (current − baseline) / baseline, signed; undefined when either is missing. */
  change: number | undefined;
  /** `change` turned so that positive is always worse (a drop in msg/s is a positive worsening). */
  worsening: number | undefined;
  maxWorsening: number;
  status: RegressionStatus;
  /**
   * For a tail figure whose difference is smaller than the larger of the two sides' host floors:
   * that floor (µs). The difference may be the host's; the status is not changed by it.
   */
  belowHostFloorUs?: number;
}

export function parseRegressionLimits(value: string): RegressionLimit[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([A-Za-z][\w.]*)=([\d.]+)%$/.exec(part);
      if (!m) throw usageError(`--max-regression must look like rtt.p99=10%,server.rssPerConnectionKb=5% (got ${part})`);
      if (!isKnownMetric(m[1])) throw usageError(`--max-regression ${part}: unknown figure ${m[1]}`, `known figures: ${METRIC_HELP}`);
      return { metric: m[1], maxWorsening: Number(m[2]) / 100 };
    });
}

/** Each figure is judged in its own direction (metricDirection): latency up is worse, msg/s down is worse. */
export function compareToBaseline(current: ResultDocument, baseline: ResultDocument, limits: RegressionLimit[]): RegressionOutcome[] {
  return limits.map(({ metric, maxWorsening }) => {
    const direction = metricDirection(metric);
    const b = metricValue(baseline, metric)?.value;
    const c = metricValue(current, metric)?.value;
    const base = { metric, direction, baseline: b, current: c, maxWorsening };
    if (b === undefined) return { ...base, change: undefined, worsening: undefined, status: 'skipped' };
    if (c === undefined) return { ...base, change: undefined, worsening: undefined, status: 'regressed' };
    const change = b === 0 ? (c === 0 ? 0 : c > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY) : (c - b) / Math.abs(b);
    const worsening = direction === 'higher-is-worse' ? change : -change;
    const floor = belowHostFloor(metric, [baseline], [current], c - b);
    return { ...base, change, worsening, status: worsening <= maxWorsening ? 'ok' : 'regressed', ...(floor === null ? {} : { belowHostFloorUs: floor }) };
  });
}
