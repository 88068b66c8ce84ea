import { EXIT, type ExitCode } from '../../contract/exit-codes.js';
import type { Logger } from '../../core/logger.js';
import type { ProgressSink } from '../../core/progress.js';
import type { CliContext } from './context.js';

/**
 * Turns the first SIGINT/SIGTERM into an abort of a long run (which then writes what it measured),
 * and remembers which signal it was for the exit code (130 or 143).
 */
export function abortOnSignal(ctx: CliContext, log: Logger, what: string): { signal: AbortSignal; interruptedExitCode(): ExitCode } {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  void ctx.waitForSignal().then((s) => {
    received = s;
    log.warn({ signal: s }, `interrupted: ${what}`);
    controller.abort();
  });
  return { signal: controller.signal, interruptedExitCode: () => (received === 'SIGTERM' ? EXIT.SIGTERM : EXIT.SIGINT) };
}

/** The command's live view (live-options.ts), else a live line on a terminal; periodic log lines in CI and pipes. */
export async function progressSink(ctx: CliContext, log: Logger): Promise<ProgressSink> {
  if (ctx.live) return ctx.live.sink();
  const { logProgress, terminalProgress } = await import('../../live/progress.js');
  return ctx.stderr.isTTY && !ctx.isCI ? terminalProgress(ctx.stderr) : logProgress(log);
}
