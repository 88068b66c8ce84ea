/**
 * Templated runs (--message, --reply-id, --on-open, --await) against servers written here that do
 * something else than echo (test/fixtures/rpc-server.mjs): each counts what it did per connection,
 * and the run's counts must match exactly. The server's first connections are the trial connection
 * and, unless --no-check, the conformance check's: both finish before the load's connections open.
 * One server is written in another language: Python's `websockets` (test/fixtures/rpc-server.py).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtures.js';
import { readRun, splitCsvLine, tempDir } from '../helpers/results.js';
import { looseSelfCheckProfile } from '../helpers/self-check-profile.js';
import { CSV_COLUMNS } from '../../src/result-files/csv.js';
import { EXIT } from '../../src/contract/exit-codes.js';
import type { ResultDocument } from '../../src/contract/result.js';

const fixtures = new Set<FixtureServer>();
after(async () => {
  await Promise.all([...fixtures].map((f) => f.stop()));
  await killAll();
});

/** What the fixture did on one connection. */
interface ConnStats {
  messages: number;
  answered: number;
  unanswered: number;
  pushes: number;
  reordered: number;
  duplicates: number;
  unknown: number;
  beforeReady: number;
  logins: number;
}

const RPC = '{"jsonrpc":"2.0","id":{id},"method":"ping","params":{"seq":{seq},"conn":{conn}}}';

interface Run {
  doc: ResultDocument;
  csv: string;
  stdout: string;
  exit: number | null;
  /** The fixture's counts for the load's own connections (its trial and check connections left out). */
  conns: ConnStats[];
  why: string;
}

/** The fixture: rpc-server.mjs on this Node, or its Python twin on Debian's python3-websockets. */
const PYTHON_SERVER = { file: 'rpc-server.py', interpreter: '/usr/bin/python3' };
const pythonMissing = (() => {
  const r = spawnSync(PYTHON_SERVER.interpreter, ['-c', 'import websockets'], { encoding: 'utf8' });
  return r.status === 0 ? false : `Python's websockets is not installed (Debian: python3-websockets): ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`;
})();

async function run(
  serverArgs: string[],
  loadArgs: string[],
  opts: { check: boolean; client?: 'lean' | 'ws'; server?: { file: string; interpreter: string } },
): Promise<Run> {
  const server = await startFixtureServer(opts.server?.file ?? 'rpc-server.mjs', serverArgs, opts.server?.interpreter);
  fixtures.add(server);
  const out = tempDir();
  const load = spawnCli([
    'load',
    `ws://127.0.0.1:${server.port}/`,
    '--profile',
    looseSelfCheckProfile(out, { client: opts.client ?? 'lean' }),
    '--clients',
    '20',
    '--rate',
    '5',
    // No warm-up: every message is in the window, so the run's counts are the server's.
    '--duration',
    '2s',
    '--warmup',
    '0s',
    '--grace',
    '1s',
    '--out',
    out,
    ...(opts.check ? [] : ['--no-check']),
    ...loadArgs,
  ]);
  const exit = await load.exited;
  const all = (await (await fetch(`http://127.0.0.1:${server.port}/stats`)).json()) as ConnStats[];
  await server.stop();
  const { doc, csv } = readRun(out);
  const conns = all.slice(opts.check ? 2 : 1);
  const why = `${load.stderr()}\nmessages: ${JSON.stringify(doc.summary.messages)}\nserver: ${JSON.stringify(all)}`;
  return { doc, csv, stdout: load.stdout(), exit: exit.code, conns, why };
}

const total = (conns: ConnStats[], key: keyof ConnStats) => conns.reduce((a, c) => a + c[key], 0);

/** The counts every templated run must agree on with its server. */
function assertCountsMatch(r: Run, skipped = 0): void {
  const m = r.doc.summary.messages;
  assert.equal(m.sent, total(r.conns, 'messages'), `messages sent = messages the server got\n${r.why}`);
  assert.equal(m.sentTotal, m.sent, 'no warm-up: every send is in the window');
  assert.equal(m.received, total(r.conns, 'answered'), `replies matched = messages the server answered\n${r.why}`);
  assert.equal(m.lost, total(r.conns, 'unanswered'), `lost = messages the server never answered\n${r.why}`);
  assert.equal(m.otherMessages, total(r.conns, 'pushes'), `pushes\n${r.why}`);
  assert.equal(m.reorderedReplies, total(r.conns, 'reordered'), `out of order\n${r.why}`);
  assert.equal(m.duplicateReplies, total(r.conns, 'duplicates'), `duplicates\n${r.why}`);
  assert.equal(m.unknownReplies, total(r.conns, 'unknown'), `unknown ids\n${r.why}`);
  assert.equal(m.lateReplies, 0, r.why);
  assert.equal(m.skipped, skipped, r.why);
  assert.equal(r.doc.summary.rttUs.count, m.received, 'every matched reply is timed');
  assert.equal(r.doc.summary.latencyUs?.count, m.received);
}

