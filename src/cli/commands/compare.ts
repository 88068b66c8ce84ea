import { arrivalSeedOption, arrivalsOption } from '../common/arrivals-options.js';
import path from 'node:path';
import { Command, Option } from 'commander';
import { createLogger } from '../../core/logger.js';
import { EXIT } from '../../contract/exit-codes.js';
import { listOption, intOption, logLevelOption, oneOf, collect, cpuListOption } from '../common/parse.js';
import { placeServersAndLoad } from '../common/placement.js';
import { abortOnSignal, progressSink } from '../common/interruption.js';
import { TOOL } from '../common/tool.js';
import type { CliContext } from '../common/context.js';
import { dashboardHostOption, dashboardOption, metricsHostOption, metricsPortOption, startLiveView, type LiveFlags } from '../common/live-options.js';
import { RESULTS_DIR } from '../../core/defaults.js';
import { shownDefault } from '../common/help.js';
import { RUNTIMES, type Runtime } from '../../targets/runtimes.js';
import { DEFAULT_REPEATS } from '../../stats/compare-samples.js';
import { usageError } from '../../core/errors.js';

interface CompareFlags {
  runtimes?: Runtime[];
  server: string[];
  profiles: string[];
  repeat: number;
  baselineServer?: string;
  out?: string;
  logLevel: string;
  serverCpus?: number[];
  loadCpus?: number[];
  arrivals?: 'grid' | 'spread' | 'poisson';
  arrivalSeed?: number;
}

export function registerCompare(program: Command, ctx: CliContext): void {
  program
    .command('compare')
    .description(
      'run the same load against several servers/runtimes, one at a time, repeats interleaved, and write a comparison with significance (CSV, Markdown, HTML, JSON)',
    )
    .option('--runtimes <list>', `reference servers to compare: ${RUNTIMES.join(', ')} (default: node, unless --server is given)`, (v) =>
      listOption(v).map(oneOf(RUNTIMES)),
    )
    .option('--server <spec>', "an external server: 'name=command with {port}' (repeatable)", collect, [])
    .option('--profiles <list>', 'load profiles (tiers), e.g. 1k,10k', listOption, ['smoke'])
    .option(
      '--repeat <n>',
      `runs per server x tier, interleaved across servers (medians, spread and, from 4 on, significance; see docs/significance.md)`,
      intOption(1, 100),
      DEFAULT_REPEATS,
    )
    .addOption(arrivalsOption())
    .addOption(arrivalSeedOption())
    .option('--baseline-server <name>', 'the server every other one is compared against (default: the first)')
    .addOption(shownDefault(new Option('-o, --out <dir>', 'output folder'), `${RESULTS_DIR}/compare-<timestamp>`))
    .option('--server-cpus <list>', 'pin every server it starts to these CPUs, e.g. 0 (recorded in each result)', cpuListOption)
    .option('--load-cpus <list>', 'pin its own load to these CPUs, e.g. 1; must not overlap --server-cpus', cpuListOption)
    .addOption(metricsPortOption())
    .addOption(metricsHostOption())
    .addOption(dashboardOption())
    .addOption(dashboardHostOption())
    .addOption(logLevelOption())
    .action(async (flags: CompareFlags & LiveFlags) => {
      const log = createLogger(flags.logLevel, ctx.stderr);
      const serverCpus = placeServersAndLoad(flags.serverCpus, flags.loadCpus, log);
      const { runCompare } = await import('../../compare/run-compare.js');
      const { targetList } = await import('../../targets/make-targets.js');
      const { fileTimestamp } = await import('../../result-files/write-results.js');
      const { renderResults } = await import('../../report/render-results.js');
      const { significanceText, SINGLE_RUN_NOTE } = await import('../../report/significance-table.js');
      // `--server a=… --server b=…` compares a and b alone; the node reference joins only when asked for.
      const runtimes: Runtime[] = flags.runtimes ?? (flags.server.length ? [] : ['node']);
      const targets = targetList({ runtimes, servers: flags.server, serverCpus }, { env: ctx.env });
      if (flags.baselineServer !== undefined && !targets.some((t) => t.name === flags.baselineServer)) {
        throw usageError(`--baseline-server ${flags.baselineServer}: no such server`, `servers: ${targets.map((t) => t.name).join(', ')}`);
      }
      const { requireDistinctProfileNames } = await import('../../profile/read-profile.js');
      requireDistinctProfileNames(flags.profiles);
      const outDir = flags.out ?? path.join(RESULTS_DIR, `compare-${fileTimestamp(new Date())}`);
      const live = await startLiveView(ctx, log, flags, { title: 'wsbench compare', plannedRuns: targets.length * flags.profiles.length * flags.repeat });
      const interrupt = abortOnSignal(ctx, log, 'finishing the current run and writing what was measured');
      const outcome = await runCompare(
        {
          targets,
          profiles: flags.profiles,
          repeat: flags.repeat,
          baseline: flags.baselineServer,
          outDir,
          tool: TOOL,
          argv: ctx.argv,
          arrivals: flags.arrivals,
          arrivalSeed: flags.arrivalSeed,
        },
        { log, abort: interrupt.signal, progress: () => progressSink(ctx, log) },
      );
      await live.finish({ htmlFile: outcome.files.html });
      ctx.stdout.write(renderResults(outcome.docs, 'table', 'wsbench compare'));
      // One server has nothing to compare against; say why there is no verdict when it is the repeats.
      ctx.stdout.write(outcome.comparisons.length || flags.repeat > 1 ? significanceText(outcome.comparisons) : `significance: ${SINGLE_RUN_NOTE}\n`);
      ctx.stdout.write(`results: ${outcome.files.csv}\n         ${outcome.files.md}\n         ${outcome.files.html}\n         ${outcome.files.json}\n`);
      if (outcome.interrupted) ctx.exitCode = interrupt.interruptedExitCode();
      else if (outcome.runErrors.length) ctx.exitCode = outcome.runErrors[0].error.exitCode;
      else if (outcome.failedChecks.some((f) => f.stage === 'start')) ctx.exitCode = EXIT.PARTIAL;
      else if (outcome.failedChecks.length) ctx.exitCode = EXIT.TARGET;
      else if (outcome.docs.some((d) => d.summary.verdict === 'client-saturated')) ctx.exitCode = EXIT.CLIENT_SATURATED;
      else if (outcome.docs.some((d) => d.summary.verdict === 'target-errors')) ctx.exitCode = EXIT.TARGET_ERRORS;
    });
}
