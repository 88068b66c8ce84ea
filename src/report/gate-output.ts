import type { RegressionOutcome } from './regression.js';
import type { ThresholdOutcome } from './thresholds.js';

/** Lines saying which limits were crossed (and which held), for stderr. */
export function describeThresholds(outcomes: ThresholdOutcome[]): string {
  return outcomes
    .map((o) => `${o.ok ? 'ok     ' : 'CROSSED'} ${o.threshold.source}  (actual ${o.actual === undefined ? 'not measured' : formatValue(o.threshold.metric, o.actual)})`)
    .join('\n') + '\n';
}

export function describeRegressions(outcomes: RegressionOutcome[], label: string): string {
  return outcomes
    .map((o) => {
      const change = o.change === undefined ? 'not measured' : `${o.change >= 0 ? '+' : ''}${(o.change * 100).toFixed(1)}%`;
      return `${o.ok ? 'ok       ' : 'REGRESSED'} ${label} ${o.metric}: ${o.baseline ?? '-'} -> ${o.current ?? '-'} (${change}, limit +${(o.maxIncrease * 100).toFixed(0)}%)`;
    })
    .join('\n') + '\n';
}

function formatValue(metric: string, v: number): string {
  if (/^(rtt|rttRaw|sendLag|connect)\./.test(metric) || metric.endsWith('Us')) return `${(v / 1000).toFixed(2)} ms`;
  if (metric.endsWith('Kb')) return `${v} KB`;
  return String(v);
}
