/**
 * Inline SVG line charts for the HTML report: linear or logarithmic axes, "nice" axis ends (an axis
 * ends at the tick above the largest value, never at the value itself, so the largest point is
 * not drawn on the frame), a legend, optional shaded x-ranges. No dependency: the report opens
 * offline and the charts are a few dozen lines of markup each.
 */

import { escapeHtml as esc } from './html.js';

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const NICE = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k at or above `v` (and above 0). */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of NICE) if (m * e >= v * (1 - 1e-12)) return Number((m * e).toPrecision(12));
  return 10 * e;
}

/** A step of 1, 2, 2.5 or 5 × 10^k giving at most 6 intervals up to `end`. */
function tickStep(end: number): number {
  const raw = end / 6;
  const e = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= raw * (1 - 1e-12)) return m * e;
  return 10 * e;
}

/** A linear axis from 0 to a nice end at least 5 % above `max`, with 3 to 7 ticks. */
export function linearAxis(max: number, format: (v: number) => string = numberText): Axis {
  // Headroom: the largest value sits below the frame, not on it.
  const step = tickStep(niceCeil(max * 1.05));
  const end = Math.ceil((max * 1.05) / step - 1e-9) * step;
  const ticks: Tick[] = [];
  for (let i = 0; i * step <= end * (1 + 1e-9); i++) ticks.push({ v: Number((i * step).toPrecision(12)), label: format(Number((i * step).toPrecision(12))) });
  return { kind: 'linear', min: 0, max: ticks[ticks.length - 1].v, ticks };
}

/** A log10 axis over whole decades around [min, max]. */
export function logAxis(min: number, max: number, format: (v: number) => string = numberText): Axis {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-9)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, 1e-9)) + 1e-9));
  const ticks: Tick[] = [];
  for (let e = lo; e <= hi; e++) ticks.push({ v: 10 ** e, label: format(10 ** e) });
  return { kind: 'log', min: 10 ** lo, max: 10 ** hi, ticks };
}

export function numberText(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1) return Number(v.toPrecision(6)).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

export interface Tick {
  v: number;
  label: string;
}

export interface Axis {
  kind: 'linear' | 'log';
  min: number;
  max: number;
  ticks: Tick[];
  title?: string;
}

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  /** Extra attributes for the path (`data-run="…"`), already escaped. */
  attrs?: string;
  dashed?: boolean;
  /** Draw a dot at every point (few points: the client tiers). */
  dots?: boolean;
}

export interface LineChartSpec {
  cls: string;
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  /** Shaded x-ranges with a label, e.g. the measured window. */
  bands?: { from: number; to: number; label: string }[];
  width?: number;
  height?: number;
}

function scale(axis: Axis, from: number, to: number): (v: number) => number {
  if (axis.kind === 'log') {
    const a = Math.log10(axis.min);
    const b = Math.log10(axis.max);
    return (v) => from + ((Math.log10(Math.max(v, axis.min)) - a) / (b - a || 1)) * (to - from);
  }
  return (v) => from + ((v - axis.min) / (axis.max - axis.min || 1)) * (to - from);
}

/** A line chart that scales to its container's width (viewBox + width 100%). */
export function lineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 640;
  const H = spec.height ?? 320;
  const legendW = Math.min(200, 24 + 7 * Math.max(0, ...spec.series.map((s) => s.name.length)));
  const m = { l: 64, r: 16 + legendW, t: 30, b: 44 };
  const px = scale(spec.x, m.l, W - m.r);
  const py = scale(spec.y, H - m.b, m.t);
  const parts: string[] = [`<text x="${m.l}" y="18" font-size="13" font-weight="bold">${esc(spec.title)}</text>`];
  for (const b of spec.bands ?? []) {
    const x1 = px(b.from);
    const x2 = px(b.to);
    parts.push(
      `<rect class="band" x="${x1.toFixed(1)}" y="${m.t}" width="${Math.max(0, x2 - x1).toFixed(1)}" height="${H - m.t - m.b}" fill="#f3f6fa"/><text x="${((x1 + x2) / 2).toFixed(1)}" y="${m.t + 12}" text-anchor="middle" font-size="10" fill="#777">${esc(b.label)}</text>`,
    );
  }
  for (const t of spec.y.ticks) {
    const y = py(t.v).toFixed(1);
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#e4e4e4"/><text x="${m.l - 6}" y="${Number(y) + 4}" text-anchor="end" font-size="11">${esc(t.label)}</text>`,
    );
  }
  for (const t of spec.x.ticks) {
    const x = px(t.v).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.t}" y2="${H - m.b}" stroke="#f0f0f0"/><text x="${x}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${esc(t.label)}</text>`,
    );
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`);
  if (spec.x.title) parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="11">${esc(spec.x.title)}</text>`);
  if (spec.y.title)
    parts.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(spec.y.title)}</text>`);
  spec.series.forEach((s, i) => {
    if (s.points.length) {
      const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      parts.push(`<path ${s.attrs ?? ''} d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
      if (s.dots)
        for (const [x, y] of s.points)
          parts.push(
            `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(s.name)}: ${numberText(y)}</title></circle>`,
          );
    }
    const ly = m.t + 6 + i * 18;
    parts.push(
      `<line x1="${W - m.r + 12}" x2="${W - m.r + 28}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="4 2"' : ''}/><text x="${W - m.r + 34}" y="${ly + 4}" font-size="12">${esc(s.name)}</text>`,
    );
  });
  return `<svg class="chart ${spec.cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="xMinYMin meet">${parts.join('')}</svg>`;
}
