import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, killAll } from '../helpers/cli.js';
import { splitCsvLine, tempDir } from '../helpers/results.js';
import { chartSpecsIn } from '../helpers/page-charts.js';
import type { ResultDocument } from '../../src/contract/result.js';

after(killAll);

describe('wsbench compare on the smoke profile', { timeout: 240_000 }, () => {
  it('runs node and an external echo server, writes consistent run JSONs, CSV, Markdown and HTML', { timeout: 200_000 }, async () => {
    const out = tempDir('wsb-compare-');
    const p = spawnCli([
      'compare',
      '--runtimes',
      'node',
      '--server',
      'bare=node bench/fixtures/bare-ws-echo.mjs {port}',
      '--profiles',
      'smoke',
      '--repeat',
      '2',
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    const exit = await p.exited;
    // 400 msg/s per run: every run must be valid.
    assert.equal(exit.code, 0, p.stderr());
    assert.match(p.stderr(), /\[1\/4\] node x smoke \(repeat 1\/2\)/, 'progress through the matrix');
    const files = readdirSync(out);
    const runs = files.filter((f) => /-(node|bare)-smoke-r\d\.json$/.test(f)).map((f) => JSON.parse(readFileSync(path.join(out, f), 'utf8')) as ResultDocument);
    assert.equal(runs.length, 4);
    for (const f of ['compare.csv', 'compare.md', 'compare.html']) assert.ok(files.includes(f), f);
    assert.deepEqual(runs.map((r) => r.label!.server).sort(), ['bare', 'bare', 'node', 'node']);
    for (const r of runs) {
      assert.equal(r.summary.connections.established, 200);
      assert.ok(r.summary.server && r.summary.server.rssPeakKb > 0, 'server sampled');
    }

    const [header, ...rows] = readFileSync(path.join(out, 'compare.csv'), 'utf8').trim().split('\n').map(splitCsvLine);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const server = row[header.indexOf('server')];
      const mine = runs
        .filter((r) => r.label!.server === server)
        .map((r) => r.summary.rttUs.p99)
        .sort((a, b) => a - b);
      assert.equal(Number(row[header.indexOf('repeats')]), 2);
      assert.equal(Number(row[header.indexOf('rttP99Us')]), (mine[0] + mine[1]) / 2, 'median of the repeats');
      assert.equal(Number(row[header.indexOf('rttP99MinUs')]), mine[0]);
      assert.equal(Number(row[header.indexOf('rttP99MaxUs')]), mine[1]);
    }
    const md = readFileSync(path.join(out, 'compare.md'), 'utf8');
    assert.match(md, /\| node \| smoke \| 200 \|/);
    assert.match(md, /\| bare \| smoke \| 200 \|/);
    const html = readFileSync(path.join(out, 'compare.html'), 'utf8');
    const charts = chartSpecsIn(html);
    assert.deepEqual(
      charts
        .filter((c) => c.cls === 'latency')
        .flatMap((c) => c.series.map((s) => s.label))
        .sort(),
      ['bare', 'node'],
      'a percentile curve per server',
    );
    const rss = charts.find((c) => c.cls === 'rss');
    assert.equal(
      rss?.data
        .slice(1)
        .flat()
        .filter((v) => v !== null).length,
      2,
      'a bar per server',
    );
    assert.match(p.stdout(), /compare\.html/);
  });

  it('a server that fails the conformance check is not measured and the exit code says so', { timeout: 60_000 }, async () => {
    const out = tempDir('wsb-compare-');
    // A TCP server that accepts and never answers the handshake.
    const p = spawnCli([
      'compare',
      '--runtimes',
      'node',
      '--server',
      `mute=node -e "require('net').createServer(()=>{}).listen({port},'127.0.0.1')"`,
      '--profiles',
      'smoke',
      '--repeat',
      '1',
      '--out',
      out,
    ]);
    const exit = await p.exited;
    assert.equal(exit.code, 3, p.stderr());
    const failed = JSON.parse(readFileSync(path.join(out, 'failed-checks.json'), 'utf8')) as { server: string }[];
    assert.equal(failed[0].server, 'mute');
    assert.ok(
      readdirSync(out).some((f) => /-node-smoke-r1\.json$/.test(f)),
      'the other server was still measured',
    );
  });

  it('a runtime that does not run (blocked postinstall) is one clear error; compare keeps the runs that finished (exit 8)', { timeout: 90_000 }, async () => {
    // What node_modules/.bin/bun is when bun's install script never ran: a stub that fails.
    const dir = tempDir('wsb-fake-bun-');
    const fake = path.join(dir, 'bun');
    writeFileSync(fake, '#!/bin/sh\necho "bun: the postinstall script did not run" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const env = { WSBENCH_BUN: fake };
    const serve = spawnCli(['serve', '--runtime', 'bun', '--port', '0'], { env });
    assert.equal((await serve.exited).code, 4, serve.stderr());
    assert.match(
      serve.stderr(),
      /--runtime bun: .*does not run \(`bun --version`: bun: the postinstall script did not run\) \[WSB_ERR_RUNTIME_NOT_FOUND\]\n {2}hint: .*npm rebuild bun/,
    );
    assert.doesNotMatch(serve.stderr(), /^\s+at /m);

    const out = tempDir('wsb-compare-');
    const p = spawnCli(['compare', '--runtimes', 'node,bun', '--profiles', 'smoke', '--repeat', '1', '--out', out], { env });
    const exit = await p.exited;
    assert.equal(exit.code, 8, p.stderr());
    const csv = readFileSync(path.join(out, 'compare.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 2, 'the node row');
    assert.match(csv[1], /^node,/);
    const failed = JSON.parse(readFileSync(path.join(out, 'failed-checks.json'), 'utf8')) as { server: string; stage: string }[];
    assert.deepEqual(
      failed.map((f) => [f.server, f.stage]),
      [['bun', 'start']],
    );
  });
});
