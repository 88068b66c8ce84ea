import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { metricDirection } from '../../src/result/metric-names.js';
import { linearAxis, logAxis, niceCeil } from '../../src/report/svg-chart.js';
import { tierTextChart } from '../../src/report/tier-text-chart.js';
import type { ComparisonRow } from '../../src/report/comparison.js';

function row(server: string, tier: string, clients: number, p99Ms: number, rssPerConnKb: number | null): ComparisonRow {
  return {
    run: '',
    server,
    tier,
    clients,
    repeats: 1,
    latencyP50Us: 100,
    latencyP99Us: p99Ms * 1000,
    latencyP999Us: p99Ms * 2000,
    latencyMaxUs: p99Ms * 3000,
    rttP50Us: 100,
    rttP99Us: p99Ms * 1000,
    rttP999Us: p99Ms * 2000,
    rttMaxUs: p99Ms * 3000,
    messagesPerSec: clients,
    errors: 0,
    serverRssPeakKb: null,
    serverRssPerConnectionKb: rssPerConnKb,
    serverCpuPercent: null,
    verdict: 'valid',
    rttP99MinUs: p99Ms * 1000,
    rttP99MaxUs: p99Ms * 1000,
    latencyP99MinUs: p99Ms * 1000,
    latencyP99MaxUs: p99Ms * 1000,
    hostFloorP99Us: null,
  };
}

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

describe('the tier chart for a terminal', { timeout: 10_000 }, () => {
  it('draws one bar per server and tier, each figure scaled to its largest value, and marks a missing figure', () => {
    const chart = tierTextChart([
      row('node', '1k', 1000, 2, 8),
      row('node', '10k', 10_000, 8, 6),
      row('uws', '1k', 1000, 0.5, null),
      row('uws', '10k', 10_000, 4, 1),
    ]);
    const lines = chart.trimEnd().split('\n');
    assert.match(lines[0], /^By client tier/);
    assert.match(lines[1], /^ +1k +10k$/);
    const p99 = lines.indexOf('p99 ms');
    assert.ok(p99 > 0, chart);
    // node 10k has the largest p99: a full bar of 20 blocks; node 1k a quarter of it.
    assert.match(lines[p99 + 1], /^ {2}node +█{5} +2\.00 +█{20} +8\.00$/);
    assert.match(lines[p99 + 2], /^ {2}uws +█▎ +0\.50 +█{10} +4\.00$/);
    const rss = lines.indexOf('server RSS/conn KB');
    assert.match(lines[rss + 2], /^ {2}uws +- +█{2}▌ +1\.00$/, 'no RSS figure at 1k: a dash');
    assert.ok(!lines.includes('server CPU %'), 'a figure no run has is left out');
  });

  it('is empty when no server was measured at two tiers', () => {
    assert.equal(tierTextChart([row('node', '1k', 1000, 2, 8), row('uws', '1k', 1000, 1, 5)]), '');
  });
});
