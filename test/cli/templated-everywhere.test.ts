/**
 * A templated run with an opening conversation everywhere a load runs: `compare` (from a profile),
 * `capacity` (from load's flags) and shards merged by `merge`. The server is the JSON-RPC fixture
 * (test/fixtures/rpc-server.mjs) that wants a login and a subscribe; each result must record the
 * template, the rule and the opening, and the conformance check must check the templated reply.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, killAll, REPO_ROOT } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtures.js';
import type { ResultDocument } from '../../src/contract/result.js';
import type { CapacityDocument } from '../../src/capacity/capacity-report.js';

const fixtures = new Set<FixtureServer>();
after(async () => {
  await Promise.all([...fixtures].map((f) => f.stop()));
  await killAll();
});

const RPC = '{"jsonrpc":"2.0","id":{id},"method":"ping"}';
const OPENING = [{ send: '{"method":"login"}' }, { await: 'logged-in' }, { send: '{"method":"subscribe"}' }, { await: 'subscribed' }];
const OPENING_FLAGS = ['--on-open', '{"method":"login"}', '--await', 'logged-in', '--on-open', '{"method":"subscribe"}', '--await', 'subscribed'];
const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'rpc-server.mjs');
/** Loose self-check limits: a busy shared host must not turn these runs into client-saturated. */
const LOOSE = { maxSendLagP99Ms: 2000, maxEventLoopDelayP99Ms: 2000 };

function resultDocs(dir: string): ResultDocument[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('compare') && !f.startsWith('failed-checks'))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ResultDocument)
    .filter((d) => d.config !== undefined);
}

