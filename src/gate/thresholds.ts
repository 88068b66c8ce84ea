import { usageError } from '../core/errors.js';
import { isKnownMetric, metricValue, METRIC_HELP, type MetricUnit } from '../result/metric-names.js';
import type { ResultDocument } from '../contract/result.js';

/** One `--threshold 'rtt.p99<50ms'`: a named figure, a comparison, a limit in the figure's unit. */
export interface Threshold {
  source: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  limit: number;
}

export interface ThresholdOutcome {
  threshold: Threshold;
  actual: number | undefined;
  ok: boolean;
}

/** Unit suffix → factor into the metric's own unit (µs for latency, KB for memory). */
const UNIT_FACTORS: Record<string, { unit: MetricUnit; factor: number }> = {
  us: { unit: 'us', factor: 1 },
  µs: { unit: 'us', factor: 1 },
  ms: { unit: 'us', factor: 1000 },
  s: { unit: 'us', factor: 1_000_000 },
  kb: { unit: 'kb', factor: 1 },
  mb: { unit: 'kb', factor: 1024 },
  gb: { unit: 'kb', factor: 1024 * 1024 },
  '%': { unit: 'percent', factor: 1 },
};

export function parseThreshold(source: string): Threshold {
  const m = /^\s*([A-Za-z][\w.]*)\s*(<=|>=|==|!=|<|>)\s*([\d.]+)\s*([a-zµ%]*)\s*$/i.exec(source);
  if (!m) throw usageError(`--threshold must look like 'rtt.p99<50ms' or 'errors==0' (got ${source})`);
  const [, metric, op, num, suffix] = m;
  const unit = suffix ? UNIT_FACTORS[suffix.toLowerCase()] : undefined;
  if (suffix && !unit) throw usageError(`--threshold ${source}: unknown unit ${suffix} (use us, ms, s, KB, MB, GB or %)`);
  return { source, metric, op: op as Threshold['op'], limit: Number(num) * (unit?.factor ?? 1) };
}

/** Checks the metric names once, before a long run, so a typo fails at the start. */
export function validateThresholdNames(thresholds: Threshold[]): void {
  for (const t of thresholds) {
    if (!isKnownMetric(t.metric)) {
      throw usageError(`--threshold ${t.source}: unknown figure ${t.metric}`, `known figures: ${METRIC_HELP}`);
    }
  }
}

/** Whether `actual` meets the threshold's comparison. */
export function meetsThreshold(actual: number, op: Threshold['op'], limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}

/** A missing figure (e.g. server.* without --server-pid) counts as crossed: a gate must not pass by accident. */
export function evaluateThresholds(doc: ResultDocument, thresholds: Threshold[]): ThresholdOutcome[] {
  return thresholds.map((t) => {
    const actual = metricValue(doc, t.metric)?.value;
    return { threshold: t, actual, ok: actual !== undefined && meetsThreshold(actual, t.op, t.limit) };
  });
}
