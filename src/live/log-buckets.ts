/**
 * The live histograms' buckets: log-spaced from 50 µs to 10 s (30 steps, each ×1.5), in seconds as
 * Prometheus expects. Fine enough that `histogram_quantile` lands within one bucket (±50 %) of the
 * result's HdrHistogram percentile, coarse enough that a scrape stays small (33 lines a histogram).
 */
const LOWEST_S = 50e-6;
const HIGHEST_S = 10;
const STEPS = 30;

/** Upper bounds in seconds, 3 significant digits, ascending; +Inf is implied after the last. */
export const LIVE_BUCKETS_S: readonly number[] = Array.from({ length: STEPS + 1 }, (_, i) =>
  Number((LOWEST_S * (HIGHEST_S / LOWEST_S) ** (i / STEPS)).toPrecision(3)),
);

/**
 * A cumulative histogram over LIVE_BUCKETS_S, fed with the workers' value/count pairs (µs): how a
 * Prometheus histogram is exposed (cumulative counts, a sum and a count) without one observe() per
 * message.
 */
export class LiveHistogram {
  /** counts[i]: values ≤ LIVE_BUCKETS_S[i] and above the previous bound; the last slot is +Inf. */
  readonly counts = new Float64Array(LIVE_BUCKETS_S.length + 1);
  sumS = 0;
  count = 0;

  /** Adds arrays of [value µs, count, value µs, count, …]. */
  add(valueCounts: readonly (readonly number[])[]): void {
    for (const vc of valueCounts) {
      for (let i = 0; i + 1 < vc.length; i += 2) {
        const s = vc[i] / 1e6;
        const n = vc[i + 1];
        this.counts[bucketIndex(s)] += n;
        this.sumS += s * n;
        this.count += n;
      }
    }
  }

  /** Cumulative counts per upper bound, +Inf last (what `le` means). */
  cumulative(): number[] {
    let acc = 0;
    return Array.from(this.counts, (c) => (acc += c));
  }
}

/** The first bucket whose upper bound holds `s` (binary search; the +Inf slot past the last). */
export function bucketIndex(s: number): number {
  let lo = 0;
  let hi = LIVE_BUCKETS_S.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s <= LIVE_BUCKETS_S[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
