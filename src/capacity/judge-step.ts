import { medianOf } from '../stats/median.js';
import { metricValue } from '../result/metric-names.js';
import { meetsThreshold, type Threshold } from '../gate/thresholds.js';
import type { ResultDocument } from '../contract/result.js';
import type { StepOutcome } from './search.js';

/** One step of the search: a client count, its runs (--repeat), and what they add up to. */
export interface CapacityStep {
  clients: number;
  outcome: StepOutcome;
  verdicts: string[];
  /** Each SLO on the median of the step's runs. */
  slo: { source: string; median: number | null; ok: boolean }[];
  /** Medians over the step's runs (µs, KB per connection, percent of one core); latency is the headline. */
  latencyP50Us: number;
  latencyP99Us: number;
  serverRssPerConnectionKb: number | null;
  serverCpuPercent: number | null;
  clientCpuPercent: number | null;
  reasons: string[];
  /** The runs' result files. */
  files: string[];
}

const figure = (docs: ResultDocument[], name: string) => medianOf(docs.flatMap((d) => metricValue(d, name)?.value ?? [])) ?? null;

/**
 * A step passes when the load generator kept up (most runs not `client-saturated`), the target made
 * no errors in any run (`target-errors` fails the SLO), and every SLO holds on the runs' median.
 */
export function judgeStep(clients: number, docs: ResultDocument[], files: string[], slos: Threshold[]): CapacityStep {
  const verdicts = docs.map((d) => d.summary.verdict);
  const slo = slos.map((t) => {
    const m = figure(docs, t.metric);
    return { source: t.source, median: m, ok: m !== null && meetsThreshold(m, t.op, t.limit) };
  });
  const reasons: string[] = [];
  const saturated = verdicts.filter((v) => v === 'client-saturated').length;
  const errored = docs.filter((d) => d.summary.verdict === 'target-errors');
  let outcome: StepOutcome;
  if (saturated * 2 > docs.length) {
    outcome = 'client-limit';
    reasons.push(...docs.find((d) => d.summary.verdict === 'client-saturated')!.summary.verdictReasons);
  } else if (errored.length > 0) {
    outcome = 'fail';
    reasons.push(...errored[0].summary.verdictReasons);
  } else {
    outcome = slo.every((s) => s.ok) ? 'pass' : 'fail';
    for (const s of slo) if (!s.ok) reasons.push(`${s.source} not met (median ${s.median ?? 'not measured'})`);
  }
  return {
    clients,
    outcome,
    verdicts,
    slo,
    latencyP50Us: figure(docs, 'latency.p50') ?? 0,
    latencyP99Us: figure(docs, 'latency.p99') ?? 0,
    serverRssPerConnectionKb: figure(docs, 'server.rssPerConnectionKb'),
    serverCpuPercent: figure(docs, 'server.cpuPercentMean'),
    clientCpuPercent: figure(docs, 'client.cpuPercentMean'),
    reasons,
    files,
  };
}
