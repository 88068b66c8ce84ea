import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonLine, significanceMarkdown, significanceText, SINGLE_RUN_NOTE } from '../../src/report/significance-table.js';
import { compareSamples } from '../../src/stats/compare-samples.js';
import type { ServerComparison } from '../../src/result/figure-comparison.js';

const at = (figure: string, a: number[], b: number[]): ServerComparison => ({
  tier: '10k',
  server: 'bun',
  baseline: 'node',
  figure,
  metric: 'rtt.p99',
  ...compareSamples(a, b, 'lower'),
});

describe('significance table', () => {
  it('`bun vs node p99 0.58× [0.50–0.69] faster`, ~ for no difference', () => {
    assert.equal(comparisonLine(at('p99', [1.0, 1.2, 0.9, 1.1, 1.05], [0.6, 0.55, 0.7, 0.62, 0.58])), 'bun vs node p99 0.58× [0.50–0.69] faster');
    assert.match(comparisonLine(at('p50', [1, 3, 5, 7, 9], [2, 4, 6, 8, 10])), /^bun vs node p50 [\d.]+× \[[\d.]+–[\d.]+\] ~$/);
  });

  it('one repeat: unknown, no interval, and the note says single run', () => {
    const one = at('p99', [10], [5]);
    assert.equal(comparisonLine(one), 'bun vs node p99 0.50× unknown');
    assert.match(significanceText([one]), new RegExp(`^significance: ${SINGLE_RUN_NOTE}\\n`));
    assert.match(significanceMarkdown([one]), /single run: no significance/);
  });

  it('nothing to compare (one server): no output', () => {
    assert.equal(significanceText([]), '');
    assert.equal(significanceMarkdown([]), '');
  });
});
