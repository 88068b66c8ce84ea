import { errorCount } from '../result/metric-names.js';
import { csvCell } from '../result-files/csv.js';
import type { ResultDocument } from '../contract/result.js';
import { runIdentity, type RunIdentity } from '../result/run-identity.js';
import { headlineOf } from '../result/headline.js';
import { median } from '../stats/median.js';
import { msFromUs } from '../core/ms-text.js';

/** One line of a comparison: one run (a server × tier for `compare`), medians over its repeats and their spread. */
export interface ComparisonRow {
  /** The run's name and part (`gate`, `100k (shard 0/4)`); '' for `compare` runs. */
  run: string;
  server: string;
  tier: string;
  clients: number;
  repeats: number;
  /** The headline (latency.*, raw round trip), medians over the repeats. */
  latencyP50Us: number;
  latencyP99Us: number;
  latencyP999Us: number;
  latencyMaxUs: number;
  /** The corrected round trip (rtt.*), kept for the CSV's stable columns. */
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
  /** Smallest and largest p99 over the repeats: how much to trust the median (headline, and corrected). */
  latencyP99MinUs: number;
  latencyP99MaxUs: number;
  rttP99MinUs: number;
  rttP99MaxUs: number;
  /** Host floor p99 (median over the repeats), null for results before it. */
  hostFloorP99Us: number | null;
}

/** What names a line of a chart: the run for plain results, the server for `compare` runs. */
export function lineName(row: { run: string; server: string }): string {
  return row.run || row.server;
}

function medianOrNull(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length ? Math.round(median(present) * 100) / 100 : null;
}

/** A group of results that are repeats of one run (see run-identity.ts). */
export interface RunGroup {
  id: RunIdentity;
  docs: ResultDocument[];
}

/**
 * Groups results by run identity, in first-seen order. Groups that would print alike (same run,
 * server and tier) but ran different loads get the load appended to their run name.
 */
export function groupRuns(docs: ResultDocument[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const d of docs) {
    const id = runIdentity(d);
    const g = groups.get(id.key);
    if (g) g.docs.push(d);
    else groups.set(id.key, { id, docs: [d] });
  }
  const list = [...groups.values()];
  const shown = (g: RunGroup) => `${g.id.run}\u0000${g.id.server}\u0000${g.id.tier}`;
  for (const g of list) {
    if (list.some((o) => o !== g && shown(o) === shown(g))) g.id = { ...g.id, run: `${g.id.run || g.id.server} [${g.id.load}]` };
  }
  return list;
}

/** One row per run (repeats grouped, see groupRuns) with medians over the repeats. */
export function comparisonRows(docs: ResultDocument[]): ComparisonRow[] {
  return groupRuns(docs).map(({ id, docs: runs }) => {
    const { run, server, tier } = id;
    const p99s = runs.map((r) => r.summary.rttUs.p99);
    const heads = runs.map(headlineOf);
    const headP99s = heads.map((h) => h.p99);
    const verdicts = [...new Set(runs.map((r) => r.summary.verdict))];
    return {
      run,
      server,
      tier,
      clients: runs[0].config.clients,
      repeats: runs.length,
      latencyP50Us: median(heads.map((h) => h.p50)),
      latencyP99Us: median(headP99s),
      latencyP999Us: median(heads.map((h) => h.p999)),
      latencyMaxUs: median(heads.map((h) => h.max)),
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
      latencyP99MinUs: Math.min(...headP99s),
      latencyP99MaxUs: Math.max(...headP99s),
      rttP99MinUs: Math.min(...p99s),
      rttP99MaxUs: Math.max(...p99s),
      hostFloorP99Us: medianOrNull(runs.map((r) => r.summary.hostFloorUs?.p99)),
    };
  });
}

export interface ComparisonColumn {
  key: keyof ComparisonRow;
  title: string;
  format: (row: ComparisonRow) => string;
}

