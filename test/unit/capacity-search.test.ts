import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CapacitySearch, type SearchSettings, type StepOutcome } from '../../src/capacity/search.js';

/** Runs the search against a pretend server that meets the SLO up to `capacity` clients. */
function search(settings: SearchSettings, capacity: number, clientLimit = Number.POSITIVE_INFINITY): { tried: number[]; s: CapacitySearch } {
  const s = new CapacitySearch(settings);
  const tried: number[] = [];
  for (let n = s.next(); n !== undefined; n = s.next()) {
    tried.push(n);
    const outcome: StepOutcome = n >= clientLimit ? 'client-limit' : n <= capacity ? 'pass' : 'fail';
    s.record(n, outcome);
    assert.ok(tried.length < 50, 'the search ends');
  }
  return { tried, s };
}

const X2: SearchSettings = { from: 1000, to: 100_000, step: { kind: 'mul', factor: 2 }, bisect: true, resolution: 0.05 };

describe('capacity search', () => {
  it('doubles until the first failure, then bisects to the resolution', () => {
    const { tried, s } = search(X2, 37_000);
    assert.deepEqual(tried.slice(0, 7), [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]);
    const a = s.answer();
    assert.equal(a.kind, 'found');
    assert.ok(a.lastPassing! <= 37_000 && a.firstFailing! > 37_000);
    assert.ok(a.firstFailing! - a.lastPassing! <= 0.05 * a.lastPassing!, `${a.lastPassing}..${a.firstFailing}`);
  });

  it('adds a fixed step; without bisection it stops at the first failure', () => {
    const { tried, s } = search({ ...X2, step: { kind: 'add', n: 5000 }, from: 5000, bisect: false }, 12_000);
    assert.deepEqual(tried, [5000, 10_000, 15_000]);
    assert.deepEqual([s.answer().lastPassing, s.answer().firstFailing], [10_000, 15_000]);
  });

  it('says "at least" when the SLO holds up to --to, and "below --from" when it fails at once', () => {
    const up = search({ ...X2, to: 5000 }, 1e9);
    assert.deepEqual(up.tried, [1000, 2000, 4000, 5000]);
    assert.equal(up.s.answer().kind, 'at-least');
    const down = search(X2, 10);
    assert.deepEqual(down.tried, [1000]);
    assert.equal(down.s.answer().kind, 'below-from');
  });

  it("a client-limited step ends the search and is never reported as the server's capacity", () => {
    const { tried, s } = search(X2, 50_000, 20_000);
    assert.equal(tried.at(-1), 32_000);
    const a = s.answer();
    assert.equal(a.kind, 'client-limit');
    assert.equal(a.clientLimitAt, 32_000);
    assert.equal(a.lastPassing, 16_000);
    assert.match(a.message, /the load generator is the limit at 32,000 clients.*not the server's capacity/);
  });
});
