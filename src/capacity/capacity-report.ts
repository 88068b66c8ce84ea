import { csvCell } from '../result-files/csv.js';
import { chartAssets, chartFigure } from '../report/chart/chart-html.js';
import { toColumns, type ChartAxis } from '../report/chart/chart-spec.js';
import { escapeHtml as esc } from '../report/html.js';
import { msFromUs } from '../core/ms-text.js';
import type { OpeningStep } from '../contract/result.js';
import type { CapacityStep } from './judge-step.js';
import type { CapacityAnswer, SearchSettings } from './search.js';

/** capacity.json: the search as one document (the steps' own runs are result files under runs/). */
export interface CapacityDocument {
  kind: 'wsbench-capacity';
  schemaVersion: 1;
  tool: { name: string; version: string };
  target: string;
  startedAt: string;
  finishedAt: string;
  settings: SearchSettings & {
    ratePerClient: number;
    durationS: number;
    warmupS: number;
    repeat: number;
    slos: string[];
    /** A templated search's flags as given (absent: the probe); each run's result file records the resolved template. */
    messaging?: { message?: string; messageFile?: string; replyId?: string; maxInFlight?: number; opening: OpeningStep[] };
  };
  steps: CapacityStep[];
  answer: CapacityAnswer;
  interrupted: boolean;
}

const ms = (us: number) => msFromUs(us, 2);
const orDash = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));

/** Header and one line per step, fixed width, for the live table on stderr. */
export const STEP_TABLE_HEADER = `${'step'.padStart(4)}  ${'clients'.padStart(9)}  ${'result'.padEnd(12)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(9)}  ${'srv KB/conn'.padStart(11)}  ${'srv CPU%'.padStart(8)}  ${'cli CPU%'.padStart(8)}  verdicts`;

export function stepLine(step: CapacityStep, index: number): string {
  const result = step.outcome === 'client-limit' ? 'CLIENT LIMIT' : step.outcome === 'pass' ? 'pass' : 'FAIL';
  return `${String(index + 1).padStart(4)}  ${step.clients.toLocaleString('en-US').padStart(9)}  ${result.padEnd(12)}  ${ms(step.latencyP50Us).padStart(8)}  ${ms(step.latencyP99Us).padStart(9)}  ${orDash(step.serverRssPerConnectionKb, 2).padStart(11)}  ${orDash(step.serverCpuPercent, 0).padStart(8)}  ${orDash(step.clientCpuPercent, 0).padStart(8)}  ${step.verdicts.join(',')}`;
}

export const CAPACITY_CSV_COLUMNS = [
  'step',
  'clients',
  'outcome',
  'latencyP50Us',
  'latencyP99Us',
  'serverRssPerConnectionKb',
  'serverCpuPercent',
  'clientCpuPercent',
  'verdicts',
  'slo',
  'reasons',
] as const;

export function capacityCsv(doc: CapacityDocument): string {
  const lines = [CAPACITY_CSV_COLUMNS.join(',')];
  doc.steps.forEach((s, i) => {
    const slo = s.slo.map((x) => `${x.source}=${x.median ?? ''}:${x.ok ? 'ok' : 'failed'}`).join(' ');
    const row = [
      i + 1,
      s.clients,
      s.outcome,
      s.latencyP50Us,
      s.latencyP99Us,
      s.serverRssPerConnectionKb,
      s.serverCpuPercent,
      s.clientCpuPercent,
      s.verdicts.join(' '),
      slo,
      s.reasons.join('; '),
    ];
    lines.push(row.map(csvCell).join(','));
  });
  return lines.join('\n') + '\n';
}

const COLOR = { p50: '#1f77b4', p99: '#ff7f0e', server: '#9467bd', client: '#7f7f7f', pass: '#2ca02c', fail: '#d62728' };

