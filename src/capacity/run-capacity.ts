import type { CapacityTarget } from '../targets/capacity-targets.js';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { requireConformance, runConformance } from '../check/conformance.js';
import { resolveLoadConfig, type LoadFlags } from '../profile/resolve-config.js';
import { runLoad } from '../load/run-load.js';
import type { ProgressSink } from '../contract/result.js';
import { buildResult } from '../result/build-result.js';
import { prepareOutputDir, writeResults } from '../result-files/write-results.js';
import type { ResultDocument } from '../contract/result.js';
import type { Threshold } from '../gate/thresholds.js';
import { CapacitySearch, type CapacityAnswer, type SearchSettings } from './search.js';
import { judgeStep, type CapacityStep } from './judge-step.js';

/** What the search runs against: a URL (one server for every step) or a server it starts per run. */
export interface CapacityOptions {
  target: CapacityTarget;
  slos: Threshold[];
  search: SearchSettings;
  repeat: number;
  check: boolean;
  /** Load settings every step shares (rate, duration, warm-up, payload, connect rate, …). */
  load: Omit<LoadFlags, 'url' | 'clients' | 'serverPid' | 'outDir' | 'name' | 'check'>;
  outDir: string;
  tool: { name: string; version: string };
  argv: readonly string[];
}

export interface CapacityOutcome {
  steps: CapacityStep[];
  answer: CapacityAnswer;
  interrupted: boolean;
}

/** Receives each finished step (the live table). */
export type StepSink = (step: CapacityStep, index: number) => void;

/**
 * The search: for each client count the search asks for, `repeat` full load runs (each its own
 * wsbench run with its verdict, result files under <out>/runs/), judged together (judge-step.ts).
 * A signal ends it after the current run; what was measured is kept.
 */
export async function runCapacity(
  opts: CapacityOptions,
  deps: { log: Logger; abort: AbortSignal; progress: () => Promise<ProgressSink>; onStep: StepSink },
): Promise<CapacityOutcome> {
  const { log, abort } = deps;
  prepareOutputDir(opts.outDir);
  const runsDir = path.join(opts.outDir, 'runs');
  const search = new CapacitySearch(opts.search);
  const steps: CapacityStep[] = [];
  let checked = !opts.check;
  for (let clients = search.next(); clients !== undefined && !abort.aborted; clients = search.next()) {
    const docs: ResultDocument[] = [];
    const files: string[] = [];
    for (let r = 1; r <= opts.repeat && !abort.aborted; r++) {
      log.info({ clients, repeat: r }, `step ${steps.length + 1}: ${clients} clients (run ${r}/${opts.repeat})`);
      const server = await opts.target.start();
      try {
        if (!checked) {
          const report = await runConformance(server.url, { pattern: opts.load.pattern, format: opts.load.format, payloadBytes: opts.load.payloadBytes });
          requireConformance(report, 'search anyway');
          checked = true;
        }
        const config = resolveLoadConfig({
          ...opts.load,
          url: server.url,
          clients,
          serverPid: server.pid,
          outDir: runsDir,
          name: `capacity-${clients}-r${r}`,
          check: false,
        });
        const outcome = await runLoad(config, { log, abort, progress: await deps.progress() });
        if (outcome.interrupted) break;
        const doc = buildResult(outcome, opts.tool, opts.argv);
        files.push(writeResults(doc, runsDir).json);
        docs.push(doc);
      } finally {
        await server.stop();
      }
    }
    if (docs.length < opts.repeat) break; // interrupted mid-step: the step is not judged
    const step = judgeStep(clients, docs, files, opts.slos);
    steps.push(step);
    deps.onStep(step, steps.length - 1);
    search.record(clients, step.outcome);
  }
  return { steps, answer: search.answer(), interrupted: abort.aborted };
}
