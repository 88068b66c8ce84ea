import type { RegressionOutcome } from './regression.js';
import type { ThresholdOutcome } from './thresholds.js';

/** Lines saying which limits were crossed (and which held), for stderr. */
export function describeThresholds(outcomes: ThresholdOutcome[]): string {
  return (
    outcomes
      .map(
        (o) =>
          `${o.ok ? 'ok     ' : 'CROSSED'} ${o.threshold.source}  (actual ${o.actual === undefined ? 'not measured' : formatValue(o.threshold.metric, o.actual)})`,
      )
      .join('\n') + '\n'
  );
}

const STATUS_WORD = { ok: 'ok       ', regressed: 'REGRESSED', skipped: 'skipped  ' } as const;

/** One line per figure: `REGRESSED run/tier messagesPerSec: 1000 -> 400 (-60.0%, limit -5%)`. */
export function describeRegressions(outcomes: RegressionOutcome[], label: string): string {
  return (
    outcomes
      .map((o) => {
        const head = `${STATUS_WORD[o.status]} ${label} ${o.metric}:`;
        if (o.baseline === undefined) return `${head} not in the baseline, nothing to compare (${o.current ?? '-'} now)`;
        if (o.current === undefined) return `${head} ${o.baseline} -> not measured in this run`;
        const change = `${o.change! >= 0 ? '+' : ''}${(o.change! * 100).toFixed(1)}%`;
        // The limit is shown in the direction that is worse for this figure.
        const limit = `${o.direction === 'higher-is-worse' ? '+' : '-'}${(o.maxWorsening * 100).toFixed(0)}%`;
        return `${head} ${o.baseline} -> ${o.current} (${change}, limit ${limit})`;
      })
      .join('\n') + '\n'
  );
}

function formatValue(metric: string, v: number): string {
  if (/^(rtt|rttRaw|sendLag|connect)\./.test(metric) || metric.endsWith('Us')) return `${(v / 1000).toFixed(2)} ms`;
  if (metric.endsWith('Kb')) return `${v} KB`;
  return String(v);
}
