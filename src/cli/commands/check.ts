import { Command } from 'commander';
import { EXIT } from '../../core/exit-codes.js';
import { listOption } from '../parse.js';
import type { CliContext } from '../context.js';

export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description('conformance gate: handshake, greeting, Pong or echo reply, binary echo, close handshake')
    .argument('<url>', 'WebSocket URL of the server to check')
    .option('--protocol <list>', 'subprotocols to offer, comma-separated', listOption)
    .option('--json', 'print the report as JSON on stdout', false)
    .action(async (url: string, flags: { protocol?: string[]; json: boolean }) => {
      // Implementation modules load on use, so `serve` does not carry every command's dependencies.
      const { runConformance } = await import('../../check/conformance.js');
      const { renderConformance } = await import('../../check/render-check.js');
      const report = await runConformance(url, { protocols: flags.protocol });
      ctx.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderConformance(report));
      ctx.exitCode = report.ok ? EXIT.OK : EXIT.TARGET;
    });
}
