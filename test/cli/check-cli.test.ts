import { describe, it, after } from 'node:test';
import type { ConformanceReport } from '../../src/check/conformance-report.js';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { startEchoServer, startSeedServer } from '../helpers/fixtures.js';
import { readRun, tempDir } from '../helpers/results.js';

after(killAll);

/** An in-process `ws` server with the given per-connection behaviour. */
async function inlineServer(onConnection: (ws: WebSocket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', onConnection);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  return {
    port: (wss.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

/**
 * Echoes text, but garbles every byte past the 32nd (like a server that unmasks only the start of
 * a payload): short text survives, the probe's time fields do not. Its magic is intact, so the
 * load's trial connection passes and only the conformance check can stop the run.
 */
const garbling = (ws: WebSocket) =>
  ws.on('message', (data: Buffer, isBinary) => {
    const out = Buffer.from(data);
    for (let i = 32; i < out.length; i++) out[i] ^= 0x20;
    ws.send(out, { binary: isBinary });
  });

describe('wsbench check: the conformance check', { timeout: 120_000 }, () => {
  it('passes wsbench serve (Pong) and a plain echo server, with a table', { timeout: 30_000 }, async () => {
    const server = await startServe([]);
    const p = spawnCli(['check', `ws://127.0.0.1:${server.port}/chat`, '--protocol', 'chat']);
    assert.equal((await p.exited).code, 0, p.stdout());
    assert.match(p.stdout(), /: PASS\n/);
    for (const name of ['handshake', 'greeting', 'text reply', 'probe reply', 'binary echo', 'close handshake'])
      assert.match(p.stdout(), new RegExp(`${name}\\s+│ pass`));
    assert.match(p.stdout(), /Hello Client, you connected to \/chat/);
    assert.match(p.stdout(), /"Pong: <probe>", 64 bytes, fields intact/);
    assert.equal(p.stderr(), '');
    await server.stop();

    const echo = await startEchoServer();
    const e = spawnCli(['check', `ws://127.0.0.1:${echo.port}/`, '--json', '--payload-size', '1KiB']);
    assert.equal((await e.exited).code, 0, e.stdout());
    const report = JSON.parse(e.stdout()) as ConformanceReport;
    assert.equal(report.ok, true);
    assert.equal(report.replyStyle, 'echo');
    assert.equal(report.greeting, null);
    const probe = report.checks.find((c) => c.name === 'probe reply')!;
    assert.deepEqual([probe.ok, probe.severity], [true, 'fail']);
    assert.match(probe.detail, /the probe echoed, 1024 bytes, fields intact/);
    await echo.stop();
  });

  it('passes the seed em-websocket server (drops binary) with a binary-echo warning; --require-binary fails it', { timeout: 30_000 }, async () => {
    const seed = await startSeedServer();
    try {
      const url = `ws://127.0.0.1:${seed.port}/chat`;
      const p = spawnCli(['check', url]);
      assert.equal((await p.exited).code, 0, p.stdout() + p.stderr());
      assert.match(p.stdout(), /: PASS \(1 warning\)/);
      assert.match(p.stdout(), /text reply\s+│ pass\s+│ "Pong: <msg>"/);
      assert.match(p.stdout(), /probe reply\s+│ pass/);
      assert.match(p.stdout(), /binary echo\s+│ warn\s+│ no answer/);
      assert.match(p.stdout(), /close handshake\s+│ pass/);
      assert.match(
        p.stderr(),
        /^wsbench: warning: binary echo: no answer: .*server drops binary messages; the load sends text only, --require-binary makes this a failure$/m,
      );

      const j = spawnCli(['check', url, '--json']);
      assert.equal((await j.exited).code, 0);
      const report = JSON.parse(j.stdout()) as ConformanceReport;
      assert.equal(report.ok, true);
      assert.deepEqual(
        report.checks.map((c: { name: string; ok: boolean; severity: string }) => [c.name, c.ok, c.severity]),
        [
          ['handshake', true, 'fail'],
          ['greeting', true, 'fail'],
          ['text reply', true, 'fail'],
          ['probe reply', true, 'fail'],
          ['binary echo', false, 'warning'],
          ['close handshake', true, 'fail'],
        ],
      );
      assert.match(j.stderr(), /warning: binary echo/);

      const strict = spawnCli(['check', url, '--require-binary']);
      assert.equal((await strict.exited).code, 3);
      assert.match(strict.stdout(), /: FAIL\n/);
      assert.match(strict.stdout(), /binary echo\s+│ FAIL/);
    } finally {
      await seed.stop();
    }
  });

  it('wsbench load measures the seed server: the check passes with the warning kept in the result', { timeout: 60_000 }, async () => {
    const seed = await startSeedServer();
    try {
      const out = tempDir();
      const p = spawnCli(['load', `ws://127.0.0.1:${seed.port}/`, '--clients', '10', '--rate', '2', '--duration', '2', '--warmup', '1', '--out', out]);
      const exit = await p.exited;
      assert.equal(exit.code, 0, p.stderr());
      assert.doesNotMatch(p.stderr(), /WSB_ERR_CONFORMANCE/);
      assert.match(p.stderr(), /conformance warning: binary echo: no answer/);
      const { doc } = readRun(out);
      assert.equal(doc.summary.verdict, 'valid');
      assert.equal(doc.target?.replyStyle, 'pong');
      assert.equal(doc.conformance?.ok, true);
      const bin = doc.conformance?.checks.find((c) => c.name === 'binary echo');
      assert.deepEqual([bin?.ok, bin?.severity], [false, 'warning']);
      assert.ok(doc.conformance?.checks.some((c) => c.name === 'probe reply' && c.ok));
      assert.ok(doc.summary.messages.received > 0);
      assert.equal(doc.summary.messages.badReplies, 0);
    } finally {
      await seed.stop();
    }
  });

  it(
    'fails an unreachable target, a server that does not answer text and one that garbles the probe (exit 3); load refuses the last',
    { timeout: 60_000 },
    async () => {
      const closed = spawnCli(['check', 'ws://127.0.0.1:1/']);
      assert.equal((await closed.exited).code, 3);
      assert.match(closed.stdout(), /handshake\s+│ FAIL/);

      const silent = await inlineServer(() => {});
      const garbler = await inlineServer(garbling);
      try {
        const s = spawnCli(['check', `ws://127.0.0.1:${silent.port}/`]);
        assert.equal((await s.exited).code, 3);
        assert.match(s.stdout(), /text reply\s+│ FAIL\s+│ expected "Pong: wsbench-check/);

        const g = spawnCli(['check', `ws://127.0.0.1:${garbler.port}/`]);
        assert.equal((await g.exited).code, 3);
        assert.match(g.stdout(), /text reply\s+│ pass/);
        assert.match(g.stdout(), /probe reply\s+│ FAIL\s+│ probe fields changed/);

        const load = spawnCli(['load', `ws://127.0.0.1:${garbler.port}/`, '--clients', '5', '--duration', '1s', '--out', tempDir()]);
        assert.equal((await load.exited).code, 3);
        assert.match(
          load.stderr(),
          /failed the conformance check \(probe reply: probe fields changed \(intendedUs \d+ → unreadable, .*\): the load would count every reply as bad\) \[WSB_ERR_CONFORMANCE\]/,
        );
      } finally {
        await silent.close();
        await garbler.close();
      }
    },
  );
});
