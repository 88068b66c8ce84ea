import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planWorkers, phaseUs, stridedCount } from '../../src/load/plan/slices.js';

describe('plan: clients over processes × threads', { timeout: 10_000 }, () => {
  it('counts always add up exactly and every id is owned once', () => {
    for (const clients of [1, 2, 3, 7, 100, 999, 1000, 10_001, 100_000]) {
      for (const [p, t] of [
        [1, 1],
        [1, 2],
        [1, 3],
        [2, 2],
        [6, 2],
        [7, 3],
      ]) {
        const slices = planWorkers(clients, p, t, 2000);
        assert.equal(
          slices.reduce((s, w) => s + w.count, 0),
          clients,
          `${clients} over ${p}x${t}`,
        );
        if (clients <= 1000) {
          const seen = new Set<number>();
          for (const w of slices) for (let j = 0; j < w.count; j++) seen.add(w.firstId + j * w.stride);
          assert.equal(seen.size, clients);
          assert.ok([...seen].every((id) => id >= 0 && id < clients));
        }
        const rate = slices.reduce((s, w) => s + w.connectRate, 0);
        assert.ok(Math.abs(rate - 2000) < 1e-6);
        assert.ok(slices.every((w) => w.process === Math.floor(w.workerIndex / t) && w.thread === w.workerIndex % t));
      }
    }
  });

  it('no worker differs from another by more than one client', () => {
    const counts = planWorkers(10_001, 1, 3, 100).map((w) => w.count);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1);
    assert.equal(stridedCount(5, 7, 8), 0);
  });

  it('phases spread each worker evenly over the period', () => {
    const clients = 1000;
    const periodUs = 1_000_000;
    const [w0, w1] = planWorkers(clients, 1, 2, 100);
    const phases0 = Array.from({ length: w0.count }, (_, j) => phaseUs(w0.firstId + j * w0.stride, clients, periodUs));
    assert.ok(phases0[0] < periodUs * 0.01 && phases0[phases0.length - 1] > periodUs * 0.99, 'worker 0 covers the whole period');
    assert.ok(
      phases0.every((p, i) => i === 0 || p > phases0[i - 1]),
      'ascending',
    );
    assert.equal(phaseUs(w1.firstId, clients, periodUs), 1000);
  });
});

describe('broadcast senders', () => {
  it('exactly K of N ids send, spread evenly, each with its own sender index', async () => {
    const { senderIndex } = await import('../../src/load/plan/slices.js');
    for (const [n, k] of [
      [1000, 10],
      [7, 3],
      [5, 5],
      [100_000, 1],
      [10, 1],
    ] as const) {
      const ids = [...Array(n).keys()].filter((id) => senderIndex(id, n, k) >= 0);
      assert.equal(ids.length, k, `${k} of ${n}`);
      assert.deepEqual(
        ids.map((id) => senderIndex(id, n, k)),
        [...Array(k).keys()],
      );
      assert.ok(ids.every((id, j) => id === Math.ceil((j * n) / k)));
    }
  });
});
