import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { EXIT } from '../../contract/exit-codes.js';
import { WsbError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { ReportFormat } from '../../report/render-results.js';
import { collect, logLevelOption } from '../common/parse.js';
import type { CliContext } from '../common/context.js';

interface ReportFlags {
  format: ReportFormat;
  out?: string;
  title: string;
  baseline: string[];
  maxRegression?: string;
  logLevel: string;
}

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description(
      'render results as a table, CSV, Markdown or HTML (one row per run: repeats grouped, shards and merged results apart); gate on regressions against a baseline',
    )
    .argument('<files...>', 'result .json files (from load, compare or merge)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'csv', 'md', 'html']).default('table'))
    .option('-o, --out <file>', 'write the rendering to this file instead of stdout')
    .option('--title <title>', 'report title', 'wsbench report')
    .option(
      '--baseline <file>',
      'a result to compare every given result against; repeatable: with several baselines and several results per run, a figure fails only if significantly worse and beyond its limit (docs/significance.md)',
      collect,
      [],
    )
    .option(
      '--max-regression <list>',
      'how much worse than the baseline each figure may get, e.g. latency.p99=10%,messagesPerSec=5% (latency, memory, CPU, errors: higher is worse; messagesPerSec, established: lower is worse; a figure the baseline lacks is skipped)',
    )
    .addOption(logLevelOption())
    .action(async (files: string[], flags: ReportFlags) => {
      if (flags.baseline.length > 0 !== !!flags.maxRegression) throw new WsbError('WSB_ERR_USAGE', '--baseline and --max-regression go together');
      const log = createLogger(flags.logLevel, ctx.stderr);
      const { readResultFile } = await import('../../result-files/read-results.js');
      const { renderResults } = await import('../../report/render-results.js');
      const { parseRegressionLimits } = await import('../../gate/regression.js');
      // Parse the limits before any output, so a typo fails alone.
      const limits = flags.maxRegression ? parseRegressionLimits(flags.maxRegression) : [];
      const docs = files.map((file) => {
        const doc = readResultFile(file);
        log.debug({ file, name: doc.name, shard: doc.config.shard, merged: Boolean(doc.mergedFrom) }, `read ${file}`);
        return doc;
      });
      // Baselines are read before any output too: a refused baseline must not leave a report behind it.
      const baselines = flags.baseline.map(readResultFile);
      const text = renderResults(docs, flags.format, flags.title);
      if (flags.out) {
        writeFileSync(flags.out, text);
        log.info({ file: flags.out, format: flags.format, results: docs.length }, `wrote the ${flags.format} report to ${flags.out}`);
      } else ctx.stdout.write(text);
      if (!flags.baseline.length) return;
      const { gateOnBaseline } = await import('../../gate/baseline-gate.js');
      const gate = gateOnBaseline(docs, baselines, limits);
      ctx.stderr.write(gate.text);
      if (gate.skipped.length) log.warn({ skipped: gate.skipped }, `not gated: the baseline has no ${gate.skipped.join(', ')} (see skipped above)`);
      if (gate.regressed) {
        ctx.stderr.write('wsbench: regression against the baseline (see REGRESSED above)\n');
        ctx.exitCode = EXIT.THRESHOLD;
      }
    });
}
