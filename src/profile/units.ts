import ms from 'ms';

/** Milliseconds per unit of a compound duration (`1m30s`, `1h5m`, `500ms`). */
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const COMPOUND_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * `90` (seconds), `1m30s`, `1h5m`, `500ms`, `2.5s`, or what `ms` reads (`2 minutes`): milliseconds,
 * or undefined when the text is not a duration. `ms` alone reads no compound form (`1m30s` is
 * NaN there), hence the small parser in front of it.
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : undefined;
  const t = text.trim().toLowerCase();
  if (t === '') return undefined;
  const bare = Number(t);
  if (Number.isFinite(bare)) return bare >= 0 ? Math.round(bare * 1000) : undefined;
  if (COMPOUND_RE.test(t)) {
    let total = 0;
    for (const [, n, unit] of t.matchAll(PART_RE)) total += Number(n) * DURATION_UNITS[unit];
    return Math.round(total);
  }
  const v = ms(t as ms.StringValue);
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
}

/** How a duration reads in help and errors: whole units, largest first (`90000` → `1m30s`). */
export function formatDurationMs(msValue: number): string {
  if (msValue === 0) return '0';
  let left = msValue;
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (left >= size) {
      out += `${Math.floor(left / size)}${unit}`;
      left %= size;
    }
  }
  return left ? `${out}${left}ms` : out;
}

/** Decimal suffixes: `10k` = 10 000, `1m` = 1 000 000 (a count, never minutes). */
const COUNT_SUFFIXES: Record<string, number> = { '': 1, k: 1_000, m: 1_000_000 };

/** `2000`, `2k`, `0.5k`, `1.5`, `100_000` → a number ≥ 0 (fractions allowed), or undefined. */
export function parseScaled(text: string): number | undefined {
  const m = /^(\d[\d_]*(?:\.\d+)?)\s*([km]?)$/i.exec(text.trim());
  return m ? Number(m[1].replace(/_/g, '')) * COUNT_SUFFIXES[m[2].toLowerCase()] : undefined;
}

/** `1000`, `10k`, `2.5k`, `1m`, `100_000` → a whole number, or undefined when it is not one. */
export function parseCount(text: string): number | undefined {
  const n = parseScaled(text);
  if (n === undefined) return undefined;
  // 1.1k is 1100.0000000000002 in floating point: a whole number within rounding error counts.
  return Math.abs(n - Math.round(n)) < 1e-6 ? Math.round(n) : undefined;
}
