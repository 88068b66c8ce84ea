import { errorCount } from './metric-names.js';
import type { ResultDocument } from './result-schema.js';

/** Which server and tier a run measured; `compare` sets it, a plain `load` result falls back to its name. */
export function runLabel(doc: ResultDocument): { server: string; tier: string } {
  return doc.label ?? { server: doc.name, tier: doc.config.profile ?? `${doc.config.clients}c` };
}

/** One line of a comparison: a server × tier, medians over its repeats and their spread. */
export interface ComparisonRow {
  server: string;
  tier: string;
  clients: number;
  repeats: number;
  rttP50Us: number;
  rttP99Us: number;
  rttP999Us: number;
  rttMaxUs: number;
  messagesPerSec: number;
  errors: number;
  serverRssPeakKb: number | null;
  serverRssPerConnectionKb: number | null;
  serverCpuPercent: number | null;
  verdict: string;
  /** Smallest and largest p99 over the repeats: how much to trust the median. */
  rttP99MinUs: number;
  rttP99MaxUs: number;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function medianOrNull(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length ? Math.round(median(present) * 100) / 100 : null;
}

/** Groups runs by server × tier (in first-seen order) and takes medians over repeats. */
export function comparisonRows(docs: ResultDocument[]): ComparisonRow[] {
  const groups = new Map<string, ResultDocument[]>();
  for (const d of docs) {
    const { server, tier } = runLabel(d);
    const key = `${server}\u0000${tier}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()].map((runs) => {
    const { server, tier } = runLabel(runs[0]);
    const p99s = runs.map((r) => r.summary.rttUs.p99);
    const verdicts = [...new Set(runs.map((r) => r.summary.verdict))];
    return {
      server,
      tier,
      clients: runs[0].config.clients,
      repeats: runs.length,
      rttP50Us: median(runs.map((r) => r.summary.rttUs.p50)),
      rttP99Us: median(p99s),
      rttP999Us: median(runs.map((r) => r.summary.rttUs.p999)),
      rttMaxUs: median(runs.map((r) => r.summary.rttUs.max)),
      messagesPerSec: median(runs.map((r) => r.summary.messages.ratePerSec)),
      errors: runs.reduce((n, r) => n + errorCount(r), 0),
      serverRssPeakKb: medianOrNull(runs.map((r) => r.summary.server?.rssPeakKb)),
      serverRssPerConnectionKb: medianOrNull(runs.map((r) => r.summary.server?.rssPerConnectionKb)),
      serverCpuPercent: medianOrNull(runs.map((r) => r.summary.server?.cpuPercentMean)),
      verdict: verdicts.length === 1 ? verdicts[0] : verdicts.join('/'),
      rttP99MinUs: Math.min(...p99s),
      rttP99MaxUs: Math.max(...p99s),
    };
  });
}

export const COMPARISON_COLUMNS: { key: keyof ComparisonRow; title: string; format: (row: ComparisonRow) => string }[] = [
  { key: 'server', title: 'server', format: (r) => r.server },
  { key: 'tier', title: 'tier', format: (r) => r.tier },
  { key: 'clients', title: 'clients', format: (r) => String(r.clients) },
  { key: 'rttP50Us', title: 'p50 ms', format: (r) => msText(r.rttP50Us) },
  { key: 'rttP99Us', title: 'p99 ms', format: (r) => msText(r.rttP99Us) },
  { key: 'rttP999Us', title: 'p99.9 ms', format: (r) => msText(r.rttP999Us) },
  { key: 'rttMaxUs', title: 'max ms', format: (r) => msText(r.rttMaxUs) },
  { key: 'messagesPerSec', title: 'msg/s', format: (r) => String(Math.round(r.messagesPerSec)) },
  { key: 'errors', title: 'errors', format: (r) => String(r.errors) },
  { key: 'serverRssPeakKb', title: 'server RSS peak MB', format: (r) => (r.serverRssPeakKb === null ? '-' : (r.serverRssPeakKb / 1024).toFixed(1)) },
  { key: 'serverRssPerConnectionKb', title: 'RSS/conn KB', format: (r) => (r.serverRssPerConnectionKb === null ? '-' : r.serverRssPerConnectionKb.toFixed(2)) },
  { key: 'serverCpuPercent', title: 'server CPU %', format: (r) => (r.serverCpuPercent === null ? '-' : r.serverCpuPercent.toFixed(1)) },
  { key: 'verdict', title: 'verdict', format: (r) => r.verdict },
  { key: 'rttP99MinUs', title: 'p99 spread ms', format: (r) => (r.repeats > 1 ? `${msText(r.rttP99MinUs)}-${msText(r.rttP99MaxUs)}` : '-') },
];

function msText(us: number): string {
  const v = us / 1000;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** CSV of comparison rows: raw numbers (µs, KB), stable header. */
export function comparisonCsv(rows: ComparisonRow[]): string {
  const header = [
    'server', 'tier', 'clients', 'repeats', 'rttP50Us', 'rttP99Us', 'rttP999Us', 'rttMaxUs', 'messagesPerSec', 'errors',
    'serverRssPeakKb', 'serverRssPerConnectionKb', 'serverCpuPercent', 'verdict', 'rttP99MinUs', 'rttP99MaxUs',
  ] as (keyof ComparisonRow)[];
  const cell = (v: unknown) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [header.join(','), ...rows.map((r) => header.map((k) => cell(r[k])).join(','))].join('\n') + '\n';
}

/** GitHub-flavoured Markdown table (job summaries, PR comments). */
export function comparisonMarkdown(rows: ComparisonRow[], title = 'wsbench comparison'): string {
  const head = `| ${COMPARISON_COLUMNS.map((c) => c.title).join(' | ')} |`;
  const sep = `|${COMPARISON_COLUMNS.map((c) => (c.key === 'server' || c.key === 'tier' || c.key === 'verdict' ? ' --- ' : ' ---: ')).join('|')}|`;
  const body = rows.map((r) => `| ${COMPARISON_COLUMNS.map((c) => c.format(r).replace(/\|/g, '\\|')).join(' | ')} |`);
  return [`### ${title}`, '', head, sep, ...body, ''].join('\n');
}
