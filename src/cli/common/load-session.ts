import { EXIT, type ExitCode } from '../../contract/exit-codes.js';
import type { Logger } from '../../core/logger.js';
import type { LoadConfig } from '../../profile/load-config.js';
import { isWsbError, WsbError } from '../../core/errors.js';
import { renderSummary } from '../../report/summary-table.js';
import { abortOnSignal, progressSink } from './interruption.js';
import type { ResultDocument } from '../../contract/result.js';
import type { CliContext } from './context.js';
import { TOOL } from './tool.js';
import { evaluateThresholds, type Threshold } from '../../gate/thresholds.js';
import { describeThresholds } from '../../gate/gate-output.js';
import { measuredRun } from '../../session/measured-run.js';
import type { WrittenFiles } from '../../result-files/write-results.js';
import type { RunningTarget, Target } from '../../targets/target.js';

/** Maps a finished run to the process exit code (see exit-codes.ts). */
export function exitCodeFor(doc: ResultDocument, interruptedExitCode: () => number): number {
  if (doc.interrupted) return interruptedExitCode();
  if (doc.summary.verdict === 'client-saturated') return EXIT.CLIENT_SATURATED;
  if (doc.summary.verdict === 'target-errors') return EXIT.TARGET_ERRORS;
  return EXIT.OK;
}

/**
 * `load` and `demo`: one measured run (src/session) with live progress, a signal turned into a partial
 * result; prints the summary (stdout, or stderr when --json puts the document on stdout), judges the
 * thresholds and returns the exit code.
 */
export async function runLoadSession(
  target: Target,
  configFor: (running: RunningTarget) => LoadConfig,
  ctx: CliContext,
  log: Logger,
  opts: { json: boolean; thresholds?: Threshold[] },
): Promise<{ code: number; doc: ResultDocument }> {
  const interrupt = abortOnSignal(ctx, log, 'stopping, closing connections and writing the partial result');
  const run = await measureOrExplainInterruption(
    () => interrupt.interruptedExitCode(),
    () =>
      measuredRun(
        {
          target,
          configFor,
          conformanceCheck: (config) => (config.check ? { noCheckDoes: 'measure it anyway' } : null),
          onTargetFailure: 'throw',
          interrupted: 'write',
          onWriteFailure: 'report',
          tool: TOOL,
          argv: ctx.argv,
        },
        { log, abort: interrupt.signal, progress: () => progressSink(ctx, log) },
      ),
  );
  if (run.kind !== 'measured') throw new WsbError('WSB_ERR_INTERNAL', `a load run ended as ${run.kind}`);
  printSummary(run.doc, run.files, ctx, opts.json);
  if (run.doc.summary.verdict === 'client-saturated') {
    log.warn(
      'the load generator, not the server, was the limit: these figures describe the client. Use fewer clients per thread, more --threads, or a bigger machine.',
    );
  }
  let code = exitCodeFor(run.doc, () => interrupt.interruptedExitCode());
  if (opts.thresholds?.length) code = judgeThresholds(run.doc, opts.thresholds, ctx) ?? code;
  // A worker's failure first, then a write failure: the last one printed decides the exit code.
  for (const e of [run.workerError, run.writeError]) {
    if (!e) continue;
    ctx.stderr.write(`wsbench: ${e.message} [${e.code}]\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
    code = e.exitCode;
  }
  return { code, doc: run.doc };
}

/** A signal during the trial connection or the conformance check ends the run unmeasured: the exit code says which signal it was. */
async function measureOrExplainInterruption<T>(interruptedExitCode: () => ExitCode, measure: () => Promise<T>): Promise<T> {
  try {
    return await measure();
  } catch (err) {
    if (isWsbError(err) && err.code === 'WSB_ERR_INTERRUPTED') throw new WsbError(err.code, err.message, undefined, interruptedExitCode());
    throw err;
  }
}

function printSummary(doc: ResultDocument, files: WrittenFiles | undefined, ctx: CliContext, json: boolean): void {
  if (json) {
    ctx.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    ctx.stderr.write(renderSummary(doc, files));
  } else {
    ctx.stdout.write(renderSummary(doc, files));
  }
}

/** Prints each threshold's outcome; returns EXIT.THRESHOLD when one is crossed (an interruption says more, so it keeps its code). */
function judgeThresholds(doc: ResultDocument, thresholds: Threshold[], ctx: CliContext): number | undefined {
  const outcomes = evaluateThresholds(doc, thresholds);
  ctx.stderr.write(describeThresholds(outcomes));
  return outcomes.some((o) => !o.ok) && !doc.interrupted ? EXIT.THRESHOLD : undefined;
}
