import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { EXIT } from '../../core/exit-codes.js';
import { WsbError } from '../../core/errors.js';
import type { ReportFormat } from '../../report/render-results.js';
import type { CliContext } from '../context.js';

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('render results as a table, CSV, Markdown or HTML; gate on regressions against a baseline')
    .argument('<files...>', 'result .json files (from load, compare or merge)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'csv', 'md', 'html']).default('table'))
    .option('-o, --out <file>', 'write the rendering to this file instead of stdout')
    .option('--title <title>', 'report title', 'wsbench report')
    .option('--baseline <file>', 'a result to compare every given result against')
    .option('--max-regression <list>', 'largest allowed increase over the baseline, e.g. rtt.p99=10%,server.rssPerConnectionKb=5%')
    .action(async (files: string[], flags: { format: ReportFormat; out?: string; title: string; baseline?: string; maxRegression?: string }) => {
      if (!!flags.baseline !== !!flags.maxRegression) throw new WsbError('WSB_ERR_USAGE', '--baseline and --max-regression go together');
      const { readResultFile } = await import('../../report/read-results.js');
      const { renderResults } = await import('../../report/render-results.js');
      const docs = files.map(readResultFile);
      const text = renderResults(docs, flags.format, flags.title);
      if (flags.out) writeFileSync(flags.out, text);
      else ctx.stdout.write(text);
      if (!flags.baseline || !flags.maxRegression) return;
      const { compareToBaseline, parseRegressionLimits } = await import('../../report/regression.js');
      const { describeRegressions } = await import('../../report/gate-output.js');
      const { runLabel } = await import('../../report/comparison.js');
      const baseline = readResultFile(flags.baseline);
      const limits = parseRegressionLimits(flags.maxRegression);
      let crossed = false;
      for (const doc of docs) {
        const outcomes = compareToBaseline(doc, baseline, limits);
        const { server, tier } = runLabel(doc);
        ctx.stderr.write(describeRegressions(outcomes, `${server}/${tier}`));
        crossed ||= outcomes.some((o) => !o.ok);
      }
      if (crossed) {
        ctx.stderr.write('wsbench: regression against the baseline (see REGRESSED above)\n');
        ctx.exitCode = EXIT.THRESHOLD;
      }
    });
}
