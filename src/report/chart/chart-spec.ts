/**
 * What a chart shows, as JSON for the page: the one description the compare report, the capacity
 * report and the live dashboard give to browser/wsb-charts.js, which draws it with uPlot. Numbers
 * are plotted in display units (ms, KB, %); x is never a wall-clock date.
 */

/** One axis: what it measures, its unit (on every tick and hover value), and how it is scaled. */
export interface ChartAxis {
  label: string;
  /** Written after each tick and hover value ("ms", "s", "KB", "%"); '' for a plain count. */
  unit: string;
  log?: boolean;
  /** Ticks at these values only, with these labels (percentiles, client tiers). */
  ticks?: { at: number; label: string }[];
  /**
   * The values this axis must show. Charts meant to be compared get the same y range (see
   * shareYRange); the page rounds a y range out to a tick above it, and uses an x range as is.
   */
  range?: [number, number];
}

export interface ChartSeries {
  label: string;
  color: string;
  dash?: boolean;
  /** A dot at every point (few points: tiers, capacity steps). */
  points?: boolean;
  bars?: boolean;
}

export interface ChartSpec {
  /** A class for the figure (`latency`, `series`, …): what the chart is, for styles and tests. */
  cls: string;
  title: string;
  x: ChartAxis;
  y: ChartAxis;
  series: ChartSeries[];
  /** uPlot's columns: the x values ascending, then one column per series (null: no value there). */
  data: (number | null)[][];
  /** Shaded x-ranges with a label (the measured window). */
  bands?: { from: number; to: number; label: string }[];
  /** Labelled vertical lines (the last passing and the first failing step). */
  markers?: { at: number; label: string; color: string }[];
  height?: number;
}

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** uPlot's columns from one list of [x, y] points per series: the x values merged, null where a series has no point. */
export function toColumns(series: readonly (readonly [number, number])[][]): (number | null)[][] {
  const xs = [...new Set(series.flatMap((points) => points.map(([x]) => x)))].sort((a, b) => a - b);
  return [xs, ...series.map((points) => xs.map((x) => points.find(([px]) => px === x)?.[1] ?? null))];
}

/**
 * The charts of runs meant to be compared side by side get one y range, the extent of all their
 * values, so the same height means the same figure in each of them.
 */
export function shareYRange(specs: ChartSpec[]): ChartSpec[] {
  const values = specs.flatMap((s) => s.data.slice(1).flatMap((col) => col.filter((v): v is number => v !== null && (!s.y.log || v > 0))));
  if (values.length === 0) return specs;
  const range: [number, number] = [Math.min(...values), Math.max(...values)];
  return specs.map((s) => ({ ...s, y: { ...s.y, range } }));
}
