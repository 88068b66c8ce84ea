import { csvCell } from '../result-files/csv.js';
import { escapeHtml as esc } from '../report/html.js';
import { msFromUs } from '../core/ms-text.js';
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
  settings: SearchSettings & { ratePerClient: number; durationS: number; warmupS: number; repeat: number; slos: string[] };
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

interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

/** A line chart in inline SVG: clients on x, one or more series on y (0 at the bottom, 10 % headroom). */
function chart(title: string, unit: string, series: Series[], passX: number | null, failX: number | null): string {
  const W = 640;
  const H = 260;
  const L = 60;
  const B = 30;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const maxX = Math.max(...all.map((p) => p[0]), failX ?? 0) * 1.05;
  const maxY = Math.max(...all.map((p) => p[1])) * 1.1 || 1;
  const x = (v: number) => L + (v / maxX) * (W - L - 10);
  const y = (v: number) => H - B - (v / maxY) * (H - B - 20);
  const lines = series
    .map((s) => {
      const pts = [...s.points].sort((a, b) => a[0] - b[0]);
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      const dots = pts
        .map(
          (p) =>
            `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${s.color}"><title>${p[0]} clients: ${p[1].toFixed(2)} ${unit}</title></circle>`,
        )
        .join('');
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}`;
    })
    .join('');
  const marker = (v: number | null, color: string, text: string) =>
    v === null
      ? ''
      : `<line x1="${x(v)}" x2="${x(v)}" y1="20" y2="${H - B}" stroke="${color}" stroke-dasharray="4 3"/><text x="${x(v) + 4}" y="32" font-size="11" fill="${color}">${text}</text>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${L - 6}" y="${y(maxY * f) + 4}" font-size="11" text-anchor="end">${(maxY * f).toFixed(maxY * f >= 10 ? 0 : 2)}</text>`)
    .join('');
  const xTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${x(maxX * f)}" y="${H - 10}" font-size="11" text-anchor="middle">${Math.round(maxX * f).toLocaleString('en-US')}</text>`)
    .join('');
  const legend = series.map((s, i) => `<text x="${L + 10 + i * 120}" y="14" font-size="12" fill="${s.color}">■ ${s.label}</text>`).join('');
  return `<figure><figcaption>${title} (${unit}) against clients</figcaption><svg viewBox="0 0 ${W} ${H}" width="100%" role="img"><line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#999"/><line x1="${L}" y1="20" x2="${L}" y2="${H - B}" stroke="#999"/>${ticks}${xTicks}${legend}${lines}${marker(passX, '#2a7', 'last pass')}${marker(failX, '#c33', 'first fail')}</svg></figure>`;
}

/** capacity.html: the answer, latency / server memory / CPU against clients, and the steps. */
export function capacityHtml(doc: CapacityDocument): string {
  const pts = (f: (s: CapacityStep) => number | null) => doc.steps.flatMap((s) => (f(s) === null ? [] : [[s.clients, f(s)!] as [number, number]]));
  const { lastPassing, firstFailing } = doc.answer;
  const charts = [
    chart(
      'Round-trip latency (from intended send)',
      'ms',
      [
        { label: 'p50', color: '#36c', points: pts((s) => s.latencyP50Us / 1000) },
        { label: 'p99', color: '#c60', points: pts((s) => s.latencyP99Us / 1000) },
      ],
      lastPassing,
      firstFailing,
    ),
    chart('Server RSS per connection', 'KB', [{ label: 'server', color: '#639', points: pts((s) => s.serverRssPerConnectionKb) }], lastPassing, firstFailing),
    chart(
      'CPU',
      '% of one core',
      [
        { label: 'server', color: '#639', points: pts((s) => s.serverCpuPercent) },
        { label: 'client', color: '#999', points: pts((s) => s.clientCpuPercent) },
      ],
      lastPassing,
      firstFailing,
    ),
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
tr.fail td:nth-child(3){color:#c33}tr.client-limit td:nth-child(3){color:#a60}tr.pass td:nth-child(3){color:#2a7}</style></head><body>
<h1>Capacity of ${esc(doc.target)}</h1>
<p><strong>${esc(doc.answer.message)}</strong></p>
<p>SLO: ${esc(doc.settings.slos.join(', '))}; ${doc.settings.ratePerClient} msg/s per client, ${doc.settings.durationS} s measured after ${doc.settings.warmupS} s warm-up, ${doc.settings.repeat} run(s) per step judged on the median.${doc.interrupted ? ' <em>Interrupted: partial search.</em>' : ''}</p>
${charts}
<table><thead><tr><th>step</th><th>clients</th><th>result</th><th>p50 ms</th><th>p99 ms</th><th>server KB/conn</th><th>server CPU %</th><th>verdicts</th><th>why</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
