import Table from 'cli-table3';
import { comparisonCsv, comparisonMarkdown, comparisonRows, COMPARISON_COLUMNS } from './comparison.js';
import { renderHtmlReport } from './html-report.js';
import type { ResultDocument } from './result-schema.js';

export type ReportFormat = 'table' | 'csv' | 'md' | 'html';

/** Results as a terminal table, CSV, Markdown or self-contained HTML (one row per server × tier). */
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
      const t = new Table({ head: COMPARISON_COLUMNS.map((c) => c.title), style: { head: [], border: [] } });
      for (const r of rows) t.push(COMPARISON_COLUMNS.map((c) => c.format(r)));
      return t.toString() + '\n';
    }
  }
}
