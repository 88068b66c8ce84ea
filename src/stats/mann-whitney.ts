/**
 * The Mann–Whitney U test (Wilcoxon rank-sum), two-sided: does one sample tend to hold larger values
 * than the other? It assumes nothing about the distribution's shape, which suits latency
 * percentiles from a noisy host (skewed, with outliers). Exact null distribution when there are no
 * ties and both samples are small (as R's wilcox.test does); otherwise the normal approximation
 * with the tie and continuity corrections.
 */

/** Above this many observations per side the exact distribution is replaced by the normal one (R's rule). */
const EXACT_LIMIT = 50;

export interface MannWhitneyResult {
  /** Pairs (a, b) with b > a, ties counting one half: 0 means every b is below every a. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
}

/** U counted directly over all pairs: the samples here are repeats (tens at most). */
export function uStatistic(a: readonly number[], b: readonly number[]): number {
  let u = 0;
  for (const x of a) for (const y of b) u += y > x ? 1 : y === x ? 0.5 : 0;
  return u;
}

const cache = new Map<string, Float64Array>();

/**
 * P(U = u) for u = 0…m·n under the null hypothesis (every ordering of the m + n values equally
 * likely). The largest value belongs to B with probability n/(m+n) and then beats all m values of
 * A, which gives the recursion P(m,n,u) = m/(m+n)·P(m−1,n,u) + n/(m+n)·P(m,n−1,u−m). Probabilities
 * rather than counts: only additions of positive numbers, so the far tails stay exact enough.
 */
export function uNullDistribution(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // prev[j]: the distribution for (i − 1, j); cur[j]: for (i, j).
  let prev: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const d = new Float64Array(i * j + 1);
      const fromA = prev[j];
      const fromB = cur[j - 1];
      for (let u = 0; u < fromA.length; u++) d[u] += (i / (i + j)) * fromA[u];
      for (let u = 0; u < fromB.length; u++) d[u + i] += (j / (i + j)) * fromB[u];
      cur.push(d);
    }
    prev = cur;
  }
  const dist = prev[n];
  cache.set(key, dist);
  return dist;
}

/** P(U ≤ u) under the null hypothesis. */
export function uCdf(m: number, n: number, u: number): number {
  const d = uNullDistribution(m, n);
  let sum = 0;
  for (let k = 0; k <= Math.min(Math.floor(u), d.length - 1); k++) sum += d[k];
  return Math.min(1, sum);
}

/**
 * The smallest two-sided p-value any data can give with these sample sizes: 2 / C(m+n, m), reached
 * when the samples do not overlap at all. When it is above α, no verdict is possible.
 */
export function smallestTwoSidedP(m: number, n: number): number {
  if (m === 0 || n === 0) return 1;
  let c = 1;
  for (let k = 1; k <= Math.min(m, n); k++) c = (c * (m + n - Math.min(m, n) + k)) / k;
  return Math.min(1, 2 / c);
}

function hasTies(values: readonly number[]): boolean {
  return new Set(values).size !== values.length;
}

/** The standard normal CDF, via erfc (W. J. Cody's rational approximations are overkill here: 1e-7 is plenty for a p-value). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Complementary error function, Numerical Recipes' erfcc (fractional error below 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitney needs at least one value on each side');
  const u = uStatistic(a, b);
  const all = [...a, ...b];
  if (!hasTies(all) && m < EXACT_LIMIT && n < EXACT_LIMIT) {
    // The null distribution is symmetric about m·n/2: double the smaller tail.
    const tail = uCdf(m, n, Math.min(u, m * n - u));
    return { u, p: Math.min(1, 2 * tail), method: 'exact' };
  }
  const N = m + n;
  const counts = new Map<number, number>();
  for (const v of all) counts.set(v, (counts.get(v) ?? 0) + 1);
  let tieSum = 0;
  for (const t of counts.values()) tieSum += t * t * t - t;
  const variance = ((m * n) / 12) * (N + 1 - tieSum / (N * (N - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' }; // every value the same
  const z = Math.max(0, Math.abs(u - (m * n) / 2) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * (1 - normalCdf(z))), method: 'normal' };
}
