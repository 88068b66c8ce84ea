import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BucketRecorder, valueCountPercentiles } from '../../src/metrics/bucket-recorder.js';
import { createHistogram, encodeHistogram, mergeValueCounts, summarize } from '../../src/metrics/histograms.js';

/** Deterministic values over every HdrHistogram bucket a run can meet, edges included. */
function sampleValues(): number[] {
  const values = [0, 1, 2, 2047, 2048, 2049, 4095, 4096, 1_000_000, 2 ** 31 - 1, 2 ** 31, 3 * 2 ** 31 + 7];
  let x = 12345;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    values.push(Math.floor(2 ** ((x / 2 ** 31) * 33)) - 1); // log-uniform from 0 to ~8.6e9 µs
  }
  return values;
}

describe("bucket recorder (the workers' recording hot path)", { timeout: 10_000 }, () => {
  it('ships counts that rebuild exactly the HdrHistogram recorded directly', () => {
    const rec = new BucketRecorder();
    const direct = createHistogram();
    for (const v of sampleValues()) {
      rec.record(v);
      direct.recordValue(Math.round(v));
    }
    const rebuilt = mergeValueCounts([rec.valueCounts()]);
    assert.equal(rec.count, direct.totalCount);
    assert.equal(encodeHistogram(rebuilt), encodeHistogram(direct), 'the same count in every bucket');
    assert.deepEqual(summarize(rebuilt), summarize(direct), 'min, max, mean and percentiles too');
  });

  it('merges several workers exactly, and keeps the exact min and max of a single bucket', () => {
    const a = new BucketRecorder();
    const b = new BucketRecorder();
    const union = createHistogram();
    for (const [i, v] of sampleValues().entries()) {
      (i % 3 ? a : b).record(v);
      union.recordValue(Math.round(v));
    }
    assert.equal(encodeHistogram(mergeValueCounts([a.valueCounts(), b.valueCounts()])), encodeHistogram(union));

    const one = new BucketRecorder();
    for (const v of [100_003, 100_001, 100_002]) one.record(v); // one bucket (64 µs wide here)
    const s = summarize(mergeValueCounts([one.valueCounts()]));
    assert.equal(s.count, 3);
    assert.equal(s.min, 100_001);
    assert.equal(s.max, 100_003);
  });

  it('rounds to whole microseconds, counts negatives as 0, and starts over after reset', () => {
    const rec = new BucketRecorder();
    rec.record(1.4);
    rec.record(-5);
    assert.deepEqual(rec.valueCounts(), [0, 1, 1, 1]);
    rec.reset();
    assert.equal(rec.count, 0);
    assert.deepEqual(rec.valueCounts(), []);
    rec.record(7);
    assert.deepEqual(rec.valueCounts(), [7, 1]);
  });
  it('answers percentiles of shipped counts exactly as hdr-histogram-js does, without building one', () => {
    const PERCENTILES = [0, 0.1, 25, 50, 90, 99, 99.9, 99.99, 100];
    const below = sampleValues().filter((v) => v < 2 ** 31);
    const cases: number[][] = [below, below.slice(0, 1), below.slice(0, 7), below.map((v) => v % 5000), [5, 5, 5], []];
    for (const values of cases) {
      const a = new BucketRecorder();
      const b = new BucketRecorder();
      for (const [i, v] of values.entries()) (i % 2 ? a : b).record(v);
      const lists = [a.valueCounts(), b.growthSinceLastCall()];
      const h = mergeValueCounts(lists);
      const expected = PERCENTILES.map((p) => (h.totalCount ? h.getValueAtPercentile(p) : 0));
      assert.deepEqual(valueCountPercentiles(lists, PERCENTILES), expected, `${values.length} values`);
    }
  });
});
