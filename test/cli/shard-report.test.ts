import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnCli, startServe, killAll, type StartedServer } from '../helpers/cli.js';
import { readRun, splitCsvLine, tempDir } from '../helpers/results.js';

after(killAll);

const RUN = ['--clients', '40', '--rate', '5', '--duration', '2s', '--warmup', '1s', '--grace', '1s', '--name', 'run'];

describe('shards and their merged result in merge and report', { timeout: 120_000 }, () => {
  let server: StartedServer;
  const shardFiles: string[] = [];
  const shardStdout: string[] = [];
  let mergedFile = '';
  let mergeStdout = '';
  let mergeStderr = '';

  before(async () => {
    server = await startServe([]);
    const url = `ws://127.0.0.1:${server.port}/`;
    const startAt = new Date(Date.now() + 6000).toISOString();
    const shards = [0, 1].map((i) => {
      const out = tempDir(`wsb-shard${i}-`);
      return { out, p: spawnCli(['load', url, ...RUN, '--shard', `${i}/2`, '--start-at', startAt, '--server-pid', String(server.pid), '--out', out]) };
    });
    for (const s of shards) {
      assert.equal((await s.p.exited).code, 0, s.p.stderr());
      shardStdout.push(s.p.stdout());
      shardFiles.push(
        path.join(
          s.out,
          readRun(s.out).files.find((f) => f.endsWith('.json'))!,
        ),
      );
    }
    const out = tempDir('wsb-merged-');
    const m = spawnCli(['merge', ...shardFiles, '--out', out, '--log-level', 'debug']);
    assert.equal((await m.exited).code, 0, m.stderr());
    mergeStdout = m.stdout();
    mergeStderr = m.stderr();
    mergedFile = path.join(
      out,
      readRun(out).files.find((f) => f.endsWith('.json'))!,
    );
  });

  after(async () => {
    await server?.stop();
  });

  it('the summary header says shards, not processes, for a merged result', () => {
    assert.match(mergeStdout, /40 clients x 5 msg\/s, .* merged from 2 shards \(\d+ load process\(es\) in all\), lean client/);
    assert.doesNotMatch(mergeStdout.split('\n')[0], /\d process\(es\) x/);
    for (const [i, out] of shardStdout.entries()) assert.match(out, new RegExp(`shard ${i}/2: 1 process\\(es\\) x \\d+ thread\\(s\\)`));
  });

  it('merge --log-level debug lists the shards read and says what was merged; silent says nothing', { timeout: 30_000 }, async () => {
    for (const f of shardFiles) assert.ok(mergeStderr.includes(`"msg":"read ${f}"`), mergeStderr);
    assert.match(mergeStderr, /"msg":"merged 2 shards of run; the series' per-second percentiles are the worst shard's/);
    const quiet = spawnCli(['merge', ...shardFiles, '--json', '--log-level', 'silent']);
    assert.equal((await quiet.exited).code, 0, quiet.stderr());
    assert.equal(quiet.stderr(), '');
  });

  it('report keeps shards and the merged result in their own rows instead of calling them repeats', { timeout: 30_000 }, async () => {
    const csv = spawnCli(['report', shardFiles[0], shardFiles[1], mergedFile, '--format', 'csv']);
    assert.equal((await csv.exited).code, 0, csv.stderr());
    const [header, ...rows] = csv.stdout().trim().split('\n').map(splitCsvLine);
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    assert.deepEqual(
      rows.map((r) => col(r, 'run')),
      ['run (shard 0/2)', 'run (shard 1/2)', 'run (merged from 2 shards)'],
    );
    assert.deepEqual(
      rows.map((r) => col(r, 'repeats')),
      ['1', '1', '1'],
    );
    assert.deepEqual(
      rows.map((r) => col(r, 'server')),
      Array(3).fill(`127.0.0.1:${server.port}`),
    );
    // The merged row carries every message; each shard about half.
    const rates = rows.map((r) => Number(col(r, 'messagesPerSec')));
    assert.ok(Math.abs(rates[2] - (rates[0] + rates[1])) < 1, `merged ${rates[2]} vs shards ${rates[0]} + ${rates[1]}`);
    // The same shard given twice is a repeat of itself: one row, two repeats.
    const twice = spawnCli(['report', shardFiles[0], shardFiles[0], '--format', 'csv']);
    assert.equal((await twice.exited).code, 0);
    const [, only] = twice.stdout().trim().split('\n').map(splitCsvLine);
    assert.equal(col(only, 'repeats'), '2');
  });
});