export const COMPARISON_COLUMNS: ComparisonColumn[] = [
  { key: 'run', title: 'run', format: (r) => r.run },
  { key: 'server', title: 'server', format: (r) => r.server },
  { key: 'tier', title: 'tier', format: (r) => r.tier },
  { key: 'clients', title: 'clients', format: (r) => String(r.clients) },
  { key: 'latencyP50Us', title: 'p50 ms', format: (r) => msFromUs(r.latencyP50Us) },
  { key: 'latencyP99Us', title: 'p99 ms', format: (r) => msFromUs(r.latencyP99Us) },
  { key: 'latencyP999Us', title: 'p99.9 ms', format: (r) => msFromUs(r.latencyP999Us) },
  { key: 'latencyMaxUs', title: 'max ms', format: (r) => msFromUs(r.latencyMaxUs) },
  { key: 'messagesPerSec', title: 'msg/s', format: (r) => String(Math.round(r.messagesPerSec)) },
  { key: 'errors', title: 'errors', format: (r) => String(r.errors) },
  { key: 'serverRssPeakKb', title: 'server RSS peak MB', format: (r) => (r.serverRssPeakKb === null ? '-' : (r.serverRssPeakKb / 1024).toFixed(1)) },
  { key: 'serverRssPerConnectionKb', title: 'RSS/conn KB', format: (r) => (r.serverRssPerConnectionKb === null ? '-' : r.serverRssPerConnectionKb.toFixed(2)) },
  { key: 'serverCpuPercent', title: 'server CPU %', format: (r) => (r.serverCpuPercent === null ? '-' : r.serverCpuPercent.toFixed(1)) },
  { key: 'verdict', title: 'verdict', format: (r) => r.verdict },
  { key: 'latencyP99MinUs', title: 'p99 spread ms', format: (r) => (r.repeats > 1 ? `${msFromUs(r.latencyP99MinUs)}-${msFromUs(r.latencyP99MaxUs)}` : '-') },
  { key: 'hostFloorP99Us', title: 'host floor p99 ms', format: (r) => (r.hostFloorP99Us === null ? '-' : msFromUs(r.hostFloorP99Us)) },
];

/** The columns worth showing: `run` only when some row is not a `compare` run (its run name is then empty). */
export function comparisonColumns(rows: ComparisonRow[]): ComparisonColumn[] {
  return rows.some((r) => r.run !== '') ? COMPARISON_COLUMNS : COMPARISON_COLUMNS.filter((c) => c.key !== 'run');
}

/** CSV of comparison rows: raw numbers (µs, KB), stable header (columns are only appended). */
export function comparisonCsv(rows: ComparisonRow[]): string {
  const header = [
    'server',
    'tier',
    'clients',
    'repeats',
    'rttP50Us',
    'rttP99Us',
    'rttP999Us',
    'rttMaxUs',
    'messagesPerSec',
    'errors',
    'serverRssPeakKb',
    'serverRssPerConnectionKb',
    'serverCpuPercent',
    'verdict',
    'rttP99MinUs',
    'rttP99MaxUs',
    'run',
    'latencyP50Us',
    'latencyP99Us',
    'latencyP999Us',
    'latencyMaxUs',
    'latencyP99MinUs',
    'latencyP99MaxUs',
    'hostFloorP99Us',
  ] as (keyof ComparisonRow)[];
  return [header.join(','), ...rows.map((r) => header.map((k) => csvCell((r[k] ?? null) as string | number | boolean | null)).join(','))].join('\n') + '\n';
}

const TEXT_COLUMNS = new Set<keyof ComparisonRow>(['run', 'server', 'tier', 'verdict']);

/** GitHub-flavoured Markdown table (job summaries, PR comments). */
export function comparisonMarkdown(rows: ComparisonRow[], title = 'wsbench comparison'): string {
  const columns = comparisonColumns(rows);
  const head = `| ${columns.map((c) => c.title).join(' | ')} |`;
  const sep = `|${columns.map((c) => (TEXT_COLUMNS.has(c.key) ? ' --- ' : ' ---: ')).join('|')}|`;
  const body = rows.map((r) => `| ${columns.map((c) => c.format(r).replace(/\|/g, '\\|')).join(' | ')} |`);
  return [`### ${title}`, '', head, sep, ...body, ''].join('\n');
}