/** A chart against clients, one line per figure, the last passing and first failing steps marked. */
function chart(
  doc: CapacityDocument,
  cls: string,
  title: string,
  y: ChartAxis,
  lines: { label: string; color: string; value: (s: CapacityStep) => number | null }[],
): string {
  const points = lines.map((l) => doc.steps.flatMap((s) => (l.value(s) === null ? [] : [[s.clients, l.value(s)!] as const])));
  if (points.every((p) => p.length === 0)) return '';
  const { lastPassing, firstFailing } = doc.answer;
  const markers = [
    ...(lastPassing === null ? [] : [{ at: lastPassing, label: 'last pass', color: COLOR.pass }]),
    ...(firstFailing === null ? [] : [{ at: firstFailing, label: 'first fail', color: COLOR.fail }]),
  ];
  const maxX = Math.max(...doc.steps.map((s) => s.clients), firstFailing ?? 0);
  return chartFigure({
    cls,
    title: `${title} against clients`,
    // 5 % of room on the right: the last step and its marker are not drawn on the frame.
    x: { label: 'clients', unit: '', range: [0, maxX * 1.05] },
    y,
    series: lines.map((l) => ({ label: l.label, color: l.color, points: true })),
    data: toColumns(points),
    markers,
  });
}

/** capacity.html: the answer, latency / server memory / CPU against clients, and the steps. */
export function capacityHtml(doc: CapacityDocument): string {
  const charts = [
    chart(doc, 'latency', 'Round-trip latency (the headline: from the write to the reply)', { label: 'round-trip time', unit: 'ms' }, [
      { label: 'p50', color: COLOR.p50, value: (s) => s.latencyP50Us / 1000 },
      { label: 'p99', color: COLOR.p99, value: (s) => s.latencyP99Us / 1000 },
    ]),
    chart(doc, 'rss', 'Server RSS per connection', { label: 'server RSS per connection', unit: 'KB' }, [
      { label: 'server', color: COLOR.server, value: (s) => s.serverRssPerConnectionKb },
    ]),
    chart(doc, 'cpu', 'CPU (% of one core)', { label: 'CPU', unit: '%' }, [
      { label: 'server', color: COLOR.server, value: (s) => s.serverCpuPercent },
      { label: 'client', color: COLOR.client, value: (s) => s.clientCpuPercent },
    ]),
  ].join('\n');
  const rows = doc.steps
    .map(
      (s, i) =>
        `<tr class="${s.outcome}"><td>${i + 1}</td><td>${s.clients.toLocaleString('en-US')}</td><td>${s.outcome}</td><td>${ms(s.latencyP50Us)}</td><td>${ms(s.latencyP99Us)}</td><td>${orDash(s.serverRssPerConnectionKb, 2)}</td><td>${orDash(s.serverCpuPercent, 0)}</td><td>${esc(s.verdicts.join(', '))}</td><td>${esc(s.reasons.join('; '))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wsbench capacity: ${esc(doc.target)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em}figure{margin:1.5em 0}figcaption{font-weight:600}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right}td:nth-child(3),td:last-child,th:last-child{text-align:left}
tr.fail td:nth-child(3){color:#c33}tr.client-limit td:nth-child(3){color:#a60}tr.pass td:nth-child(3){color:#2a7}</style>
${chartAssets()}</head><body>
<h1>Capacity of ${esc(doc.target)}</h1>
<p><strong>${esc(doc.answer.message)}</strong></p>
<p>SLO: ${esc(doc.settings.slos.join(', '))}; ${doc.settings.ratePerClient} msg/s per client, ${doc.settings.durationS} s measured after ${doc.settings.warmupS} s warm-up, ${doc.settings.repeat} run(s) per step judged on the median.${doc.interrupted ? ' <em>Interrupted: partial search.</em>' : ''}</p>
${charts}
<table><thead><tr><th>step</th><th>clients</th><th>result</th><th>p50 ms</th><th>p99 ms</th><th>server KB/conn</th><th>server CPU %</th><th>verdicts</th><th>why</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
