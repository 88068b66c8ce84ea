import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { readRun, tempDir, splitCsvLine } from '../helpers/results.js';
import { chartSpecsIn } from '../helpers/page-charts.js';
import type { ResultDocument } from '../../src/contract/result.js';

after(killAll);

describe('thresholds, reports and the regression gate', { timeout: 120_000 }, () => {
  let resultFile = '';
  let doc: ResultDocument;
  let port = 0;

  /** Writes a changed copy of the run's result and returns its path. */
  function variant(change: (d: ResultDocument) => void): string {
    const d = structuredClone(doc);
    change(d);
    const file = path.join(tempDir(), 'variant.json');
    writeFileSync(file, JSON.stringify(d));
    return file;
  }

  before(async () => {
    const server = await startServe([]);
    port = server.port;
    const out = tempDir();
    // A limit no run can meet (p99 under 1 µs) must fail the run with exit 7 and say which limit.
    const p = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '50',
      '--rate',
      '5',
      '--duration',
      '2s',
      '--warmup',
      '1s',
      '--server-pid',
      String(server.pid),
      '--out',
      out,
      '--name',
      'gate',
      '--threshold',
      'rtt.p99<1us',
      '--threshold',
      'errors==0',
    ]);
    const exit = await p.exited;
    assert.equal(exit.code, 7, p.stderr());
    assert.match(p.stderr(), /CROSSED rtt\.p99<1us\s+\(actual [\d.]+ ms\)/);
    assert.match(p.stderr(), /ok\s+errors==0/);
    const run = readRun(out);
    doc = run.doc;
    resultFile = path.join(
      out,
      run.files.find((f) => f.endsWith('.json'))!,
    );
    await server.stop();
  });

  it("limits that hold keep the verdict's exit code; a bad limit is a usage error", { timeout: 60_000 }, async () => {
    const server = await startServe([]);
    const p = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '20',
      '--rate',
      '5',
      '--duration',
      '1s',
      '--warmup',
      '0s',
      '--out',
      tempDir(),
      '--threshold',
      'errors==0',
      '--threshold',
      'rtt.p99<60s',
    ]);
    const exit = await p.exited;
    assert.equal(exit.code, 0, p.stderr());
    assert.doesNotMatch(p.stderr(), /CROSSED/);
    const bad = spawnCli(['load', `ws://127.0.0.1:${server.port}/`, '--threshold', 'latency<5']);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /unknown figure latency/);
    await server.stop();
  });

  it('renders one result as table, CSV, Markdown and self-contained HTML', { timeout: 30_000 }, async () => {
    const table = spawnCli(['report', resultFile]);
    assert.equal((await table.exited).code, 0);
    assert.match(table.stdout(), /p99 ms/);
    const csv = spawnCli(['report', resultFile, '--format', 'csv']);
    assert.equal((await csv.exited).code, 0);
    const [header, row] = csv.stdout().trim().split('\n').map(splitCsvLine);
    assert.equal(row[header.indexOf('rttP99Us')], String(doc.summary.rttUs.p99));
    const md = spawnCli(['report', resultFile, '--format', 'md', '--title', 'T']);
    assert.equal((await md.exited).code, 0);
    // The server column names the target, the run column the run (not the other way round).
    assert.match(md.stdout(), /^### T\n\n\| run \| server \| tier \|/);
    assert.match(md.stdout(), new RegExp(`\\| gate \\| 127\\.0\\.0\\.1:${port} \\| 50c \\| 50 \\|`));
    const htmlFile = path.join(tempDir(), 'r.html');
    const html = spawnCli(['report', resultFile, '--format', 'html', '--out', htmlFile]);
    assert.equal((await html.exited).code, 0);
    const text = readFileSync(htmlFile, 'utf8');
    const charts = chartSpecsIn(text);
    const latency = charts.find((c) => c.cls === 'latency');
    assert.ok(latency, 'the percentile chart');
    assert.equal(latency.title, 'RTT percentiles, 50c (log axes)');
    assert.deepEqual(
      latency.series.map((s) => s.label),
      ['gate'],
    );
    assert.deepEqual([latency.y.unit, latency.y.log], ['ms', true]);
    const rss = charts.find((c) => c.cls === 'rss');
    assert.ok(rss, 'the RSS bars');
    assert.equal(rss.y.unit, 'KB');
    assert.deepEqual(rss.data[1], [doc.summary.server!.rssPerConnectionKb]);
    // Charts scale to the page (a grid that fills the window); uPlot draws them, no hand-made SVG.
    assert.match(text, /\.grid\{display:grid/);
    assert.doesNotMatch(text, /<svg/);
    // Latency over time from the series, in seconds, the measured window shaded.
    const series = charts.find((c) => c.cls === 'series');
    assert.ok(series, 'latency over time');
    assert.equal(series.title, 'gate / 50c: latency over time');
    assert.deepEqual(
      series.series.map((s) => [s.label, s.dash ?? false]),
      [
        ['p99', false],
        ['p50', true],
      ],
    );
    assert.deepEqual([series.x.unit, series.y.unit], ['s', 'ms']);
    assert.equal(series.bands?.[0].label, 'measured window');
    // One client tier only: no by-tier chart.
    assert.ok(!charts.some((c) => c.cls.startsWith('tier-')));
    assert.doesNotMatch(text, /<script src=|<link [^>]*href="http/, 'nothing loaded from a network');
    const data = JSON.parse(/<script type="application\/json" id="wsbench-data">(.*?)<\/script>/s.exec(text)![1]) as {
      rows: { run: string; server: string; rttP99Us: number }[];
      runs: { series: unknown[] }[];
      curves: { points: unknown[] }[];
    };
    assert.equal(data.rows[0].rttP99Us, doc.summary.rttUs.p99);
    assert.deepEqual([data.rows[0].run, data.rows[0].server], ['gate', `127.0.0.1:${port}`]);
    assert.equal(data.runs[0].series.length, doc.series.length);
    assert.equal(data.curves[0].points.length, 10);
  });

  it('--baseline/--max-regression: no change passes, a doubled p99 fails with exit 7', { timeout: 30_000 }, async () => {
    const same = spawnCli(['report', resultFile, '--baseline', resultFile, '--max-regression', 'rtt.p99=10%,server.rssPerConnectionKb=5%']);
    assert.equal((await same.exited).code, 0, same.stderr());
    assert.match(same.stderr(), /ok\s+gate\/\S+ rtt\.p99/);
    const worse = structuredClone(doc);
    worse.summary.rttUs.p99 = doc.summary.rttUs.p99 * 2 + 1;
    const worseFile = path.join(tempDir(), 'worse.json');
    writeFileSync(worseFile, JSON.stringify(worse));
    const gate = spawnCli(['report', worseFile, '--baseline', resultFile, '--max-regression', 'rtt.p99=10%']);
    assert.equal((await gate.exited).code, 7);
    assert.match(gate.stderr(), /REGRESSED gate\/50c rtt\.p99: \d+ -> \d+ \(\+1\d\d\.\d%, limit \+10%\)/);
    const notResult = path.join(tempDir(), 'x.json');
    writeFileSync(notResult, '{"hello": 1}');
    const bad = spawnCli(['report', notResult]);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /is not a wsbench result/);
  });

  it('a figure the baseline lacks is skipped and said so; one this run lacks is a regression', { timeout: 30_000 }, async () => {
    // A baseline run without --server-pid has no server figures (like an older result shape).
    const noServer = variant((d) => (d.summary.server = null));
    const skipped = spawnCli(['report', resultFile, '--baseline', noServer, '--max-regression', 'rtt.p99=10%,server.rssPerConnectionKb=5%']);
    assert.equal((await skipped.exited).code, 0, skipped.stderr());
    assert.match(skipped.stderr(), /^skipped\s+gate\/50c server\.rssPerConnectionKb: not in the baseline, nothing to compare \([\d.]+ now\)$/m);
    assert.match(skipped.stderr(), /^ok\s+gate\/50c rtt\.p99:/m);
    assert.match(skipped.stderr(), /not gated: the baseline has no server\.rssPerConnectionKb/);
    assert.doesNotMatch(skipped.stderr(), /REGRESSED/);

    const gone = spawnCli(['report', noServer, '--baseline', resultFile, '--max-regression', 'server.rssPerConnectionKb=5%']);
    assert.equal((await gone.exited).code, 7, gone.stderr());
    assert.match(gone.stderr(), /REGRESSED gate\/50c server\.rssPerConnectionKb: [\d.]+ -> not measured in this run/);

    const typo = spawnCli(['report', resultFile, '--baseline', resultFile, '--max-regression', 'latency=5%']);
    assert.equal((await typo.exited).code, 2);
    assert.match(typo.stderr(), /unknown figure latency \[WSB_ERR_USAGE\]/);
  });

  it('throughput regresses downwards: a halved messagesPerSec fails, a doubled one passes', { timeout: 30_000 }, async () => {
    const rate = doc.summary.messages.ratePerSec;
    const collapsed = variant((d) => (d.summary.messages.ratePerSec = rate / 2));
    const gate = spawnCli(['report', collapsed, '--baseline', resultFile, '--max-regression', 'messagesPerSec=5%,rtt.p99=10%']);
    assert.equal((await gate.exited).code, 7, gate.stderr());
    assert.match(gate.stderr(), /REGRESSED gate\/50c messagesPerSec: [\d.]+ -> [\d.]+ \(-50\.0%, limit -5%\)/);
    const faster = variant((d) => (d.summary.messages.ratePerSec = rate * 2));
    const pass = spawnCli(['report', faster, '--baseline', resultFile, '--max-regression', 'messagesPerSec=5%']);
    assert.equal((await pass.exited).code, 0, pass.stderr());
    assert.match(pass.stderr(), /ok\s+gate\/50c messagesPerSec: [\d.]+ -> [\d.]+ \(\+100\.0%, limit -5%\)/);
    // Fewer connections established is worse too.
    const fewer = variant((d) => (d.summary.connections.established = 10));
    const est = spawnCli(['report', fewer, '--baseline', resultFile, '--max-regression', 'established=0%']);
    assert.equal((await est.exited).code, 7, est.stderr());
    assert.match(est.stderr(), /REGRESSED gate\/50c established: 50 -> 10 \(-80\.0%, limit -0%\)/);
  });

  it(
    'several baselines and results: a figure fails only if significantly worse AND beyond the limit; one result: significance unknown',
    { timeout: 60_000 },
    async () => {
      const p50 = doc.summary.rttUs.p50;
      /** Five results whose p50 is `factor` times the run's, with a little spread (fixed, no randomness). */
      const five = (factor: number) => [0.97, 0.99, 1, 1.01, 1.03].map((k) => variant((d) => (d.summary.rttUs.p50 = Math.round(p50 * factor * k))));
      const baselines = five(1).flatMap((f) => ['--baseline', f]);
      const slow = spawnCli(['report', ...five(1.5), ...baselines, '--max-regression', 'rtt.p50=20%']);
      assert.equal((await slow.exited).code, 7, slow.stderr());
      assert.match(slow.stderr(), /rule for gate\/50c: significance \(5 result\(s\) vs 5 baseline\(s\)\)/);
      assert.match(
        slow.stderr(),
        /REGRESSED gate\/50c rtt\.p50: median \d+ -> \d+ \(1\.\d\d× \[1\.\d\d–1\.\d\d\], p 0\.008, slower, limit \+20%: significantly worse and beyond the limit\)/,
      );

      const bitSlower = spawnCli(['report', ...five(1.1), ...baselines, '--max-regression', 'rtt.p50=20%']);
      assert.equal((await bitSlower.exited).code, 0, bitSlower.stderr());
      assert.match(bitSlower.stderr(), /ok\s+gate\/50c rtt\.p50: .*slower, limit \+20%: significantly worse but within the limit/);

      // Beyond a tight limit but not significant: the samples interleave.
      const noisy = [0.5, 0.9, 1.1, 1.5, 2].map((k) => variant((d) => (d.summary.rttUs.p50 = Math.round(p50 * k))));
      const noise = spawnCli(['report', ...noisy, ...five(1).flatMap((f) => ['--baseline', f]), '--max-regression', 'rtt.p50=1%']);
      assert.equal((await noise.exited).code, 0, noise.stderr());
      assert.match(noise.stderr(), /ok\s+gate\/50c rtt\.p50: .*~, limit \+1%: (beyond the limit but )?not significantly worse/);

      const single = spawnCli(['report', five(1.5)[0], ...baselines, '--max-regression', 'rtt.p50=20%']);
      assert.equal((await single.exited).code, 7, single.stderr());
      assert.match(single.stderr(), /rule for gate\/50c: single results \(1 result\(s\) vs 5 baseline\(s\)\): significance unknown/);
      assert.match(single.stderr(), /REGRESSED gate\/50c rtt\.p50: \d+ -> \d+ \(\+\d+\.\d%, limit \+20%\)/);
    },
  );

  it('--log-level: info says where the report went, silent says nothing, debug lists the files read', { timeout: 30_000 }, async () => {
    const out = path.join(tempDir(), 'r.md');
    const info = spawnCli(['report', resultFile, '--format', 'md', '--out', out]);
    assert.equal((await info.exited).code, 0, info.stderr());
    assert.match(info.stderr(), /wrote the md report to/);
    const silent = spawnCli(['report', resultFile, '--format', 'md', '--out', out, '--log-level', 'silent']);
    assert.equal((await silent.exited).code, 0);
    assert.equal(silent.stderr(), '');
    const debug = spawnCli(['report', resultFile, '--log-level', 'debug']);
    assert.equal((await debug.exited).code, 0);
    assert.match(debug.stderr(), /"msg":"read [^"]+\.json"/);
    const bad = spawnCli(['report', resultFile, '--log-level', 'loud']);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /--log-level.*loud.*\[WSB_ERR_USAGE\]/);
  });
});
