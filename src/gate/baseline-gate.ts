import { compareToBaseline, type RegressionLimit, type RegressionOutcome } from './regression.js';
import { significantRegressions } from './significant-regression.js';
import { describeRegressions, describeRule } from './gate-output.js';
import { canDecide } from '../stats/compare-samples.js';
import { runDisplayName, runIdentity } from '../result/run-identity.js';
import { resolveComparable } from '../result/headline.js';
import type { ResultDocument } from '../contract/result.js';

/**
 * `significance`: several results on both sides, a figure fails only if significantly worse AND
 * beyond its limit; `single-result`: too few results for any verdict, each result against the
 * first baseline with the plain limit (significance unknown).
 */
export type GateRule = 'significance' | 'single-result';

export interface BaselineGate {
  /** The rule and ok / REGRESSED / skipped lines for stderr. */
  text: string;
  regressed: boolean;
  /** Figures the baseline lacks: reported, never counted as a regression. */
  skipped: string[];
  outcomes: { run: string; rule: GateRule; outcomes: RegressionOutcome[] }[];
}

/**
 * Results are grouped into runs by their display name (`head/smoke`, `node/1k`), not by
 * runIdentity's key, which holds the URL: CI's repeats each get a fresh port.
 */
function groupRuns(docs: readonly ResultDocument[]): { run: string; docs: ResultDocument[] }[] {
  const groups = new Map<string, ResultDocument[]>();
  for (const doc of docs) {
    const run = runDisplayName(runIdentity(doc));
    groups.set(run, [...(groups.get(run) ?? []), doc]);
  }
  return [...groups].map(([run, list]) => ({ run, docs: list }));
}

/** Every run against the baseline results (their repeats pooled), each figure in its own direction. */
export function gateOnBaseline(docs: ResultDocument[], baselines: ResultDocument[], asked: RegressionLimit[]): BaselineGate {
  if (!baselines.length) throw new RangeError('gateOnBaseline needs at least one baseline result');
  const all = groupRuns(docs).map(({ run, docs: runs }) => {
    // A figure both sides have (latency.* across headline bases falls back to rttRaw.*), or exit 2.
    const resolved = asked.map((l) => ({ limit: l, ...resolveComparable(l.metric, baselines, runs) }));
    const limits = resolved.map((r) => ({ ...r.limit, metric: r.metric }));
    const notes = resolved.flatMap((r) => (r.note ? [`note for ${run}: ${r.note}\n`] : [])).join('');
    if (canDecide(baselines.length, runs.length)) {
      const outcomes = significantRegressions(baselines, runs, limits);
      return {
        run,
        rule: 'significance' as const,
        outcomes,
        text: notes + describeRule('significance', baselines.length, runs.length, run) + describeRegressions(outcomes, run),
      };
    }
    const perDoc = runs.map((doc) => compareToBaseline(doc, baselines[0], limits));
    const text = notes + describeRule('single-result', baselines.length, runs.length, run) + perDoc.map((o) => describeRegressions(o, run)).join('');
    return { run, rule: 'single-result' as const, outcomes: perDoc.flat(), text };
  });
  const skipped = [...new Set(all.flatMap((r) => r.outcomes.filter((o) => o.status === 'skipped').map((o) => o.metric)))];
  return {
    text: all.map((r) => r.text).join(''),
    regressed: all.some((r) => r.outcomes.some((o) => o.status === 'regressed')),
    skipped,
    outcomes: all.map(({ run, rule, outcomes }) => ({ run, rule, outcomes })),
  };
}
