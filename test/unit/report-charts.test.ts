import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { metricDirection } from '../../src/report/metric-names.js';
import { linearAxis, logAxis, niceCeil } from '../../src/report/svg-chart.js';

describe('figure directions and chart axes', { timeout: 10_000 }, () => {
  it('throughput and connections get worse downwards, everything else upwards', () => {
    for (const m of ['messagesPerSec', 'established']) assert.equal(metricDirection(m), 'lower-is-worse', m);
    for (const m of ['rtt.p99', 'rttRaw.max', 'errors', 'lost', 'failed', 'server.rssPerConnectionKb', 'server.cpuPercentMean', 'client.rssPeakKb']) {
      assert.equal(metricDirection(m), 'higher-is-worse', m);
    }
  });

  it('a linear axis ends on a nice tick above the largest value, never at it', () => {
    assert.equal(niceCeil(7.3), 8);
    assert.equal(niceCeil(2.1), 2.5);
    assert.equal(niceCeil(24.6), 25);
    for (const max of [0.37, 1, 2.5, 7.3, 10, 11.14, 151.6, 1000]) {
      const a = linearAxis(max);
      assert.ok(a.max >= max * 1.05, `${max}: axis ends at ${a.max}`);
      assert.equal(a.ticks[0].v, 0);
      assert.equal(a.ticks[a.ticks.length - 1].v, a.max);
      assert.ok(a.ticks.length >= 3 && a.ticks.length <= 8, `${max}: ${a.ticks.length} ticks`);
    }
  });

  it('a log axis spans whole decades around its values', () => {
    const a = logAxis(0.42, 37);
    assert.deepEqual([a.min, a.max], [0.1, 100]);
    assert.deepEqual(
      a.ticks.map((t) => t.v),
      [0.1, 1, 10, 100],
    );
  });
});
