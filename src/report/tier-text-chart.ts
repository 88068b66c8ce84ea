/**
 * The tier chart for a terminal: how p50, p99, server RSS per connection and server CPU grow with
 * the client tier, one bar per server and tier, each figure scaled to its largest value. The HTML
 * report draws the same figures as lines (html-charts.ts tierCharts); this is what `compare` and
 * `report` print under their table. Empty unless some server was measured at two or more tiers.
 */
import { lineName, type ComparisonRow } from './comparison.js';

interface Figure {
  title: string;
  value(r: ComparisonRow): number | null;
  digits: number;
}

const FIGURES: Figure[] = [
  { title: 'p50 ms', value: (r) => r.latencyP50Us / 1000, digits: 2 },
  { title: 'p99 ms', value: (r) => r.latencyP99Us / 1000, digits: 2 },
  { title: 'server RSS/conn KB', value: (r) => r.serverRssPerConnectionKb, digits: 2 },
  { title: 'server CPU %', value: (r) => r.serverCpuPercent, digits: 1 },
];

const BAR_WIDTH = 20;
/** Eighths of a block, so a bar's end says more than its whole characters. */
const PARTS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

function bar(value: number, max: number): string {
  const eighths = max > 0 ? Math.round((value / max) * BAR_WIDTH * 8) : 0;
  return ('█'.repeat(Math.floor(eighths / 8)) + PARTS[eighths % 8]).padEnd(BAR_WIDTH);
}

export function tierTextChart(rows: ComparisonRow[]): string {
  const names = [...new Set(rows.map(lineName))];
  const clients = [...new Set(rows.map((r) => r.clients))].sort((a, b) => a - b);
  const measuredAtTiers = (n: string) => new Set(rows.filter((r) => lineName(r) === n).map((r) => r.clients)).size;
  if (!names.some((n) => measuredAtTiers(n) >= 2)) return '';
  const tierLabel = (c: number) => [...new Set(rows.filter((r) => r.clients === c).map((r) => r.tier))].join('/');
  const nameWidth = Math.max(...names.map((n) => n.length)) + 2;
  const valueWidth = 7;
  const cellWidth = BAR_WIDTH + 1 + valueWidth + 3;
  const out = [
    'By client tier (each bar: the share of the largest value of its figure)',
    ' '.repeat(nameWidth + 2) +
      clients
        .map((c) => tierLabel(c).padEnd(cellWidth))
        .join('')
        .trimEnd(),
  ];
  for (const figure of FIGURES) {
    const values = rows.map((r) => figure.value(r)).filter((v): v is number => v !== null);
    if (values.length === 0) continue;
    const max = Math.max(...values);
    out.push(figure.title);
    for (const name of names) {
      const cells = clients.map((c) => {
        const row = rows.find((r) => lineName(r) === name && r.clients === c);
        const v = row ? figure.value(row) : null;
        const cell = v === null ? `${' '.repeat(BAR_WIDTH)} ${'-'.padStart(valueWidth)}` : `${bar(v, max)} ${v.toFixed(figure.digits).padStart(valueWidth)}`;
        return cell.padEnd(cellWidth);
      });
      out.push(`  ${name.padEnd(nameWidth)}${cells.join('')}`.trimEnd());
    }
  }
  return out.join('\n') + '\n';
}
