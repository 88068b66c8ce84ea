import { tierTextChart } from './tier-text-chart.js';
import Table from 'cli-table3';
import { comparisonColumns, comparisonCsv, comparisonMarkdown, comparisonRows } from './comparison.js';
import { renderHtmlReport } from './html-report.js';
import type { ResultDocument } from '../contract/result.js';

export type ReportFormat = 'table' | 'csv' | 'md' | 'html';

/** Results as a terminal table, CSV, Markdown or self-contained HTML (one row per run: repeats grouped, shards and merges apart). */
export function renderResults(docs: ResultDocument[], format: ReportFormat, title: string): string {
  const rows = comparisonRows(docs);
  switch (format) {
    case 'csv':
      return comparisonCsv(rows);
    case 'md':
      return comparisonMarkdown(rows, title);
    case 'html':
      return renderHtmlReport(docs, title);
    case 'table': {
      const columns = comparisonColumns(rows);
      const t = new Table({ head: columns.map((c) => c.title), style: { head: [], border: [] } });
      for (const r of rows) t.push(columns.map((c) => c.format(r)));
      const chart = tierTextChart(rows);
      return t.toString() + '\n' + (chart ? '\n' + chart : '');
    }
  }
}
