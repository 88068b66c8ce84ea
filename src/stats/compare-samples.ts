/**
 * One figure of two sets of repeats (A the baseline, B the one compared): the ratio B/A with its
 * 95 % confidence interval, and a verdict in the figure's own direction. The method and why are in
 * docs/significance.md: a Mann–Whitney U test over the repeats (one value per repeat, never
 * per-second blocks) decides; the Hodges–Lehmann estimate on log values gives the ratio and its
 * interval.
 */
import { mannWhitney, smallestTwoSidedP } from './mann-whitney.js';
import { hodgesLehmannShift } from './hodges-lehmann.js';
import { median } from './median.js';

/** `faster`: better in the figure's own direction (lower latency, CPU, memory; higher msg/s). */
export type Verdict = 'faster' | 'slower' | 'same' | 'unknown';

/** Which way a figure is better. */
export type Better = 'lower' | 'higher';

export const SIGNIFICANCE_LEVEL = 0.05;

/**
 * A significant change smaller than this (as a fraction) is still reported as `same`, as
 * criterion.rs's noise threshold does: a 1 % shift a test can resolve is not worth a verdict.
 */
export const NOISE_THRESHOLD = 0.02;

/**
 * Repeats per side that `compare` runs by default. Four per side is the least with which a verdict
 * is possible at all (2/C(8,4) = 0.029 < 0.05), but only when the samples do not overlap at all;
 * five allows two of the 25 pairs to cross (U ≤ 2, p = 0.032) and still decide.
 */
export const DEFAULT_REPEATS = 5;

export interface SampleComparison {
  /** B/A (Hodges–Lehmann on log values); null when A's typical value is 0 and a ratio means nothing. */
  ratio: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** The interval's actual coverage (the exact distribution is discrete: 0.968 for 5 vs 5). */
  ciLevel: number | null;
  verdict: Verdict;
  /** Two-sided Mann–Whitney p-value; null with fewer repeats than any verdict needs. */
  p: number | null;
  nBaseline: number;
  n: number;
  method: 'mann-whitney-exact' | 'mann-whitney-normal';
}

/** Whether these sample sizes can give a verdict at all: the best possible p must reach α. */
export function canDecide(nBaseline: number, n: number, alpha = SIGNIFICANCE_LEVEL): boolean {
  return smallestTwoSidedP(nBaseline, n) <= alpha;
}

/**
 * The ratio and its interval. On log values when every value is positive (the shift of logs is a
 * ratio, and latency differences are multiplicative); otherwise (a count that can be 0) the plain
 * shift divided by A's median.
 */
function ratioOf(a: readonly number[], b: readonly number[], alpha: number) {
  if ([...a, ...b].every((v) => v > 0)) {
    const s = hodgesLehmannShift(a.map(Math.log), b.map(Math.log), alpha);
    return { ratio: Math.exp(s.estimate), low: Math.exp(s.low), high: Math.exp(s.high), level: s.confidence };
  }
  const s = hodgesLehmannShift(a, b, alpha);
  const base = median(a);
  if (base <= 0) return { ratio: null, low: null, high: null, level: s.confidence, shift: s.estimate };
  return { ratio: 1 + s.estimate / base, low: 1 + s.low / base, high: 1 + s.high / base, level: s.confidence };
}

export function compareSamples(
  baseline: readonly number[],
  sample: readonly number[],
  better: Better,
  opts: { alpha?: number; noise?: number } = {},
): SampleComparison {
  const alpha = opts.alpha ?? SIGNIFICANCE_LEVEL;
  const noise = opts.noise ?? NOISE_THRESHOLD;
  const test = mannWhitney(baseline, sample);
  const method = test.method === 'exact' ? 'mann-whitney-exact' : 'mann-whitney-normal';
  const r = ratioOf(baseline, sample, alpha);
  const counts = { nBaseline: baseline.length, n: sample.length, method } as const;
  if (!canDecide(baseline.length, sample.length, alpha)) {
    // Too few repeats: the point estimate is shown, the interval and the verdict would be guesses.
    return { ratio: r.ratio, ciLow: null, ciHigh: null, ciLevel: null, verdict: 'unknown', p: null, ...counts };
  }
  const base = { ratio: r.ratio, ciLow: r.low, ciHigh: r.high, ciLevel: r.level, p: test.p, ...counts };
  if (test.p >= alpha) return { ...base, verdict: 'same' };
  // Significant: which way, and is it more than noise? Without a ratio (A at 0), any rise counts.
  const up = r.ratio !== null ? r.ratio - 1 : Math.sign('shift' in r ? (r.shift ?? 0) : 0);
  if (Math.abs(up) <= noise) return { ...base, verdict: 'same' };
  const worse = better === 'lower' ? up > 0 : up < 0;
  return { ...base, verdict: worse ? 'slower' : 'faster' };
}
