import { EXIT } from '../../contract/exit-codes.js';
import type { Logger } from '../../core/logger.js';
import type { LoadConfig } from '../../profile/load-config.js';
import { runLoad } from '../../load/run-load.js';
import { buildResult } from '../../result/build-result.js';
import { prepareOutputDir, writeResults, type WrittenFiles } from '../../result-files/write-results.js';
import { isWsbError, WsbError } from '../../core/errors.js';
import { renderSummary } from '../../report/summary-table.js';
import { abortOnSignal, progressSink } from './interruption.js';
import type { ResultDocument } from '../../contract/result.js';
import type { CliContext } from './context.js';
import { TOOL } from './tool.js';
import { evaluateThresholds, type Threshold } from '../../gate/thresholds.js';
import { describeThresholds } from '../../gate/gate-output.js';

/** Maps a finished run to the process exit code (see exit-codes.ts). */
export function exitCodeFor(doc: ResultDocument, interruptedExitCode: () => number): number {
  if (doc.interrupted) return interruptedExitCode();
  if (doc.summary.verdict === 'client-saturated') return EXIT.CLIENT_SATURATED;
  if (doc.summary.verdict === 'target-errors') return EXIT.TARGET_ERRORS;
  return EXIT.OK;
}

/**
 * Runs one load with live progress, turns a signal into a partial result, writes the result files,
 * prints the summary (stdout, or stderr when --json puts the document on stdout), returns the exit code.
 */
export async function runLoadSession(
  config: LoadConfig,
  ctx: CliContext,
  log: Logger,
  opts: { json: boolean; thresholds?: Threshold[] },
): Promise<{ code: number; doc: ResultDocument }> {
  // Fail at once, not after the run, when the results cannot be written.
  prepareOutputDir(config.outDir);
  const interrupt = abortOnSignal(ctx, log, 'stopping, closing connections and writing the partial result');
  let outcome;
  try {
    outcome = await runLoad(config, { log, abort: interrupt.signal, progress: await progressSink(ctx, log) });
  } catch (err) {
    // A signal during the trial probe or the gate: the exit code says which signal it was.
    if (isWsbError(err) && err.code === 'WSB_ERR_INTERRUPTED') throw new WsbError(err.code, err.message, undefined, interrupt.interruptedExitCode());
    throw err;
  }
  const doc = buildResult(outcome, TOOL, ctx.argv);
  let files: WrittenFiles | undefined;
  let writeError: WsbError | undefined;
  try {
    files = writeResults(doc, config.outDir);
  } catch (err) {
    // The run is not lost: the summary (and --json's document) still come out, then the error.
    if (!isWsbError(err)) throw err;
    writeError = err;
  }
  if (opts.json) {
    ctx.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    ctx.stderr.write(renderSummary(doc, files));
  } else {
    ctx.stdout.write(renderSummary(doc, files));
  }
  if (doc.summary.verdict === 'client-saturated') {
    log.warn(
      'the load generator, not the server, was the limit: these figures describe the client. Use fewer clients per thread, more --threads, or a bigger machine.',
    );
  }
  let code = exitCodeFor(doc, () => interrupt.interruptedExitCode());
  if (opts.thresholds?.length) {
    const outcomes = evaluateThresholds(doc, opts.thresholds);
    ctx.stderr.write(describeThresholds(outcomes));
    // A crossed limit is the CI gate's answer; only an interruption says more.
    if (outcomes.some((o) => !o.ok) && !doc.interrupted) code = EXIT.THRESHOLD;
  }
  if (writeError) {
    ctx.stderr.write(`wsbench: ${writeError.message} [${writeError.code}]\n${writeError.hint ? `  hint: ${writeError.hint}\n` : ''}`);
    code = writeError.exitCode;
  }
  return { code, doc };
}
