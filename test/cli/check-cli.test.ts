import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { startEchoServer } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/results.js';

after(killAll);

/** A server that answers text but drops binary messages: it must not pass the gate. */
async function textOnlyServer(): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => !isBinary && ws.send(data, { binary: false })));
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

describe('wsbench check: the conformance gate', { timeout: 90_000 }, () => {
  it('passes wsbench serve (Pong) and a plain echo server, with a table', { timeout: 30_000 }, async () => {
    const server = await startServe([]);
    const p = spawnCli(['check', `ws://127.0.0.1:${server.port}/chat`, '--protocol', 'chat']);
    assert.equal((await p.exited).code, 0, p.stdout());
    assert.match(p.stdout(), /: PASS/);
    for (const name of ['handshake', 'greeting', 'text reply', 'binary echo', 'close handshake']) assert.match(p.stdout(), new RegExp(`${name}\\s+│ pass`));
    assert.match(p.stdout(), /Hello Client, you connected to \/chat/);
    await server.stop();

    const echo = await startEchoServer();
    const e = spawnCli(['check', `ws://127.0.0.1:${echo.port}/`, '--json']);
    assert.equal((await e.exited).code, 0, e.stdout());
    const report = JSON.parse(e.stdout());
    assert.equal(report.ok, true);
    assert.equal(report.replyStyle, 'echo');
    assert.equal(report.greeting, null);
    await echo.stop();
  });

  it('fails an unreachable target and a server that drops binary (exit 3); load refuses to measure it', { timeout: 60_000 }, async () => {
    const closed = spawnCli(['check', 'ws://127.0.0.1:1/']);
    assert.equal((await closed.exited).code, 3);
    assert.match(closed.stdout(), /handshake\s+│ FAIL/);

    const srv = await textOnlyServer();
    try {
      const c = spawnCli(['check', `ws://127.0.0.1:${srv.port}/`]);
      assert.equal((await c.exited).code, 3);
      assert.match(c.stdout(), /binary echo\s+│ FAIL/);
      const load = spawnCli(['load', `ws://127.0.0.1:${srv.port}/`, '--clients', '5', '--duration', '1s', '--out', tempDir()]);
      assert.equal((await load.exited).code, 3);
      assert.match(load.stderr(), /failed the conformance check \(binary echo: no answer\).*\[WSB_ERR_CONFORMANCE\]/);
    } finally {
      await srv.close();
    }
  });
});
