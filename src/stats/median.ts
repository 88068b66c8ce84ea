/**
 * The one median of the code base (reports, gates, capacity steps, significance, bench scripts):
 * the mean of the middle two for an even count, over the finite values only, so a figure missing
 * from one run (NaN) does not move it.
 */

/** The median of the finite values, or undefined when there are none. */
export function medianOf(values: readonly number[]): number | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (!v.length) return undefined;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  return medianOf(values) ?? Number.NaN;
}
