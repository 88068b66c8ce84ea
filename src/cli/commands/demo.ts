import { Command } from 'commander';
import { logLevelOption } from '../common/parse.js';
import { createLogger } from '../../core/logger.js';
import type { CliContext } from '../common/context.js';
import { RESULTS_DIR } from '../../core/defaults.js';

/** The README's first command: a real server and a real load on loopback, summary printed. */
export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('start `wsbench serve` on a free loopback port and run the smoke profile against it')
    .option('-p, --profile <name|path>', 'load profile to run', 'smoke')
    .option('-o, --out <dir>', 'where result files go', RESULTS_DIR)
    .addOption(logLevelOption())
    .action(async (flags: { profile: string; out: string; logLevel: string }) => {
      const log = createLogger(flags.logLevel, ctx.stderr);
      const { resolveLoadConfig } = await import('../../profile/resolve-config.js');
      const { referenceTarget } = await import('../../targets/make-targets.js');
      const { runLoadSession } = await import('../common/load-session.js');
      const target = referenceTarget('node', [], undefined, { env: ctx.env });
      const configFor = (server: { url: string; pid: number | undefined }) => {
        log.info({ url: server.url, pid: server.pid }, 'started wsbench serve');
        return resolveLoadConfig({ url: server.url, profile: flags.profile, serverPid: server.pid, outDir: flags.out, name: `demo-${flags.profile}` });
      };
      const { code } = await runLoadSession(target, configFor, ctx, log, { json: false });
      ctx.exitCode = code;
    });
}
