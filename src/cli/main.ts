/**
 * The CLI entry: parses flags, delegates to a command, maps every failure to one line on stderr
 * and a documented exit code. Of the modules the CLI runs, this is the only one that reads the
 * process's argv and environment, listens for its signals and sets its exit code: commands get them
 * through CliContext and pass them on (the servers src/targets starts inherit ctx.env). Below it,
 * `process` is used only for facts of the host (pid, platform, execPath) and to signal child
 * processes. The entry files of the child processes wsbench starts (src/server/cluster-worker-main.ts,
 * src/load/fleet/process-main.ts) do the same for their own process; the load and its workers read
 * WSBENCH_SEND_CLOCK where they run (src/load/worker/pick-send-clock.ts), and the workers the test
 * hook WSBENCH_TEST_TICK_THROW (src/load/worker/send-scheduler.ts).
 */
import { CommanderError, type Command } from 'commander';
import { isWsbError } from '../core/errors.js';
import { EXIT } from '../contract/exit-codes.js';
import type { CliContext } from './common/context.js';
import { buildProgram } from './program.js';

const signalWaiters: ((s: NodeJS.Signals) => void)[] = [];
/** A signal that arrived before anyone waited (e.g. during start-up) is kept, not lost. */
let firstSignal: NodeJS.Signals | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (firstSignal) process.exit(sig === 'SIGINT' ? EXIT.SIGINT : EXIT.SIGTERM); // second signal: leave now
    firstSignal = sig;
    for (const w of signalWaiters.splice(0)) w(sig);
  });
}

// A reader that went away (`wsbench --help | head`, a pager quit early) is not a failure of the
// command: what it writes after that is dropped, and the run ends as it would have (results saved).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') process.exitCode = EXIT.INTERNAL;
  });
}

const ctx: CliContext = {
  stdout: process.stdout,
  stderr: process.stderr,
  waitForSignal: () => new Promise((resolve) => (firstSignal ? resolve(firstSignal) : signalWaiters.push(resolve))),
  isCI: Boolean(process.env.CI) && process.env.CI !== 'false',
  argv: process.argv,
  env: process.env,
  exitCode: EXIT.OK,
};

/**
 * Commander's own complaints (unknown option, bad argument, missing value) in the one documented
 * error format: `wsbench: <message> [WSB_ERR_USAGE]` and a hint line.
 */
function usageLine(commanderText: string, commands: readonly string[]): string {
  const message = commanderText
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ');
  const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
  const known = command !== undefined && commands.includes(command);
  return `wsbench: ${message} [WSB_ERR_USAGE]\n  hint: run \`wsbench ${known ? `${command} ` : ''}--help\` for usage\n`;
}

async function main(): Promise<number> {
  const program: Command = buildProgram(ctx, (s) =>
    usageLine(
      s,
      program.commands.map((c) => c.name()),
    ),
  );
  try {
    await program.parseAsync(process.argv);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other commander complaint is a usage error.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (isWsbError(err)) {
      ctx.stderr.write(`wsbench: ${err.message} [${err.code}]\n`);
      if (err.hint) ctx.stderr.write(`  hint: ${err.hint}\n`);
      return err.exitCode;
    }
    ctx.stderr.write(`wsbench: internal error: ${(err as Error)?.stack ?? String(err)}\n  please report this at the project's issue tracker\n`);
    return EXIT.INTERNAL;
  }
}

void main().then((code) => {
  process.exitCode = code;
  // Flush stdout/stderr, then leave even if a library left a handle open.
  setImmediate(() => process.exit(code));
});
