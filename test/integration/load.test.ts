import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnCli, startServe, killAll, runWindow } from '../helpers/cli.js';
import { startEchoServer, type FixtureServer } from '../helpers/fixtures.js';
import { readRun, splitCsvLine, tempDir } from '../helpers/results.js';
import { looseSelfCheckProfile } from '../helpers/self-check-profile.js';
import { CSV_COLUMNS } from '../../src/result-files/csv.js';
import type { ResultDocument, Verdict } from '../../src/contract/result.js';

// Fixture servers too: one left running after a failed test keeps the test runner alive.
const fixtures = new Set<FixtureServer>();
after(async () => {
  await Promise.all([...fixtures].map((f) => f.stop()));
  await killAll();
});

async function echoServer(args: string[] = []): Promise<FixtureServer> {
  const server = await startEchoServer(args);
  fixtures.add(server);
  return server;
}

const LATENCY_KEYS = ['count', 'min', 'mean', 'p50', 'p90', 'p99', 'p999', 'p9999', 'max'];

function assertContract(doc: ResultDocument, verdict: Verdict): void {
  assert.equal(doc.schemaVersion, 1);
  assert.equal(doc.tool.name, 'wsbench');
  assert.ok(doc.tool.version);
  for (const k of ['url', 'clients', 'ratePerClient', 'durationS', 'warmupS', 'payloadBytes', 'threads', 'processes'])
    assert.ok(k in doc.config, `config.${k}`);
  for (const k of ['cpuModel', 'cores', 'memTotalBytes', 'kernel', 'node', 'fdLimit', 'portRange', 'commandLine'])
    assert.ok(k in doc.environment, `environment.${k}`);
  for (const k of ['target', 'established', 'failed', 'failuresByCause']) assert.ok(k in doc.summary.connections, `connections.${k}`);
  for (const k of ['sent', 'received', 'lost', 'ratePerSec']) assert.ok(k in doc.summary.messages, `messages.${k}`);
  for (const h of ['rttUs', 'rttRawUs', 'sendLagUs', 'connectUs'] as const) assert.deepEqual(Object.keys(doc.summary[h]).sort(), [...LATENCY_KEYS].sort(), h);
  for (const k of ['rssPeakKb', 'rssPerConnectionKb', 'cpuPercentMean', 'eventLoopDelayP99Us']) assert.ok(k in doc.summary.client, `client.${k}`);
  assert.ok('server' in doc.summary);
  assert.equal(doc.summary.verdict, verdict, doc.summary.verdictReasons.join('; '));
  assert.equal(doc.summary.verdictReasons.length === 0, verdict === 'valid', 'reasons exactly when the run is not valid');
  assert.ok(Array.isArray(doc.series) && doc.series.length > 0);
  for (const h of ['rttUs', 'rttRawUs', 'sendLagUs', 'connectUs'] as const) assert.equal(typeof doc.histograms[h], 'string');
  assert.equal(typeof doc.interrupted, 'boolean');
}

