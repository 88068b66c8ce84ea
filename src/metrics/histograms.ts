/**
 * The one module that touches hdr-histogram-js. Histograms hold integer microseconds; they become
 * milliseconds only for display (src/report/format.ts says where) and in the .hgrm text below.
 */
// The two entry points used, not the package index: the index loads log readers/writers and
// formatters too, ~6 MB more RSS in each of up to a dozen load processes.
import { build } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { encodeIntoCompressedBase64, decodeFromCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';
import type { Histogram } from 'hdr-histogram-js';
import type { ValueCounts } from './bucket-recorder.js';

export type { Histogram };
import type { LatencySummaryUs } from '../contract/result.js';

/** 1 µs resolution, 3 significant digits, grows past the initial 60 s ceiling if ever needed. */
export function createHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Compact, lossless text form for shipping between threads and storing in results. */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false);
}

/** Exact merge of what load workers recorded (bucket-recorder.ts) into one histogram. */
export function mergeValueCounts(list: Iterable<ValueCounts>): Histogram {
  const total = createHistogram();
  for (const vc of list) addValueCounts(total, vc);
  return total;
}

/** Adds one worker's value/count pairs into `h` (exact, see bucket-recorder.ts). */
export function addValueCounts(h: Histogram, vc: ValueCounts): void {
  for (let i = 0; i < vc.length; i += 2) h.recordValueWithCount(vc[i], vc[i + 1]);
}

/** Exact merge: adds the decoded counts of every encoded histogram into one. */
export function mergeEncoded(encoded: Iterable<string>): Histogram {
  const total = createHistogram();
  for (const e of encoded) {
    if (!e) continue;
    const h = decodeHistogram(e);
    total.add(h);
    h.destroy();
  }
  return total;
}

export function summarize(h: Histogram): LatencySummaryUs {
  const count = h.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
  return {
    count,
    min: h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue,
    mean: Math.round(h.mean),
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    p9999: h.getValueAtPercentile(99.99),
    max: h.maxValue,
  };
}

/** HdrHistogram's classic text percentile distribution, values in milliseconds. */
export function percentileDistributionMs(h: Histogram): string {
  return h.outputPercentileDistribution(5, 1000);
}
