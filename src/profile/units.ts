import ms from 'ms';

/** Milliseconds per unit of a compound duration (`1m30s`, `1h5m`, `500ms`, `200us`). */
const DURATION_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const COMPOUND_RE = /^(?:\d+(?:\.\d+)?(?:us|ms|s|m|h|d))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(us|ms|s|m|h|d)/g;
/** µs typed as the micro sign (U+00B5) or the Greek mu (U+03BC), read as `us`. */
const MICRO_RE = /[\u00b5\u03bc]s/g;

/**
 * `90` (seconds), `1m30s`, `1h5m`, `500ms`, `2.5s`, `200us` (or `200µs`), or what `ms` reads
 * (`2 minutes`): whole milliseconds (rounded), or undefined when the text is not a duration.
 * `ms` alone reads no compound form (`1m30s` is NaN there), hence the small parser in front of it.
 */
export function parseDurationMs(text: string | number): number | undefined {
  const exact = parseDurationExactMs(text);
  return exact === undefined ? undefined : Math.round(exact);
}

/**
 * As parseDurationMs, but keeps fractions of a millisecond down to the microsecond (`200us` →
 * 0.2), for the few durations finer than a millisecond (serve --reply-delay).
 */
export function parseDurationExactMs(text: string | number): number | undefined {
  // Past 2^53 ms (285 000 years) digits stop counting: such a text is refused, not rounded to nonsense.
  const toMicros = (msValue: number) => (msValue <= Number.MAX_SAFE_INTEGER ? Math.round(msValue * 1000) / 1000 : undefined);
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? toMicros(text * 1000) : undefined;
  const t = text.trim().toLowerCase().replace(MICRO_RE, 'us');
  if (t === '') return undefined;
  const bare = Number(t);
  if (Number.isFinite(bare)) return bare >= 0 ? toMicros(bare * 1000) : undefined;
  if (COMPOUND_RE.test(t)) {
    let total = 0;
    for (const [, n, unit] of t.matchAll(PART_RE)) total += Number(n) * DURATION_UNITS[unit];
    return toMicros(total);
  }
  const v = ms(t as ms.StringValue);
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? toMicros(v) : undefined;
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
  const n = m ? Number(m[1].replace(/_/g, '')) * COUNT_SUFFIXES[m[2].toLowerCase()] : undefined;
  // 400 digits read as Infinity: not a number of anything.
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

/** `1000`, `10k`, `2.5k`, `1m`, `100_000` → a whole number, or undefined when it is not one. */
export function parseCount(text: string): number | undefined {
  const n = parseScaled(text);
  if (n === undefined) return undefined;
  // 1.1k is 1100.0000000000002 in floating point: a whole number within rounding error counts.
  return Math.abs(n - Math.round(n)) < 1e-6 && Number.isSafeInteger(Math.round(n)) ? Math.round(n) : undefined;
}
