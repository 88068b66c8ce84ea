import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { waitForServerMessages } from '../helpers/server-traffic.js';

after(killAll);

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, `no stack trace expected:\n${stderr}`);
}

describe('wsbench load: errors and exit codes', { timeout: 120_000 }, () => {
  it('unreachable target → exit 3, one clear line', { timeout: 30_000 }, async () => {
    const port = await closedPort();
    const p = spawnCli(['load', `ws://127.0.0.1:${port}/`, '--clients', '5', '--duration', '1s', '--out', tempDir()]);
    const exit = await p.exited;
    assert.equal(exit.code, 3);
    assert.match(p.stderr(), /cannot connect to ws:\/\/127\.0\.0\.1:\d+\/.*\[WSB_ERR_TARGET_UNREACHABLE\]/);
    assert.match(p.stderr(), /hint: is the server running\?/);
    assertNoStack(p.stderr());
  });

  it('a rejected handshake → exit 3 with the HTTP status', { timeout: 30_000 }, async () => {
    const server = await startServe(['--path', '/ws']);
    const p = spawnCli(['load', `ws://127.0.0.1:${server.port}/other`, '--clients', '5', '--duration', '1s', '--out', tempDir()]);
    const exit = await p.exited;
    assert.equal(exit.code, 3);
    assert.match(p.stderr(), /rejected the WebSocket handshake with HTTP 404.*\[WSB_ERR_HANDSHAKE_REJECTED\]/);
    assertNoStack(p.stderr());
    await server.stop();
  });

  it('invalid option values → exit 2 with the reason', { timeout: 60_000 }, async () => {
    const cases: [string[], RegExp][] = [
      [['--clients', '0'], /--clients.*must be at least 1 \(got 0\)/],
      [['--rate', '-1'], /--rate.*must be a number above 0/],
      [['--duration', 'soon'], /--duration.*must be a duration like 30s/],
      [['--payload-size', '10'], /--payload-size must be at least 49 bytes/],
      [['--profile', 'nope'], /profile nope not found/],
      [['--threads', '0'], /--threads.*must be at least 1/],
      [['--server-pid', '999999999'], /--server-pid 999999999: no such process/],
      [['http://example.com/'], /must start with ws:\/\/ or wss:\/\//],
    ];
    for (const [args, re] of cases) {
      const p = spawnCli(['load', ...args]);
      const exit = await p.exited;
      assert.equal(exit.code, 2, `${args.join(' ')}: ${p.stderr()}`);
      assert.match(p.stderr(), re);
      assertNoStack(p.stderr());
    }
  });

  it('preflight: more clients than one process can hold → exit 4 with the fix', { timeout: 30_000 }, async () => {
    const p = spawnCli(['load', 'ws://127.0.0.1:9/', '--clients', '50000', '--processes', '1', '--out', tempDir()]);
    const exit = await p.exited;
    assert.equal(exit.code, 4);
    assert.match(p.stderr(), /open files in one process, but the limit is \d+.*\[WSB_ERR_FD_LIMIT\]/);
    assert.match(p.stderr(), /hint: .*--processes \d+/);
    assertNoStack(p.stderr());
  });

  it('preflight: more connections than ephemeral ports to a non-loopback target → exit 4 naming --local-address', { timeout: 30_000 }, async () => {
    // 192.0.2.1 (TEST-NET-1) is never contacted: the preflight refuses the run first.
    const p = spawnCli(['load', 'ws://192.0.2.1:9/', '--clients', '60000', '--out', tempDir()]);
    const exit = await p.exited;
    assert.equal(exit.code, 4);
    assert.match(p.stderr(), /ephemeral ports per address.*\[WSB_ERR_PORT_RANGE\]/);
    assert.match(p.stderr(), /hint: .*--local-address/);
    assertNoStack(p.stderr());
  });

  it('SIGINT mid-run → partial result with interrupted: true, exit 130', { timeout: 60_000 }, async () => {
    const server = await startServe([]);
    const out = tempDir();
    const p = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '50',
      '--rate',
      '2',
      '--duration',
      '60s',
      '--warmup',
      '1s',
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    // 100 msg/s: 300 received is at least 1 s of warm-up and 2 s of the window.
    await waitForServerMessages(server.port, 300);
    process.kill(p.pid, 'SIGINT');
    const exit = await p.exited;
    assert.equal(exit.code, 130, p.stderr());
    const { doc } = readRun(out);
    assert.equal(doc.interrupted, true);
    assert.equal(doc.summary.connections.established, 50);
    assert.ok(doc.summary.messages.sentTotal > 0);
    // The rate is over the part of the window that ran (~2 s at 100 msg/s), not the 60 s configured.
    assert.ok(doc.summary.messages.ratePerSec > 50, `ratePerSec ${doc.summary.messages.ratePerSec}`);
    assertNoStack(p.stderr());
    await server.stop();
  });

  it('--profile smoke with an override runs and --help lists the flags', { timeout: 60_000 }, async () => {
    const help = spawnCli(['load', '--help']);
    assert.equal((await help.exited).code, 0);
    for (const flag of [
      '--clients',
      '--rate',
      '--duration',
      '--warmup',
      '--connect-rate',
      '--payload-size',
      '--protocol',
      '--deflate',
      '--header',
      '--origin',
      '--threads',
      '--profile',
      '--server-pid',
      '--out',
      '--name',
      '--json',
      '--log-level',
    ]) {
      assert.ok(help.stdout().includes(flag), flag);
    }
    const server = await startServe([]);
    const out = tempDir();
    const p = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/chat`,
      '--profile',
      'smoke',
      '--clients',
      '20',
      '--duration',
      '2s',
      '--protocol',
      'superchat',
      '--out',
      out,
    ]);
    const exit = await p.exited;
    const { doc } = readRun(out);
    assert.equal(doc.config.profile, 'smoke');
    assert.equal(doc.config.clients, 20);
    assert.equal(doc.config.durationS, 2);
    assert.equal(doc.config.ratePerClient, 2, 'from the profile');
    assert.equal(doc.target?.protocol, 'superchat');
    // The built-in profile's self-check limits apply (a profile file could loosen them, but this
    // test is about the built-in name), so a very busy host may judge the run client-saturated:
    // that verdict's exit 5 is the only other outcome accepted.
    assert.equal(exit.code, doc.summary.verdict === 'client-saturated' ? 5 : 0, p.stderr());
    assert.notEqual(doc.summary.verdict, 'target-errors', JSON.stringify(doc.summary.verdictReasons));
    await server.stop();
  });
});
