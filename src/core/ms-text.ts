/**
 * µs (how every figure is kept) as milliseconds for people: the one conversion for display, used by
 * the reports, the verdict's reasons, the gate's output, the progress line and the dashboard page
 * (which inlines this function's source). It lives in src/core, not src/report, because the
 * verdict and the gate sit below report/ in the layers. Charts scale µs to ms as numbers to plot.
 *
 * Self-contained on purpose (no imports, no closures): dashboard-page.ts puts its source in the page.
 */
export function msFromUs(us: number, digits?: number): string {
  const v = us / 1000;
  if (digits !== undefined) return v.toFixed(digits);
  return v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2);
}
