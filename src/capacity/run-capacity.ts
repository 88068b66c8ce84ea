import type { Target } from '../targets/target.js';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { resolveLoadConfig, type LoadFlags } from '../profile/resolve-config.js';
import type { ProgressSink } from '../core/progress.js';
import { prepareOutputDir } from '../result-files/write-results.js';
import { measuredRun } from '../session/measured-run.js';
import type { ResultDocument } from '../contract/result.js';
import type { Threshold } from '../gate/thresholds.js';
import { CapacitySearch, type CapacityAnswer, type SearchSettings } from './search.js';
import { judgeStep, type CapacityStep } from './judge-step.js';
import type { WsbError } from '../core/errors.js';

/** What the search runs against: a URL (one server for every step) or a server it starts per run. */
export interface CapacityOptions {
  target: Target;
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
  /** A load worker failed: the search stopped at that run (its partial result is in runs/). */
  runError?: WsbError;
}

/** Receives each finished step (the live table). */
export type StepSink = (step: CapacityStep, index: number) => void;

/**
 * One step: `repeat` measured runs at `clients`, each a fresh server when the target starts one. The
 * first run of the search is checked for conformance (`checkFirst`); a run a signal interrupted is dropped and ends the step.
 */
async function runStep(
  clients: number,
  stepNumber: number,
  checkFirst: boolean,
  opts: CapacityOptions,
  deps: { log: Logger; abort: AbortSignal; progress: () => Promise<ProgressSink> },
  runsDir: string,
): Promise<{ docs: ResultDocument[]; files: string[]; runError?: WsbError }> {
  const docs: ResultDocument[] = [];
  const files: string[] = [];
  for (let r = 1; r <= opts.repeat && !deps.abort.aborted; r++) {
    deps.log.info({ clients, repeat: r }, `step ${stepNumber}: ${clients} clients (run ${r}/${opts.repeat})`);
    const check = checkFirst && r === 1 ? { noCheckDoes: 'search anyway' } : null;
    const run = await measuredRun(
      {
        target: opts.target,
        configFor: (server) =>
          resolveLoadConfig({
            ...opts.load,
            url: server.url,
            clients,
            serverPid: server.pid,
            outDir: runsDir,
            name: `capacity-${clients}-r${r}`,
            check: false,
          }),
        conformanceCheck: () => check,
        onTargetFailure: 'throw',
        interrupted: 'drop',
        onWriteFailure: 'throw',
        tool: opts.tool,
        argv: opts.argv,
      },
      deps,
    );
    if (run.kind !== 'measured') break;
    if (run.workerError) {
      const e = run.workerError;
      deps.log.error({ clients, repeat: r, code: e.code, file: run.files?.json }, `step ${stepNumber}, run ${r}: ${e.message}; the search stops here`);
      return { docs, files, runError: e };
    }
    files.push(run.files!.json);
    docs.push(run.doc);
  }
  return { docs, files };
}

/**
 * The search: for each client count the search asks for, `repeat` full load runs (each its own
 * wsbench run with its verdict, result files under <out>/runs/), judged together (judge-step.ts).
 * A signal ends it after the current run; what was measured is kept.
 */
export async function runCapacity(
  opts: CapacityOptions,
  deps: { log: Logger; abort: AbortSignal; progress: () => Promise<ProgressSink>; onStep: StepSink },
): Promise<CapacityOutcome> {
  const { abort } = deps;
  prepareOutputDir(opts.outDir);
  const runsDir = path.join(opts.outDir, 'runs');
  const search = new CapacitySearch(opts.search);
  const steps: CapacityStep[] = [];
  let checked = !opts.check;
  for (let clients = search.next(); clients !== undefined && !abort.aborted; clients = search.next()) {
    const runs = await runStep(clients, steps.length + 1, !checked, opts, deps, runsDir);
    checked = true;
    if (runs.runError) return { steps, answer: search.answer(), interrupted: abort.aborted, runError: runs.runError };
    if (runs.docs.length < opts.repeat) break; // interrupted mid-step: the step is not judged
    const step = judgeStep(clients, runs.docs, runs.files, opts.slos);
    steps.push(step);
    deps.onStep(step, steps.length - 1);
    search.record(clients, step.outcome);
  }
  return { steps, answer: search.answer(), interrupted: abort.aborted };
}
