import { compareToBaseline, type RegressionLimit, type RegressionOutcome } from './regression.js';
import { describeRegressions } from './gate-output.js';
import { runDisplayName, runIdentity } from '../result/run-identity.js';
import type { ResultDocument } from '../contract/result.js';

export interface BaselineGate {
  /** The ok / REGRESSED / skipped lines for stderr. */
  text: string;
  regressed: boolean;
  /** Figures the baseline lacks: reported, never counted as a regression. */
  skipped: string[];
  outcomes: { run: string; outcomes: RegressionOutcome[] }[];
}

/** Every result against one baseline, each figure in its own direction. */
export function gateOnBaseline(docs: ResultDocument[], baseline: ResultDocument, limits: RegressionLimit[]): BaselineGate {
  const all = docs.map((doc) => ({ run: runDisplayName(runIdentity(doc)), outcomes: compareToBaseline(doc, baseline, limits) }));
  const skipped = [...new Set(all.flatMap((r) => r.outcomes.filter((o) => o.status === 'skipped').map((o) => o.metric)))];
  return {
    text: all.map((r) => describeRegressions(r.outcomes, r.run)).join(''),
    regressed: all.some((r) => r.outcomes.some((o) => o.status === 'regressed')),
    skipped,
    outcomes: all,
  };
}
