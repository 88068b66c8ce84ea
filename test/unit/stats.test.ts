/**
 * src/stats against known values: R's wilcox.test example (Hollander & Wolfe's permeability
 * constants, also in scipy's mannwhitneyu), exact p-values of fully separated samples (2/C(m+n,m)),
 * a tied sample (normal approximation with tie and continuity corrections, as scipy computes it),
 * and the verdicts built on them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mannWhitney, smallestTwoSidedP, uCdf, uNullDistribution } from '../../src/stats/mann-whitney.js';
import { hodgesLehmannShift } from '../../src/stats/hodges-lehmann.js';
import { canDecide, compareSamples, DEFAULT_REPEATS } from '../../src/stats/compare-samples.js';
import { median, medianOf } from '../../src/stats/median.js';

const close = (actual: number | null, expected: number, tolerance = 1e-9) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} ± ${tolerance}`);

// Hollander & Wolfe (1973) p. 69, the example of R's ?wilcox.test.
const X = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const Y = [1.15, 0.88, 0.9, 0.74, 1.21];

describe('median', () => {
  it('odd and even counts, unsorted input, non-finite values left out, none at all', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([5, Number.NaN, 1, Number.POSITIVE_INFINITY, 3]), 3);
    assert.equal(medianOf([]), undefined);
    assert.equal(medianOf([Number.NaN]), undefined);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('Mann–Whitney U', () => {
  it("R's example: U = 15 pairs with y > x (W = 35 the other way), exact two-sided p = 0.2544", () => {
    const r = mannWhitney(X, Y);
    assert.equal(r.u, 15);
    assert.equal(r.method, 'exact');
    close(r.p, 0.2544122544122544);
  });

  it('fully separated samples reach the smallest p the sizes allow: 2/252 for 5 vs 5, 2/70 for 4 vs 4', () => {
    close(mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 2 / 252);
    close(mannWhitney([6, 7, 8, 9], [1, 2, 3, 4]).p, 2 / 70);
    close(smallestTwoSidedP(5, 5), 2 / 252);
    close(smallestTwoSidedP(3, 3), 0.1);
  });

  it('the null distribution sums to 1 and has the counts of a q-binomial: P(U ≤ 2) = 4/252 for 5 vs 5', () => {
    const d = uNullDistribution(5, 5);
    close(
      d.reduce((a, b) => a + b, 0),
      1,
    );
    close(uCdf(5, 5, 2), 4 / 252);
    close(uCdf(10, 5, 50), 1);
  });

  it('ties: the normal approximation with the tie and continuity corrections (scipy: p = 0.0130)', () => {
    const r = mannWhitney([1, 2, 2, 3, 3, 3, 4], [3, 4, 4, 5, 5, 6]);
    assert.equal(r.method, 'normal');
    assert.equal(r.u, 38.5);
    close(r.p, 0.012999854364387305, 1e-6);
  });

  it('all values equal: p = 1', () => {
    assert.equal(mannWhitney([5, 5, 5, 5], [5, 5, 5, 5]).p, 1);
  });
});

describe('Hodges–Lehmann shift and its interval', () => {
  it("R's example: y − x shift −0.305, 96 % interval [−0.76, 0.15] (wilcox.test(y, x, conf.int = TRUE))", () => {
    const s = hodgesLehmannShift(X, Y);
    close(s.estimate, -0.305);
    close(s.low, -0.76);
    close(s.high, 0.15);
    close(s.confidence, 0.9600399600399601);
  });
});

describe('compareSamples: ratio, interval, verdict', () => {
  const a = [1.0, 1.2, 0.9, 1.1, 1.05];
  const b = [0.6, 0.55, 0.7, 0.62, 0.58];

  it('5 vs 5, B clearly lower: 0.58× [0.50–0.69], faster for a latency, slower for msg/s', () => {
    const latency = compareSamples(a, b, 'lower');
    close(latency.ratio, 0.58);
    close(latency.ciLow, 0.5);
    close(latency.ciHigh, 0.6888888888888889);
    close(latency.ciLevel, 0.9682539682539683);
    close(latency.p, 2 / 252);
    assert.equal(latency.verdict, 'faster');
    assert.equal(latency.method, 'mann-whitney-exact');
    assert.equal(compareSamples(a, b, 'higher').verdict, 'slower');
  });

  it('6 vs 6 with overlap (U = 32 of 36, p = 0.026): slower for a latency', () => {
    const r = compareSamples([10, 12, 11, 14, 13, 15], [12.5, 16, 15.5, 17, 14.5, 18], 'lower');
    close(r.p, 0.025974025974025976);
    assert.equal(r.verdict, 'slower');
    assert.ok(r.ciLow! > 1 && r.ciHigh! > r.ratio!);
  });

  it('interleaved samples: same', () => {
    assert.equal(compareSamples([1, 3, 5, 7, 9], [2, 4, 6, 8, 10], 'lower').verdict, 'same');
  });

  it('a significant shift inside the 2 % noise threshold is same', () => {
    const base = [100, 100.1, 100.2, 100.3, 100.4];
    const r = compareSamples(
      base,
      base.map((v) => v * 1.01),
      'lower',
    );
    assert.ok(r.p! < 0.05);
    assert.equal(r.verdict, 'same');
  });

  it('one repeat: unknown, with the ratio but no interval and no p', () => {
    const r = compareSamples([10], [5], 'lower');
    assert.equal(r.verdict, 'unknown');
    close(r.ratio, 0.5);
    assert.equal(r.ciLow, null);
    assert.equal(r.ciHigh, null);
    assert.equal(r.p, null);
  });

  it('three repeats cannot decide even when nothing overlaps; four can', () => {
    assert.equal(compareSamples([1, 2, 3], [10, 11, 12], 'lower').verdict, 'unknown');
    assert.equal(compareSamples([1, 2, 3, 4], [10, 11, 12, 13], 'lower').verdict, 'slower');
    assert.equal(canDecide(3, 3), false);
    assert.equal(canDecide(4, 4), true);
    assert.equal(canDecide(2, 7), false, '2/C(9,2) = 0.056');
    assert.equal(canDecide(2, 8), true, '2/C(10,2) = 0.044');
    assert.ok(canDecide(DEFAULT_REPEATS, DEFAULT_REPEATS));
  });

  it('counts that can be zero: no ratio when the baseline is 0, still a verdict', () => {
    const none = compareSamples([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], 'lower');
    assert.equal(none.verdict, 'same');
    assert.equal(none.ratio, null);
    const some = compareSamples([0, 0, 0, 0, 0], [1, 2, 1, 3, 2], 'lower');
    assert.equal(some.verdict, 'slower');
    assert.equal(some.ratio, null);
  });
});
