/**
 * One measured run, the sequence `load`, `compare` and `capacity` share: start the target → the
 * conformance check → the load → the result document → its files → stop the target. What differs
 * between the commands is policy, given here as options; what a run means for the exit code is
 * decided by the CLI, from what this returns.
 */
import { isWsbError, WsbError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { LoadConfig } from '../profile/load-config.js';
import { runLoad, type ConformanceCheck, type LoadOutcome } from '../load/run-load.js';
import { buildResult } from '../result/build-result.js';
import { prepareOutputDir, writeResults, type WrittenFiles } from '../result-files/write-results.js';
import type { ResultDocument } from '../contract/result.js';
import type { ProgressSink } from '../core/progress.js';
import type { RunningTarget, Target } from '../targets/target.js';
import { checkConformance, failedChecksText, requireConformingTarget } from './conformance-check.js';

export interface MeasuredRunOptions {
  target: Target;
  /** The load to run, once the target is up (its URL and pid are known). */
  configFor(running: RunningTarget): LoadConfig;
  /** Whether to check the target's conformance before this load (null: not); `noCheckDoes` ends a failure's hint ("or --no-check to …"). */
  conformanceCheck(config: LoadConfig): { noCheckDoes: string } | null;
  /**
   * A target that does not start or fails the conformance check: `throw` (load, capacity: the command ends), or
   * `skip` (compare: returned as not measured, the other servers still are). Under `skip` the check
   * runs before the load's trial connection, so anything short of a WebSocket server is a failed check.
   */
  onTargetFailure: 'throw' | 'skip';
  /** A signal's interruption: written as a partial result, or dropped unwritten (capacity judges only whole steps). A worker's failure is always written. */
  interrupted: 'write' | 'drop';
  /** Result files that cannot be written: `throw`, or `report` (returned with the result, so the summary still comes out). */
  onWriteFailure: 'throw' | 'report';
  /** compare's label of each result: server, tier, repeat. */
  label?: ResultDocument['label'];
  tool: { name: string; version: string };
  argv: readonly string[];
}

export interface MeasuredRunDeps {
  log: Logger;
  abort: AbortSignal;
  progress: () => Promise<ProgressSink>;
}

export type MeasuredRun =
  | { kind: 'not-measured'; stage: 'start' | 'check'; reason: string }
  | { kind: 'dropped' }
  | {
      kind: 'measured';
      doc: ResultDocument;
      files: WrittenFiles | undefined;
      writeError: WsbError | undefined;
      /** A load worker failed or went away: the run stopped there, and its result holds what was measured until then. */
      workerError: WsbError | undefined;
    };

export async function measuredRun(opts: MeasuredRunOptions, deps: MeasuredRunDeps): Promise<MeasuredRun> {
  const running = await startTarget(opts);
  if ('kind' in running) return running;
  try {
    const config = opts.configFor(running);
    // Fail at once, not after the run, when the results cannot be written.
    prepareOutputDir(config.outDir);
    const checked = await checkAndLoad(opts, deps, running, config);
    if (checked.kind === 'not-measured') return checked;
    // A signal's interruption may be dropped; a worker's failure never is: its partial result is the evidence.
    if (checked.outcome.interrupted && opts.interrupted === 'drop' && checked.outcome.workerErrors.length === 0) return { kind: 'dropped' };
    const doc = resultDocument(checked.outcome, opts);
    return { kind: 'measured', doc, ...writeFiles(doc, config.outDir, opts.onWriteFailure), workerError: workerErrorOf(checked.outcome) };
  } finally {
    await running.stop();
  }
}

async function startTarget(opts: MeasuredRunOptions): Promise<RunningTarget | MeasuredRun> {
  try {
    return await opts.target.start();
  } catch (err) {
    if (opts.onTargetFailure === 'throw') throw err;
    // A server that cannot start (a runtime missing or broken) is not measured; the others are.
    return { kind: 'not-measured', stage: 'start', reason: err instanceof Error ? err.message : String(err) };
  }
}

/** The conformance check (before the load under `skip`, inside it after the trial connection under `throw`), then the load. */
async function checkAndLoad(
  opts: MeasuredRunOptions,
  deps: MeasuredRunDeps,
  running: RunningTarget,
  config: LoadConfig,
): Promise<{ kind: 'loaded'; outcome: LoadOutcome } | Extract<MeasuredRun, { kind: 'not-measured' }>> {
  const wanted = opts.conformanceCheck(config);
  let conformanceCheck: ConformanceCheck | undefined;
  if (wanted && opts.onTargetFailure === 'skip') {
    const report = await checkConformance(running.url, config);
    if (!report.ok) return { kind: 'not-measured', stage: 'check', reason: failedChecksText(report) };
    // Already run: the load only records it, so that the result says what was checked.
    conformanceCheck = () => Promise.resolve(report);
  } else if (wanted) {
    conformanceCheck = (localAddress) => requireConformingTarget(running.url, config, wanted.noCheckDoes, deps.log, localAddress);
  }
  const outcome = await runLoad(config, { log: deps.log, abort: deps.abort, progress: await deps.progress(), conformanceCheck });
  return { kind: 'loaded', outcome };
}

function resultDocument(outcome: LoadOutcome, opts: MeasuredRunOptions): ResultDocument {
  const doc = buildResult(outcome, opts.tool, opts.argv);
  return opts.label ? { ...doc, label: opts.label } : doc;
}

function workerErrorOf(outcome: LoadOutcome): WsbError | undefined {
  const [first, ...more] = outcome.workerErrors;
  if (first === undefined) return undefined;
  return new WsbError(
    'WSB_ERR_INTERNAL',
    `${first}${more.length ? ` (and ${more.length} more worker error(s))` : ''}; the run stopped there`,
    'this is a bug in wsbench: please report it with the result file (it holds what was measured until then) and the log at --log-level debug',
  );
}

function writeFiles(doc: ResultDocument, outDir: string, onFailure: 'throw' | 'report'): { files: WrittenFiles | undefined; writeError: WsbError | undefined } {
  try {
    return { files: writeResults(doc, outDir), writeError: undefined };
  } catch (err) {
    // The run is not lost: the caller still shows the summary (and --json's document), then the error.
    if (onFailure === 'throw' || !isWsbError(err)) throw err;
    return { files: undefined, writeError: err };
  }
}
