/**
 * The wsbench program: every command and its flags, as commander defines them. main.ts parses the
 * process's argv with it; the docs tests walk the same definitions to check docs/reference.md.
 */
import { Command } from 'commander';
import type { CliContext } from './common/context.js';
import { TOOL } from './common/tool.js';
import { registerServe } from './commands/serve.js';
import { registerLoad } from './commands/load.js';
import { registerDemo } from './commands/demo.js';
import { registerCheck } from './commands/check.js';
import { registerReport } from './commands/report.js';
import { registerCompare } from './commands/compare.js';
import { registerMerge } from './commands/merge.js';
import { addHelpTexts, HELP_CONFIG } from './common/help.js';
import { registerCapacity } from './commands/capacity.js';

/** Builds the program; `outputError` turns commander's own complaints into wsbench's error format. */
export function buildProgram(ctx: CliContext, outputError: (commanderText: string) => string): Command {
  const program = new Command('wsbench')
    .description('WebSocket Pong server and open-model load generator: latency and memory at 1k, 10k and 100k clients')
    .version(TOOL.version, '-v, --version')
    .exitOverride()
    // Before the commands are added: they inherit the help configuration.
    .configureHelp(HELP_CONFIG)
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s), outputError: (s) => ctx.stderr.write(outputError(s)) });
  registerServe(program, ctx);
  registerLoad(program, ctx);
  registerDemo(program, ctx);
  registerCheck(program, ctx);
  registerReport(program, ctx);
  registerCompare(program, ctx);
  registerMerge(program, ctx);
  registerCapacity(program, ctx);
  addHelpTexts(program);
  return program;
}
