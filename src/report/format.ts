/**
 * Display conversions for the rendered reports (tables and text), and HTML escaping. Not the only place µs become ms:
 * code below src/report in the layers cannot import it (src/result/verdict.ts writes its reasons,
 * src/gate/gate-output.ts its own figures), and the charts scale µs to ms as numbers to plot.
 */
/** Text made safe for HTML, inside elements and quoted attributes alike. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function ms(us: number): string {
  const v = us / 1000;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function kb(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  return n >= 10_000 ? `${(n / 1024).toFixed(1)} MB` : `${n.toFixed(n >= 100 ? 0 : 2)} KB`;
}

export function causes(map: Record<string, number>): string {
  const entries = Object.entries(map);
  return entries.length ? entries.map(([k, v]) => `${k}: ${int(v)}`).join(', ') : '-';
}
