import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, startServe, killAll, type StartedServer } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { mergeEncoded, summarize } from '../../src/metrics/histograms.js';
import type { ResultDocument } from '../../src/contract/result.js';

after(killAll);

const RUN = ['--clients', '90', '--rate', '5', '--duration', '2s', '--warmup', '1s', '--grace', '1s'];

describe('sharded load and exact merge', { timeout: 180_000 }, () => {
  let server: StartedServer;
  const shardFiles: string[] = [];
  const shardDocs: ResultDocument[] = [];
  let whole: ResultDocument;

  before(async () => {
    server = await startServe([]);
    const url = `ws://127.0.0.1:${server.port}/`;
    const startAt = new Date(Date.now() + 8000).toISOString();
    // Three shards at once against one server, lined up by a shared --start-at.
    const shards = [0, 1, 2].map((i) => {
      const out = tempDir(`wsb-shard${i}-`);
      return { out, p: spawnCli(['load', url, ...RUN, '--shard', `${i}/3`, '--start-at', startAt, '--name', 'run', '--out', out]) };
    });
    for (const s of shards) {
      const exit = await s.p.exited;
      // 450 msg/s per shard, three shards at once: small enough to be valid even on two cores.
      assert.equal(exit.code, 0, s.p.stderr());
      const run = readRun(s.out);
      shardDocs.push(run.doc);
      shardFiles.push(
        path.join(
          s.out,
          run.files.find((f) => f.endsWith('.json'))!,
        ),
      );
    }
    const wholeOut = tempDir('wsb-whole-');
    const w = spawnCli(['load', url, ...RUN, '--out', wholeOut]);
    await w.exited;
    whole = readRun(wholeOut).doc;
  });

  after(async () => {
    await server?.stop();
  });

  it('each shard runs its own third, marked with its shard', () => {
    assert.deepEqual(
      shardDocs.map((d) => d.config.shard),
      [
        { index: 0, count: 3 },
        { index: 1, count: 3 },
        { index: 2, count: 3 },
      ],
    );
    for (const d of shardDocs) {
      assert.equal(d.summary.connections.target, 30);
      assert.equal(d.summary.connections.established, 30);
      assert.equal(d.summary.messages.sent, 30 * 5 * 2, 'every client sends rate x duration in the window');
    }
  });

  it('the merged result counts what the whole run counts, with percentiles of the union of samples', async () => {
    const out = tempDir('wsb-merged-');
    const p = spawnCli(['merge', ...shardFiles, '--out', out]);
    assert.equal((await p.exited).code, 0, p.stderr());
    const merged = readRun(out).doc;
    assert.equal(merged.config.shard, null);
    assert.equal(merged.mergedFrom?.length, 3);
    assert.equal(merged.summary.connections.target, whole.summary.connections.target);
    assert.equal(merged.summary.connections.established, whole.summary.connections.established);
    assert.equal(merged.summary.messages.sent, whole.summary.messages.sent);
    assert.equal(merged.summary.messages.received, merged.summary.messages.sent - merged.summary.messages.lost);
    assert.equal(
      merged.summary.messages.sent,
      shardDocs.reduce((n, d) => n + d.summary.messages.sent, 0),
    );
    // Exact: the union's histogram, built here from the shards' own encoded histograms.
    const union = mergeEncoded(shardDocs.map((d) => d.histograms.rttUs));
    assert.deepEqual(merged.summary.rttUs, summarize(union));
    assert.equal(
      merged.summary.rttUs.count,
      shardDocs.reduce((n, d) => n + d.summary.rttUs.count, 0),
    );
    const raw = mergeEncoded(shardDocs.map((d) => d.histograms.rttRawUs));
    assert.deepEqual(merged.summary.rttRawUs, summarize(raw));
    assert.ok(merged.series.length > 0);
    assert.ok(
      merged.series.some((e) => e.connected === 90),
      'series aligned by time: all 90 connected in the same second',
    );
    const json = spawnCli(['merge', ...shardFiles, '--json']);
    assert.equal((await json.exited).code, 0);
    assert.deepEqual((JSON.parse(json.stdout()) as ResultDocument).summary, merged.summary);
  });

  it('rejects missing, duplicated and foreign shards', async () => {
    const missing = spawnCli(['merge', shardFiles[0], shardFiles[1]]);
    assert.equal((await missing.exited).code, 2);
    assert.match(missing.stderr(), /shard\(s\) 2\/3 missing.*\[WSB_ERR_MERGE\]/);
    const twice = spawnCli(['merge', shardFiles[0], shardFiles[1], shardFiles[1], shardFiles[2]]);
    assert.equal((await twice.exited).code, 2);
    assert.match(twice.stderr(), /shard 1\/3 given twice/);
    const foreign = JSON.parse(readFileSync(shardFiles[2], 'utf8')) as ResultDocument;
    foreign.config.clients = 91;
    const foreignFile = path.join(tempDir(), 'foreign.json');
    writeFileSync(foreignFile, JSON.stringify(foreign));
    const mixed = spawnCli(['merge', shardFiles[0], shardFiles[1], foreignFile]);
    assert.equal((await mixed.exited).code, 2);
    assert.match(mixed.stderr(), /belong to different runs: clients is 91 vs 90/);
    const notShard = spawnCli(['merge', path.join(path.dirname(shardFiles[0]), '..', 'nope.json')]);
    assert.equal((await notShard.exited).code, 2);
  });

  it('--shard is validated', async () => {
    const p = spawnCli(['load', 'ws://127.0.0.1:9/', '--shard', '3/3']);
    assert.equal((await p.exited).code, 2);
    assert.match(p.stderr(), /--shard.*must be i\/n with 0 <= i < n/);
  });
});
