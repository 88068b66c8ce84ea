import type { RegressionOutcome } from './regression.js';
import type { SignificantRegressionOutcome } from './significant-regression.js';
import type { SampleComparison } from '../stats/compare-samples.js';
import type { ThresholdOutcome } from './thresholds.js';
import { msFromUs } from '../core/ms-text.js';

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
        // The limit is shown in the direction that is worse for this figure.
        const limit = `${o.direction === 'higher-is-worse' ? '+' : '-'}${(o.maxWorsening * 100).toFixed(0)}%`;
        const floor = o.belowHostFloorUs === undefined ? '' : `  [below host floor ${msFromUs(o.belowHostFloorUs, 2)} ms]`;
        if ('significance' in o) return `${head} median ${o.baseline} -> ${o.current} (${significanceText(o as SignificantRegressionOutcome, limit)})${floor}`;
        const change = `${o.change! >= 0 ? '+' : ''}${(o.change! * 100).toFixed(1)}%`;
        return `${head} ${o.baseline} -> ${o.current} (${change}, limit ${limit})${floor}`;
      })
      .join('\n') + '\n'
  );
}

function ratioText(s: SampleComparison): string {
  if (s.ratio === null) return 'no ratio: the baseline is 0';
  const ci = s.ciLow !== null && s.ciHigh !== null ? ` [${s.ciLow.toFixed(2)}–${s.ciHigh.toFixed(2)}]` : '';
  return `${s.ratio.toFixed(2)}×${ci}`;
}

/** `1.26× [1.18–1.33], p 0.008, slower, limit +20%: significant and beyond the limit`. */
function significanceText(o: SignificantRegressionOutcome, limit: string): string {
  const s = o.significance;
  const significant = s.verdict === 'slower';
  // Without a ratio (a baseline of 0) any significant worsening is beyond the limit, and nothing else is.
  const beyond = o.worsening === undefined ? significant : o.worsening > o.maxWorsening;
  const why =
    s.verdict === 'unknown'
      ? 'too few results with this figure for a verdict'
      : significant
        ? beyond
          ? 'significantly worse and beyond the limit'
          : 'significantly worse but within the limit'
        : beyond
          ? 'beyond the limit but not significantly worse'
          : 'not significantly worse';
  return `${ratioText(s)}, p ${s.p === null ? '-' : s.p.toFixed(3)}, ${s.verdict === 'same' ? '~' : s.verdict}, limit ${limit}: ${why}`;
}

/** Which rule judged a run, and with how many results on each side. */
export function describeRule(rule: 'significance' | 'single-result', baselines: number, results: number, run: string): string {
  const counts = `${results} result(s) vs ${baselines} baseline(s)`;
  if (rule === 'significance') {
    return `rule for ${run}: significance (${counts}): a figure fails only if significantly worse (Mann–Whitney, p < 0.05) AND beyond its limit\n`;
  }
  return `rule for ${run}: single results (${counts}): significance unknown; each result against the baseline, failing beyond the limit\n`;
}

function formatValue(metric: string, v: number): string {
  if (/^(latency|rtt|rttRaw|sendLag|hostFloor|connect)\./.test(metric) || metric.endsWith('Us')) return `${msFromUs(v, 2)} ms`;
  if (metric.endsWith('Kb')) return `${v} KB`;
  return String(v);
}
