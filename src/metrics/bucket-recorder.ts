/**
 * The load workers' recording hot path: a count per HdrHistogram bucket in a typed array, with the
 * bucket layout of createHistogram() (1 µs resolution, 3 significant digits). Workers ship the
 * non-empty buckets as value/count pairs and the orchestrator adds them into hdr-histogram-js
 * histograms (histograms.ts: addValueCounts). That transfer is exact: a bucket's count recorded at
 * the bucket's lowest value lands in the same HdrHistogram bucket, and the smallest and largest
 * values are shipped as they were recorded.
 *
 * Why hand-written instead of recording into hdr-histogram-js in the worker (measured, issue 4):
 * its recordValue costs ~90 ns (Math.pow and Math.log2 per call) and a round trip records four
 * values; and loading the package (pako, its wasm build, the CJS loader) costs every load process
 * ~7 MB of RSS, times six processes at 100 000 clients. This file imports nothing.
 */

/** Non-empty buckets as [value, count, value, count, …]: what workers post to the orchestrator. */
export type ValueCounts = number[];

// HdrHistogram's layout for lowestDiscernibleValue 1 and 3 significant digits: sub-buckets of
// 2 × 10^3 rounded up to a power of two (2048), so each bucket after the first holds 1024 values
// spaced 2^bucket apart.
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1;
/** Values from 2^31 µs (35 minutes) on are kept one by one (never, in a bounded run). */
const LIMIT = 2 ** 31;
const BUCKETS = 31 - SUB_BUCKET_HALF_MAGNITUDE;
const SLOTS = (BUCKETS + 1) * SUB_BUCKET_HALF_COUNT;

function indexOf(value: number): number {
  if (value <= SUB_BUCKET_MASK) return value;
  const bucket = 31 - Math.clz32(value) - SUB_BUCKET_HALF_MAGNITUDE;
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (value >>> bucket) - SUB_BUCKET_HALF_COUNT;
}

/** The lowest value of the bucket at `index`. */
function valueAt(index: number): number {
  if (index <= SUB_BUCKET_MASK) return index;
  const bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  return ((index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT) * 2 ** bucket;
}

export class BucketRecorder {
  private readonly counts = new Float64Array(SLOTS);
  private readonly large: number[] = [];
  private min = Number.POSITIVE_INFINITY;
  private max = -1;
  private total = 0;
  /** What growthSinceLastCall last saw (allocated on its first call only). */
  private seen: Float64Array | undefined;
  private seenTotal = 0;

  get count(): number {
    return this.total;
  }

  /** Records a value in µs, rounded to an integer; negatives count as 0. */
  record(us: number): void {
    const v = us > 0 ? Math.round(us) : 0;
    if (v < LIMIT) this.counts[indexOf(v)]++;
    else this.large.push(v);
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.total++;
  }

  /** The non-empty buckets, each at its lowest value; the smallest and largest values as recorded. */
  valueCounts(): ValueCounts {
    const out: ValueCounts = [];
    if (this.total === 0) return out;
    const minIndex = this.min < LIMIT ? indexOf(this.min) : -1;
    const maxIndex = this.max < LIMIT ? indexOf(this.max) : -1;
    const counts = this.counts;
    for (let i = 0; i < SLOTS; i++) {
      let c = counts[i];
      if (c === 0) continue;
      if (i === maxIndex) {
        out.push(this.max, 1);
        c--;
      }
      // The smallest value stands for its whole bucket (a lower stand-in would lower the minimum).
      if (c > 0) out.push(i === minIndex ? this.min : valueAt(i), c);
    }
    for (const v of this.large) out.push(v, 1);
    return out;
  }

  /**
   * The buckets that grew since the last call (each at its lowest value), for live metrics: one scan
   * of the buckets, so it costs the same whatever the message rate. The first call allocates the
   * copy it compares with; values kept one by one (over 35 minutes) are left out.
   */
  growthSinceLastCall(): ValueCounts {
    const out: ValueCounts = [];
    const seen = (this.seen ??= new Float64Array(SLOTS));
    if (this.total === this.seenTotal) return out;
    const counts = this.counts;
    for (let i = 0; i < SLOTS; i++) {
      const grew = counts[i] - seen[i];
      if (grew > 0) {
        out.push(valueAt(i), grew);
        seen[i] = counts[i];
      }
    }
    this.seenTotal = this.total;
    return out;
  }

  /** Adds value/count pairs (another recorder's valueCounts or growth), as if recorded here. */
  addValueCounts(vc: ValueCounts): void {
    for (let i = 0; i + 1 < vc.length; i += 2) {
      const v = vc[i] > 0 ? Math.round(vc[i]) : 0;
      const n = vc[i + 1];
      if (n <= 0) continue;
      if (v < LIMIT) this.counts[indexOf(v)] += n;
      else for (let k = 0; k < n; k++) this.large.push(v);
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      this.total += n;
    }
  }

  /**
   * Percentiles as hdr-histogram-js's getValueAtPercentile answers them for the same counts: the
   * highest value of the bucket where the count at the percentile is reached (the lowest, for
   * percentile 0), 0 when empty. A walk over the buckets between the smallest and largest value.
   */
  percentiles(percentiles: readonly number[]): number[] {
    if (this.total === 0) return percentiles.map(() => 0);
    const first = this.min < LIMIT ? indexOf(this.min) : SLOTS;
    const last = this.max < LIMIT ? indexOf(this.max) : SLOTS - 1;
    const large = [...this.large].sort((a, b) => a - b);
    return percentiles.map((p) => {
      const fp = (Math.min(p, 100) / 100) * this.total;
      // hdr-histogram-js rounds up, less one ulp so that float error never skips a count.
      const wanted = Math.max(Math.ceil(fp - ulp(fp)), 1);
      let acc = 0;
      for (let i = first; i <= last; i++) {
        acc += this.counts[i];
        if (acc >= wanted) return p === 0 ? valueAt(i) : valueAt(i + 1) - 1;
      }
      return large[wanted - acc - 1] ?? this.max;
    });
  }

  reset(): void {
    if (this.total === 0) return;
    this.counts.fill(0);
    this.large.length = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = -1;
    this.total = 0;
    this.seen?.fill(0);
    this.seenTotal = 0;
  }
}

/** One recorder reused by valueCountPercentiles (on the orchestrator, which answers one call at a time). */
let scratch: BucketRecorder | undefined;

/**
 * Percentiles of value/count pairs (one list per worker), exactly as hdr-histogram-js answers them
 * after mergeValueCounts, without building that histogram. The orchestrator answers each second's
 * p50/p99 this way: a createHistogram() a second per figure was a 70 KB array to allocate, zero and
 * scan, and adding the pairs into it ~100 ns each (issue 23: most of what the live views added to
 * the load's CPU).
 */
export function valueCountPercentiles(lists: readonly ValueCounts[], percentiles: readonly number[]): number[] {
  const r = (scratch ??= new BucketRecorder());
  r.reset();
  for (const vc of lists) r.addValueCounts(vc);
  return r.percentiles(percentiles);
}

/** hdr-histogram-js's ulp (0 for 0). */
function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(x)) - 52);
}
