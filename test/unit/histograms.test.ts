import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHistogram, encodeHistogram, mergeEncoded, summarize, decodeHistogram } from '../../src/metrics/histograms.js';

describe('histograms', { timeout: 10_000 }, () => {
  it('merging encoded histograms equals recording the union of samples', () => {
    const a = createHistogram();
    const b = createHistogram();
    const union = createHistogram();
    for (let i = 1; i <= 5000; i++) {
      const v = (i * 7919) % 100_000;
      (i % 2 ? a : b).recordValue(Math.round(v));
      union.recordValue(Math.round(v));
    }
    const merged = mergeEncoded([encodeHistogram(a), encodeHistogram(b)]);
    // Results are always summarized from encoded histograms (max and min at bucket resolution).
    assert.deepEqual(summarize(merged), summarize(decodeHistogram(encodeHistogram(union))));
    assert.equal(summarize(merged).p99, summarize(union).p99);
  });

  it('keeps microsecond resolution (no float-ms truncation)', () => {
    const h = createHistogram();
    h.recordValue(Math.round(150));
    h.recordValue(Math.round(250));
    const back = decodeHistogram(encodeHistogram(h));
    assert.equal(summarize(back).min, 150);
    assert.equal(summarize(back).count, 2);
  });

  it('summarizes an empty histogram as zeros', () => {
    assert.equal(summarize(createHistogram()).p99, 0);
  });
});
