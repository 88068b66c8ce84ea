import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import Table from 'cli-table3';
import { EXIT } from '../../core/exit-codes.js';
import { WsbError } from '../../core/errors.js';
import { readResultFile } from '../../report/read-results.js';
import { comparisonCsv, comparisonMarkdown, comparisonRows, COMPARISON_COLUMNS } from '../../report/comparison.js';
import { renderHtmlReport } from '../../report/html-report.js';
import { compareToBaseline, parseRegressionLimits } from '../../report/regression.js';
import { describeRegressions } from '../../report/gate-output.js';
import { runLabel } from '../../report/comparison.js';
import type { ResultDocument } from '../../report/result-schema.js';
import type { CliContext } from '../context.js';

type Format = 'table' | 'csv' | 'md' | 'html';

export function renderResults(docs: ResultDocument[], format: Format, title: string): string {
  const rows = comparisonRows(docs);
  switch (format) {
    case 'csv':
      return comparisonCsv(rows);
    case 'md':
      return comparisonMarkdown(rows, title);
    case 'html':
      return renderHtmlReport(docs, title);
    case 'table': {
      const t = new Table({ head: COMPARISON_COLUMNS.map((c) => c.title), style: { head: [], border: [] } });
      for (const r of rows) t.push(COMPARISON_COLUMNS.map((c) => c.format(r)));
      return t.toString() + '\n';
    }
  }
}

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
    .action((files: string[], flags: { format: Format; out?: string; title: string; baseline?: string; maxRegression?: string }) => {
      const docs = files.map(readResultFile);
      const text = renderResults(docs, flags.format, flags.title);
      if (flags.out) writeFileSync(flags.out, text);
      else ctx.stdout.write(text);
      if (!flags.baseline && !flags.maxRegression) return;
      if (!flags.baseline || !flags.maxRegression) {
        throw new WsbError('WSB_ERR_USAGE', '--baseline and --max-regression go together');
      }
      const baseline = readResultFile(flags.baseline);
      const limits = parseRegressionLimits(flags.maxRegression);
      let crossed = false;
      for (const doc of docs) {
        const outcomes = compareToBaseline(doc, baseline, limits);
        const label = `${runLabel(doc).server}/${runLabel(doc).tier}`;
        ctx.stderr.write(describeRegressions(outcomes, label));
        crossed ||= outcomes.some((o) => !o.ok);
      }
      if (crossed) {
        ctx.stderr.write('wsbench: regression against the baseline (see REGRESSED above)\n');
        ctx.exitCode = EXIT.THRESHOLD;
      }
    });
}