describe('templated runs in compare, capacity and shards', { timeout: 240_000 }, () => {
  it(
    'compare takes the template and opening from the profile; a server failing the templated conformance check is named with what came back',
    { timeout: 60_000 },
    async () => {
      const dir = tempDir('wsb-rpc-profile-');
      const profile = path.join(dir, 'rpc.json');
      writeFileSync(
        profile,
        JSON.stringify({ clients: 10, rate: 5, duration: '2s', warmup: '0s', grace: '1s', message: RPC, replyId: '$.id', opening: OPENING, ...LOOSE }),
      );
      const out = tempDir('wsb-compare-rpc-');
      const p = spawnCli([
        'compare',
        '--server',
        `rpc=node ${FIXTURE} --login --port {port}`,
        // Answers no message at all: the conformance check's templated message gets no reply with id 0.
        '--server',
        `mute=node ${FIXTURE} --login --drop-every 1 --port {port}`,
        '--profiles',
        profile,
        '--repeat',
        '1',
        '--out',
        out,
        '--log-level',
        'warn',
      ]);
      const exit = await p.exited;
      assert.equal(exit.code, 3, `a server failed the conformance check: exit 3\n${p.stderr()}`);
      const docs = resultDocs(out);
      assert.equal(docs.length, 1, p.stderr());
      const doc = docs[0];
      assert.deepEqual(doc.config.message, { template: RPC, encoding: 'utf8', replyId: '$.id', maxInFlight: 16 });
      assert.deepEqual(doc.config.opening, OPENING);
      // The check that ran before the load is in the result, with the templated reply it found.
      assert.equal(doc.conformance?.ok, true, JSON.stringify(doc.conformance));
      const m = doc.summary.messages;
      assert.ok(m.sent > 0 && m.received === m.sent && m.unknownReplies === 0 && m.lost === 0, JSON.stringify(m));
      const failed = JSON.parse(readFileSync(path.join(out, 'failed-checks.json'), 'utf8')) as { server: string; stage: string; reason: string }[];
      assert.deepEqual(
        failed.map((f) => [f.server, f.stage]),
        [['mute', 'check']],
      );
      assert.match(failed[0].reason, /templated reply/);
    },
  );

  it(
    'capacity: every step sends the template after the opening, and records them; a rule that finds no id fails the conformance check (exit 3)',
    { timeout: 90_000 },
    async () => {
      const server = await startFixtureServer('rpc-server.mjs', ['--login']);
      fixtures.add(server);
      const url = `ws://127.0.0.1:${server.port}/`;
      const out = tempDir('wsb-capacity-rpc-');
      const common = ['capacity', url, '--from', '5', '--to', '10', '--rate', '5', '--duration', '2s', '--warmup', '0s', '--message', RPC, ...OPENING_FLAGS];
      const p = spawnCli([...common, '--reply-id', '$.id', '--slo', 'errors==0', '--out', out, '--json']);
      const exit = await p.exited;
      // 5: the shared host's client was the limit (capacity has no profile to loosen its self-check); the steps run are still written.
      assert.ok(exit.code === 0 || exit.code === 5, p.stderr());
      const runs = resultDocs(path.join(out, 'runs'));
      assert.ok(runs.length >= 1, p.stderr());
      for (const doc of runs) {
        assert.equal(doc.config.message?.replyId, '$.id');
        assert.equal(doc.config.message?.template, RPC);
        assert.deepEqual(doc.config.opening, OPENING);
        assert.equal(doc.summary.messages.received, doc.summary.messages.sent, JSON.stringify(doc.summary.messages));
      }
      const capacity = JSON.parse(readFileSync(path.join(out, 'capacity.json'), 'utf8')) as CapacityDocument;
      assert.deepEqual(capacity.settings.messaging, { message: RPC, replyId: '$.id', opening: OPENING });

      const bad = spawnCli([...common, '--reply-id', '$.result.id', '--out', tempDir('wsb-capacity-bad-')]);
      const badExit = await bad.exited;
      assert.equal(badExit.code, 3, bad.stderr());
      assert.match(bad.stderr(), /did not answer the templated message with id 0 \(by --reply-id \$\.result\.id\)/);
      assert.match(bad.stderr(), /\\"result\\":\\"pong\\"/, 'says what came back instead');
    },
  );

  it('shards of a templated run each record the template, and merge adds their counts up', { timeout: 60_000 }, async () => {
    const server = await startFixtureServer('rpc-server.mjs', ['--login']);
    fixtures.add(server);
    const url = `ws://127.0.0.1:${server.port}/`;
    const startAt = new Date(Date.now() + 5000).toISOString();
    const dir = tempDir('wsb-rpc-shard-profile-');
    const profile = path.join(dir, 'rpc.json');
    writeFileSync(
      profile,
      JSON.stringify({ clients: 10, rate: 5, duration: '2s', warmup: '0s', grace: '1s', message: RPC, replyId: '$.id', opening: OPENING, ...LOOSE }),
    );
    const shards = [0, 1].map((i) => {
      const out = tempDir(`wsb-rpc-shard${i}-`);
      return { out, p: spawnCli(['load', url, '--profile', profile, '--shard', `${i}/2`, '--start-at', startAt, '--out', out]) };
    });
    const files: string[] = [];
    const docs: ResultDocument[] = [];
    for (const s of shards) {
      assert.equal((await s.p.exited).code, 0, s.p.stderr());
      const run = readRun(s.out);
      files.push(
        path.join(
          s.out,
          run.files.find((f) => f.endsWith('.json'))!,
        ),
      );
      docs.push(run.doc);
      assert.deepEqual(run.doc.config.opening, OPENING);
      assert.equal(run.doc.config.message?.template, RPC);
    }
    const out = tempDir('wsb-rpc-merged-');
    const m = spawnCli(['merge', ...files, '--out', out]);
    assert.equal((await m.exited).code, 0, m.stderr());
    const merged = readRun(out).doc;
    assert.equal(merged.config.message?.template, RPC);
    assert.deepEqual(merged.config.opening, OPENING);
    assert.match(m.stdout(), /templated messages \(--reply-id \$\.id\)/, 'the summary names the rule, not a payload size');
    const sum = (k: 'sent' | 'received' | 'lost' | 'unknownReplies' | 'otherMessages') => docs.reduce((a, d) => a + (d.summary.messages[k] ?? 0), 0);
    for (const k of ['sent', 'received', 'lost', 'unknownReplies', 'otherMessages'] as const) assert.equal(merged.summary.messages[k], sum(k), k);
    assert.equal(merged.summary.messages.received, merged.summary.messages.sent);
    assert.equal(merged.summary.rttUs.count, merged.summary.messages.received);
  });
});
