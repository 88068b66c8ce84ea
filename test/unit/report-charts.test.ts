import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { metricDirection } from '../../src/result/metric-names.js';
import { shareYRange, toColumns, type ChartSpec } from '../../src/report/chart/chart-spec.js';
import { chartAssets, chartFigure } from '../../src/report/chart/chart-html.js';
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

describe('figure directions', { timeout: 10_000 }, () => {
  it('throughput and connections get worse downwards, everything else upwards', () => {
    for (const m of ['messagesPerSec', 'established']) assert.equal(metricDirection(m), 'lower-is-worse', m);
    for (const m of ['rtt.p99', 'rttRaw.max', 'errors', 'lost', 'failed', 'server.rssPerConnectionKb', 'server.cpuPercentMean', 'client.rssPeakKb']) {
      assert.equal(metricDirection(m), 'higher-is-worse', m);
    }
  });
});

function spec(title: string, ...columns: (number | null)[][]): ChartSpec {
  return {
    cls: 'series',
    title,
    x: { label: 'time since start', unit: 's' },
    y: { label: 'round-trip time', unit: 'ms' },
    series: columns.slice(1).map((_, i) => ({ label: `s${i}`, color: '#000' })),
    data: columns,
  };
}

describe('chart specs and their HTML', { timeout: 10_000 }, () => {
  it('merges the series into uPlot columns, null where a series has no point', () => {
    assert.deepEqual(
      toColumns([
        [
          [20, 2],
          [80, 8],
        ],
        [[50, 5]],
      ]),
      [
        [20, 50, 80],
        [2, null, 8],
        [null, 5, null],
      ],
    );
  });

  it('charts meant to be compared get one y range, the extent of all their values', () => {
    const [a, b] = shareYRange([spec('a', [1, 2], [0.5, 4]), spec('b', [1, 2], [12, null])]);
    assert.deepEqual(a.y.range, [0.5, 12]);
    assert.deepEqual(b.y.range, [0.5, 12]);
    assert.equal(a.y.unit, 'ms', 'the rest of the axis is kept');
  });

  it('inlines uPlot and the page code, and escapes what a figure carries', () => {
    const head = chartAssets();
    assert.match(head, /<style>\.uplot/);
    assert.match(head, /var uPlot=function/);
    assert.match(head, /window\.wsbCharts = /);
    assert.doesNotMatch(head, /<script src=|<link /, 'nothing loaded from a network');
    const figure = chartFigure(spec('<b>"x"</b> </script>', [1], [2]));
    assert.match(figure, /^<figure class="chart series" data-wsb-chart><figcaption>&lt;b&gt;&quot;x&quot;&lt;\/b&gt; &lt;\/script&gt;<\/figcaption>/);
    const json = /<script type="application\/json">(.*?)<\/script>/.exec(figure)![1];
    assert.doesNotMatch(json, /</, 'the spec cannot end its script early');
    assert.equal((JSON.parse(json) as ChartSpec).title, '<b>"x"</b> </script>');
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