describe('wsbench load against real servers', { timeout: 120_000 }, () => {
  it('300 clients × 5 msg/s against wsbench serve: all connect, every message answered, files written', { timeout: 60_000 }, async () => {
    const server = await startServe([]);
    const out = tempDir();
    const load = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '300',
      '--rate',
      '5',
      ...runWindow('3s'),
      '--server-pid',
      String(server.pid),
      '--out',
      out,
      '--name',
      'itest',
      '--profile',
      looseSelfCheckProfile(tempDir('wsb-profile-')),
    ]);
    const exit = await load.exited;
    const { doc, csv, hgrm } = readRun(out);
    // 1 500 msg/s is far below what one client thread sustains, and the self-check limits are loose
    // (a busy shared host must not make it client-saturated): anything but valid is a bug.
    assertContract(doc, 'valid');
    const s = doc.summary;
    assert.equal(s.connections.established, 300);
    assert.equal(s.connections.failed, 0);
    assert.ok(s.messages.sent > 0);
    assert.equal(s.messages.sent, s.messages.received + s.messages.lost);
    assert.equal(s.messages.lost, 0, 'every message answered within the grace period');
    assert.equal(s.rttUs.count, s.messages.received);
    assert.equal(doc.target?.replyStyle, 'pong');
    assert.match(doc.target?.greeting ?? '', /^Hello Client, you connected to \//);
    assert.ok(s.messages.otherMessages >= 300, 'greetings are counted, not measured');
    assert.deepEqual(s.unexpectedClosesByCode, {});
    assert.ok(s.server && s.server.pid === server.pid && s.server.rssPeakKb > 0);
    assert.equal(exit.code, 0, load.stderr());

    const lines = csv.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(splitCsvLine(lines[0]), [...CSV_COLUMNS]);
    const row = splitCsvLine(lines[1]);
    assert.equal(row.length, CSV_COLUMNS.length);
    assert.equal(row[CSV_COLUMNS.indexOf('established')], '300');
    assert.equal(row[CSV_COLUMNS.indexOf('sent')], String(s.messages.sent));

    assert.match(hgrm, /Value\s+Percentile\s+TotalCount/);
    assert.match(hgrm, /#\[Mean\s+=/);
    assert.match(hgrm, new RegExp(`#\\[Max\\s+=.*Total count\\s+=\\s+${s.messages.received}\\]`));
    await server.stop();
  });

  it('also measures a plain ws echo server (replies without the Pong prefix)', { timeout: 60_000 }, async () => {
    const echo = await echoServer();
    const out = tempDir();
    const profile = looseSelfCheckProfile(tempDir('wsb-profile-'));
    const load = spawnCli([
      'load',
      `ws://127.0.0.1:${echo.port}/`,
      '--clients',
      '200',
      '--rate',
      '5',
      ...runWindow('3s'),
      '--profile',
      profile,
      '--out',
      out,
      '--json',
    ]);
    const exit = await load.exited;
    const doc = JSON.parse(load.stdout()) as ResultDocument;
    assertContract(doc, 'valid');
    assert.equal(doc.target?.replyStyle, 'echo');
    assert.equal(doc.target?.greeting, null);
    assert.equal(doc.summary.connections.established, 200);
    assert.equal(doc.summary.messages.lost, 0);
    assert.equal(doc.summary.messages.sent, doc.summary.messages.received);
    assert.equal(doc.summary.server, null);
    assert.equal(exit.code, 0, load.stderr());
    assert.deepEqual(readRun(out).doc.summary, doc.summary, 'the file and --json are the same document');
    await echo.stop();
  });

  it('coordinated omission: a 500 ms server stall shows in corrected rtt p99, raw p50 stays low', { timeout: 60_000 }, async () => {
    // 50 clients × 20 msg/s; the server blocks its loop for 500 ms about 2 s after the first message.
    const echo = await echoServer(['--stall-after-ms', '2200', '--stall-ms', '500']);
    const out = tempDir();
    const load = spawnCli(['load', `ws://127.0.0.1:${echo.port}/`, '--clients', '50', '--rate', '20', ...runWindow('4s'), '--threads', '1', '--out', out]);
    await load.exited;
    const { doc } = readRun(out);
    const s = doc.summary;
    assert.equal(s.messages.lost, 0);
    assert.ok(s.rttUs.p99 >= 250_000, `corrected p99 ${s.rttUs.p99} µs should reflect the 500 ms stall`);
    assert.ok(s.rttUs.max >= 400_000, `corrected max ${s.rttUs.max} µs`);
    assert.ok(s.rttRawUs.p50 < 100_000, `raw p50 ${s.rttRawUs.p50} µs stays low`);
    assert.ok(s.sendLagUs.p99 < s.rttUs.p99, "the client kept its schedule: the stall is the server's");
    await echo.stop();
  });

  it('an overloaded single-thread client is reported client-saturated (exit 5)', { timeout: 90_000 }, async () => {
    const echo = await echoServer();
    const out = tempDir();
    // 2 000 clients × 100 msg/s = 200 000 msg/s on one thread: far beyond what one thread can send.
    const load = spawnCli(['load', `ws://127.0.0.1:${echo.port}/`, '--clients', '2000', '--rate', '100', ...runWindow('3s'), '--threads', '1', '--out', out]);
    const exit = await load.exited;
    const { doc } = readRun(out);
    assert.equal(doc.summary.verdict, 'client-saturated', JSON.stringify(doc.summary.verdictReasons));
    assert.ok(doc.summary.verdictReasons.length > 0);
    assert.equal(exit.code, 5);
    assert.match(load.stderr(), /the load generator, not the server, was the limit/);
    await echo.stop();
  });
});
