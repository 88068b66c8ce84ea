/**
 * The Hodges–Lehmann estimate of the shift between two samples (the median of every pairwise
 * difference b − a) and its distribution-free confidence interval (Moses): the k-th smallest and
 * k-th largest pairwise difference, k read off the Mann–Whitney null distribution. It is the
 * interval R's wilcox.test(conf.int = TRUE) reports, and it excludes 0 exactly when the exact test
 * rejects at the interval's level, so the interval and the verdict cannot disagree (without ties).
 */
import { median } from './median.js';
import { normalCdf, uCdf } from './mann-whitney.js';

export interface ShiftEstimate {
  estimate: number;
  low: number;
  high: number;
  /** The coverage the interval actually has (discrete: at least the asked-for level when it can be reached). */
  confidence: number;
}

/** The z for a two-sided level: the root of normalCdf(z) = 1 − α/2, by bisection (no table to get wrong). */
function normalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * How many pairwise differences to cut from each end: the smallest q with P(U ≤ q) ≥ α/2 (R's
 * qwilcox), at least 1. Exact up to 50 per side, the normal approximation above.
 */
function cutCount(m: number, n: number, alpha: number): { q: number; confidence: number } {
  if (m < 50 && n < 50) {
    let q = 0;
    while (q < m * n && uCdf(m, n, q) < alpha / 2 - 1e-12) q++;
    q = Math.max(1, q);
    return { q, confidence: 1 - 2 * uCdf(m, n, q - 1) };
  }
  const sd = Math.sqrt((m * n * (m + n + 1)) / 12);
  const q = Math.max(1, Math.floor((m * n) / 2 - normalQuantile(1 - alpha / 2) * sd));
  return { q, confidence: 1 - alpha };
}

export function hodgesLehmannShift(a: readonly number[], b: readonly number[], alpha = 0.05): ShiftEstimate {
  if (a.length === 0 || b.length === 0) throw new RangeError('hodgesLehmannShift needs at least one value on each side');
  const diffs: number[] = [];
  for (const x of a) for (const y of b) diffs.push(y - x);
  diffs.sort((x, y) => x - y);
  const { q, confidence } = cutCount(a.length, b.length, alpha);
  return { estimate: median(diffs), low: diffs[q - 1], high: diffs[diffs.length - q], confidence };
}
