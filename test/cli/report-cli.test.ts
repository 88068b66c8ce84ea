import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { readRun, tempDir, splitCsvLine } from '../helpers/results.js';
import type { ResultDocument } from '../../src/report/result-schema.js';

after(killAll);

describe('thresholds, reports and the regression gate', { timeout: 120_000 }, () => {
  let resultFile = '';
  let doc: ResultDocument;

  before(async () => {
    const server = await startServe([]);
    const out = tempDir();
    // A limit no run can meet (p99 under 1 µs) must fail the run with exit 7 and say which limit.
    const p = spawnCli(['load', `ws://127.0.0.1:${server.port}/`, '--clients', '50', '--rate', '5', '--duration', '2s', '--warmup', '1s', '--server-pid', String(server.pid), '--out', out, '--name', 'gate', '--threshold', 'rtt.p99<1us', '--threshold', 'errors==0']);
    const exit = await p.exited;
    assert.equal(exit.code, 7, p.stderr());
    assert.match(p.stderr(), /CROSSED rtt\.p99<1us\s+\(actual [\d.]+ ms\)/);
    assert.match(p.stderr(), /ok\s+errors==0/);
    const run = readRun(out);
    doc = run.doc;
    resultFile = path.join(out, run.files.find((f) => f.endsWith('.json'))!);
    await server.stop();
  });

  it('limits that hold keep the verdict\'s exit code; a bad limit is a usage error', { timeout: 60_000 }, async () => {
    const server = await startServe([]);
    const p = spawnCli(['load', `ws://127.0.0.1:${server.port}/`, '--clients', '20', '--rate', '5', '--duration', '1s', '--warmup', '0s', '--out', tempDir(), '--threshold', 'errors==0', '--threshold', 'rtt.p99<60s']);
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
    assert.match(md.stdout(), /^### T\n\n\| server \| tier \|/);
    const htmlFile = path.join(tempDir(), 'r.html');
    const html = spawnCli(['report', resultFile, '--format', 'html', '--out', htmlFile]);
    assert.equal((await html.exited).code, 0);
    const text = readFileSync(htmlFile, 'utf8');
    assert.match(text, /<svg class="chart latency"/);
    assert.match(text, /<path class="curve" data-server="gate"/);
    assert.match(text, /<svg class="chart rss"/);
    assert.doesNotMatch(text, /<script src=|<link [^>]*href="http/, 'nothing loaded from a network');
    const data = JSON.parse(/<script type="application\/json" id="wsbench-data">(.*?)<\/script>/s.exec(text)![1]);
    assert.equal(data.rows[0].rttP99Us, doc.summary.rttUs.p99);
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
    assert.match(gate.stderr(), /REGRESSED gate\/\S+ rtt\.p99: \d+ -> \d+ \(\+1\d\d\.\d%, limit \+10%\)/);
    const notResult = path.join(tempDir(), 'x.json');
    writeFileSync(notResult, '{"hello": 1}');
    const bad = spawnCli(['report', notResult]);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /is not a wsbench result/);
  });
});
