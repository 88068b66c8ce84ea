import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PeriodicArrivals, PoissonArrivals, sendGridUs } from '../../src/load/worker/arrivals.js';

/** The first `n` sends of a schedule: [offset µs, slot, seq]. */
function take(a: PeriodicArrivals | PoissonArrivals, n: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    out.push([a.nextOffsetUs, a.nextSlot, a.nextSeq]);
    a.advance();
  }
  return out;
}

describe('arrival patterns', () => {
  const phases = Float64Array.from([0, 250_300, 500_600, 750_900]);

  it('grid: each slot at its phase rounded up to the grid, one round per period', () => {
    const sends = take(new PeriodicArrivals(phases, 1e6, sendGridUs(4)), 5);
    assert.deepEqual(sends, [
      [0, 0, 0],
      [251_000, 1, 0],
      [501_000, 2, 0],
      [751_000, 3, 0],
      [1_000_000, 0, 1],
    ]);
  });

  it('spread: each slot at its own phase, unrounded', () => {
    const sends = take(new PeriodicArrivals(phases, 1e6, 1), 5);
    assert.deepEqual(
      sends.map(([t]) => t),
      [0, 250_300, 500_600, 750_900, 1_000_000],
    );
  });

  it('poisson: the same seed gives the same schedule, a mean rate of slots × rate, and every slot its own sequence', () => {
    const a = take(new PoissonArrivals(100, 2, 42, 0), 20_000);
    const b = take(new PoissonArrivals(100, 2, 42, 0), 20_000);
    assert.deepEqual(a, b);
    const other = take(new PoissonArrivals(100, 2, 42, 1), 100);
    assert.notDeepEqual(a.slice(0, 100), other);
    // 20 000 sends at 200/s take 100 s on average; the spread of a sum of 20 000 gaps is 0.7 %.
    const seconds = a[a.length - 1][0] / 1e6;
    assert.ok(seconds > 95 && seconds < 105, `${seconds} s`);
    const perSlot = new Map<number, number>();
    for (const [, slot, seq] of a) {
      assert.equal(seq, perSlot.get(slot) ?? 0, 'a slot numbers its own messages 0, 1, 2, …');
      perSlot.set(slot, seq + 1);
    }
    assert.equal(perSlot.size, 100);
    const offsets = a.map(([t]) => t);
    assert.ok(
      offsets.every((t, i) => i === 0 || t >= offsets[i - 1]),
      'intended times never go back',
    );
  });
});