describe('templated runs against servers that do not echo', { timeout: 300_000 }, () => {
  for (const client of ['lean', 'ws'] as const) {
    it(`${client} client: JSON-RPC ids echoed: every reply matched and timed, the check passes, the run is recorded`, { timeout: 40_000 }, async () => {
      const r = await run([], ['--message', RPC, '--reply-id', '$.id'], { check: true, client });
      assertCountsMatch(r);
      const m = r.doc.summary.messages;
      assert.equal(m.received, m.sent, r.why);
      assert.ok(m.sent >= 20 * 5 * 2 - 20, r.why);
      assert.equal(r.doc.summary.verdict, 'valid', r.why);
      assert.equal(r.exit, EXIT.OK, r.why);
      assert.deepEqual(r.doc.config.message, { template: RPC, encoding: 'utf8', replyId: '$.id', maxInFlight: 16 });
      assert.equal(r.doc.target?.replyStyle, 'reply-id');
      const templated = r.doc.conformance?.checks.find((c) => c.name === 'templated reply');
      assert.ok(templated?.ok, JSON.stringify(r.doc.conformance));
      const [header, row] = r.csv.trim().split('\n').map(splitCsvLine);
      assert.deepEqual(header, [...CSV_COLUMNS]);
      assert.equal(row[CSV_COLUMNS.indexOf('replyId')], '$.id');
      assert.equal(row[CSV_COLUMNS.indexOf('unknownReplies')], '0');
      assert.equal(row[CSV_COLUMNS.indexOf('pushes')], '0');
      assert.match(r.stdout, /reply ids\s*│\s*0 pushes \(no id\), 0 out of order; 0 duplicated, 0 unknown, 0 late \(after --max-in-flight dropped 0\)/);
    });
  }

  it('a server that needs a greeting, a login and a subscribe: nothing is sent before, and the opening is recorded', { timeout: 40_000 }, async () => {
    const opening = [
      '--await',
      '^Welcome',
      '--on-open',
      '{"method":"login","user":"u{conn}"}',
      '--await',
      'logged-in',
      '--on-open',
      '{"method":"subscribe"}',
      '--await',
      '"subscribed"',
    ];
    const r = await run(['--login', '--greeting', 'Welcome!'], ['--message', RPC, '--reply-id', '$.id', ...opening], { check: true });
    assertCountsMatch(r);
    assert.equal(total(r.conns, 'beforeReady'), 0, `no message before the opening ended\n${r.why}`);
    assert.equal(total(r.conns, 'logins'), 20, r.why);
    assert.equal(r.doc.summary.connections.established, 20);
    assert.equal(r.doc.summary.verdict, 'valid', r.why);
    assert.deepEqual(r.doc.config.opening, [
      { await: '^Welcome' },
      { send: '{"method":"login","user":"u{conn}"}' },
      { await: 'logged-in' },
      { send: '{"method":"subscribe"}' },
      { await: '"subscribed"' },
    ]);
    const check = r.doc.conformance?.checks.find((c) => c.name === 'opening conversation');
    assert.ok(check?.ok, JSON.stringify(r.doc.conformance));
  });

  it('connections whose login is never answered fail with opening-timeout within --connect-timeout', { timeout: 40_000 }, async () => {
    // The trial and check connections, then 5 of the load's: the other 15 never get their answer.
    const r = await run(
      ['--login', '--login-answers', '7'],
      [
        ...['--message', RPC, '--reply-id', '$.id', '--connect-timeout', '1s'],
        ...['--on-open', '{"method":"login"}', '--await', 'logged-in', '--on-open', '{"method":"subscribe"}', '--await', 'subscribed'],
      ],
      { check: true },
    );
    const c = r.doc.summary.connections;
    assert.equal(c.established, 5, r.why);
    assert.equal(c.failed, 15, r.why);
    assert.deepEqual(c.failuresByCause, { 'opening-timeout': 15 }, r.why);
    // The failed connections' scheduled sends are skipped (10 each: 5 msg/s over 2 s).
    assertCountsMatch({ ...r, conns: r.conns.slice(0, 5) }, 15 * 10);
    assert.equal(r.doc.summary.verdict, 'target-errors', r.why);
    assert.equal(r.exit, EXIT.TARGET_ERRORS, r.why);
  });

  it('connections the server closes during their opening fail with opening-closed', { timeout: 40_000 }, async () => {
    const r = await run(
      ['--login', '--login-answers', '7', '--login-close'],
      [
        ...['--message', RPC, '--reply-id', '$.id'],
        ...['--on-open', '{"method":"login"}', '--await', 'logged-in', '--on-open', '{"method":"subscribe"}', '--await', 'subscribed'],
      ],
      { check: true },
    );
    const c = r.doc.summary.connections;
    assert.equal(c.established, 5, r.why);
    assert.deepEqual(c.failuresByCause, { 'opening-closed': 15 }, r.why);
    assert.deepEqual(r.doc.summary.unexpectedClosesByCode, {}, 'a connection that never got ready is a failed attempt, not an unexpected close');
    assertCountsMatch({ ...r, conns: r.conns.slice(0, 5) }, 15 * 10);
  });

  it("the Pong server's greeting, awaited as an opening, with the probe: the greeting is not a push", { timeout: 40_000 }, async () => {
    const server = await startServe(['--mode', 'pong']);
    const out = tempDir();
    const load = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      ...['--profile', looseSelfCheckProfile(out), '--clients', '10', '--rate', '5', '--duration', '2s', '--warmup', '0s', '--grace', '1s', '--out', out],
      ...['--await', '^Hello Client, you connected to /$'],
    ]);
    const exit = await load.exited;
    await server.stop();
    const { doc } = readRun(out);
    const why = `${load.stderr()}\n${JSON.stringify(doc.summary.messages)}`;
    assert.equal(exit.code, EXIT.OK, why);
    assert.equal(doc.summary.messages.received, doc.summary.messages.sent, why);
    assert.equal(doc.summary.messages.otherMessages, 0, `each greeting was the opening's\n${why}`);
    assert.equal(doc.summary.messages.unknownReplies, undefined, 'a probe run has no templated counters');
    assert.deepEqual(doc.config.opening, [{ await: '^Hello Client, you connected to /$' }]);
    const check = doc.conformance?.checks.find((c) => c.name === 'opening conversation');
    assert.ok(check?.ok, JSON.stringify(doc.conformance));
  });

  it('a server that answers out of order: counted and measured, not an error', { timeout: 40_000 }, async () => {
    const r = await run(['--reorder'], ['--message', RPC, '--reply-id', '$.id'], { check: false });
    assertCountsMatch(r);
    assert.ok((r.doc.summary.messages.reorderedReplies ?? 0) > 0, r.why);
    assert.equal(r.doc.summary.verdict, 'valid', r.why);
    assert.equal(r.exit, EXIT.OK, r.why);
  });

  it('a server that pushes updates between replies ({seq} and a regex rule): pushes counted, not errors', { timeout: 40_000 }, async () => {
    const bySeq = '{"jsonrpc":"2.0","id":{seq},"method":"ping","params":{"seq":{seq}}}';
    const r = await run(['--push-every', '3'], ['--message', bySeq, '--reply-id', '"id":(\\d+)'], { check: false });
    assertCountsMatch(r);
    assert.ok(r.doc.summary.messages.otherMessages > 0, r.why);
    assert.equal(r.doc.summary.verdict, 'valid', r.why);
    assert.equal(r.exit, EXIT.OK, r.why);
  });

  it('a server that never answers every 5th id: lost exactly, and the in-flight cap drops them once', { timeout: 40_000 }, async () => {
    const cap = 4;
    const s = await run(['--drop-every', '5'], ['--message', RPC, '--reply-id', '$.id', '--max-in-flight', String(cap)], { check: false });
    assertCountsMatch(s);
    const m = s.doc.summary.messages;
    assert.ok(m.lost > 0, s.why);
    // Message seq (every 5th: 4, 9, …) is dropped when seq + cap goes out on its connection.
    const dropped = s.conns.reduce((a, c) => {
      let n = 0;
      for (let seq = 4; seq + cap <= c.messages - 1; seq += 5) n++;
      return a + n;
    }, 0);
    assert.equal(m.droppedInFlight, dropped, s.why);
    assert.equal(s.doc.summary.verdict, 'target-errors', s.why);
    assert.equal(s.exit, EXIT.TARGET_ERRORS, s.why);
  });

  it('a server that answers some ids twice and sends ids never sent: duplicates and unknown ids are errors', { timeout: 40_000 }, async () => {
    const r = await run(['--duplicate-every', '3', '--unknown-every', '4'], ['--message', RPC, '--reply-id', '$.id'], { check: false });
    assertCountsMatch(r);
    const m = r.doc.summary.messages;
    assert.ok((m.duplicateReplies ?? 0) > 0 && (m.unknownReplies ?? 0) > 0, r.why);
    assert.equal(r.doc.summary.verdict, 'target-errors', r.why);
    assert.match(r.doc.summary.verdictReasons.join('\n'), new RegExp(`^${m.unknownReplies} reply\\(ies\\) carried an id not in flight`, 'm'));
    assert.equal(r.exit, EXIT.TARGET_ERRORS, r.why);
  });

  it(
    "a server in another language (Python's websockets): login, subscribe, pushes and unanswered ids, counted exactly",
    { timeout: 40_000, skip: pythonMissing },
    async () => {
      const opening = ['--on-open', '{"method":"login"}', '--await', 'logged-in', '--on-open', '{"method":"subscribe"}', '--await', 'subscribed'];
      const r = await run(['--login', '--push-every', '3', '--drop-every', '7'], ['--message', RPC, '--reply-id', '$.id', ...opening], {
        check: true,
        server: PYTHON_SERVER,
      });
      assertCountsMatch(r);
      const m = r.doc.summary.messages;
      assert.ok(m.otherMessages > 0 && m.lost > 0, r.why);
      assert.equal(total(r.conns, 'beforeReady'), 0, r.why);
      assert.equal(total(r.conns, 'logins'), 20, r.why);
      assert.equal(r.doc.summary.verdict, 'target-errors', `the unanswered ids are lost replies\n${r.why}`);
    },
  );
});
