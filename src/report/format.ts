/** Display conversions for the rendered reports (tables and text); µs → ms is core/ms-text.ts. */

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
