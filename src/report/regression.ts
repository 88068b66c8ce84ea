import { usageError } from '../core/errors.js';
import { metricValue } from './metric-names.js';
import type { ResultDocument } from './result-schema.js';

/** `rtt.p99=10%`: the figure may grow by at most this fraction over the baseline. */
export interface RegressionLimit {
  metric: string;
  maxIncrease: number;
}

export interface RegressionOutcome {
  metric: string;
  baseline: number | undefined;
  current: number | undefined;
  change: number | undefined;
  maxIncrease: number;
  ok: boolean;
}

export function parseRegressionLimits(value: string): RegressionLimit[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([A-Za-z][\w.]*)=([\d.]+)%$/.exec(part);
      if (!m) throw usageError(`--max-regression must look like rtt.p99=10%,server.rssPerConnectionKb=5% (got ${part})`);
      return { metric: m[1], maxIncrease: Number(m[2]) / 100 };
    });
}

/** Higher is worse for every figure we gate on (latency, memory, CPU, errors). */
export function compareToBaseline(current: ResultDocument, baseline: ResultDocument, limits: RegressionLimit[]): RegressionOutcome[] {
  return limits.map(({ metric, maxIncrease }) => {
    const b = metricValue(baseline, metric)?.value;
    const c = metricValue(current, metric)?.value;
    if (b === undefined || c === undefined) return { metric, baseline: b, current: c, change: undefined, maxIncrease, ok: false };
    const change = b === 0 ? (c === 0 ? 0 : Number.POSITIVE_INFINITY) : (c - b) / b;
    return { metric, baseline: b, current: c, change, maxIncrease, ok: change <= maxIncrease };
  });
}
