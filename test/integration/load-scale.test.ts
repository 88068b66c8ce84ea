import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { spawnCli, startServe, killAll, BIN, REPO_ROOT } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';

after(killAll);

describe('load past one process and one source address', { timeout: 180_000 }, () => {
  it('a forced low open-file limit splits the clients over child processes; results merge exactly', { timeout: 90_000 }, async () => {
    const server = await startServe([]);
    const out = tempDir();
    // ulimit -n 300 → 180 clients per process at most → 500 clients need 3 processes.
    const child = spawn(
      'sh',
      [
        '-c',
        `ulimit -n 300 && exec "${process.execPath}" "${BIN}" load ws://127.0.0.1:${server.port}/ --clients 500 --rate 2 --duration 3s --warmup 1s --grace 1s --server-pid ${server.pid} --out ${out} --log-level warn`,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    const { doc } = readRun(out);
    assert.equal(doc.config.processes, 3, stderr);
    assert.equal(doc.config.workers, 3);
    assert.equal(doc.summary.connections.established, 500);
    assert.equal(doc.summary.connections.failed, 0);
    assert.equal(doc.summary.messages.lost, 0);
    assert.equal(doc.summary.rttUs.count, doc.summary.messages.received);
    // 1 000 msg/s over three processes is far below what this client sustains: it must be valid.
    assert.equal(code, 0, `${doc.summary.verdict}: ${doc.summary.verdictReasons.join('; ')}\n${stderr}`);
    await server.stop();
  });

  it('--local-address spreads connections over the given source addresses', { timeout: 60_000 }, async () => {
    const seen = new Map<string, number>();
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws, req) => {
      const addr = req.socket.remoteAddress ?? '?';
      seen.set(addr, (seen.get(addr) ?? 0) + 1);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const port = (wss.address() as AddressInfo).port;
    try {
      const p = spawnCli([
        'load',
        `ws://127.0.0.1:${port}/`,
        '--clients',
        '30',
        '--rate',
        '2',
        '--duration',
        '1s',
        '--warmup',
        '0s',
        '--grace',
        '1s',
        '--local-address',
        '127.0.0.2-127.0.0.4',
        '--out',
        tempDir(),
      ]);
      await p.exited;
      assert.deepEqual([...seen.keys()].sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4'], p.stderr());
      // 10 clients per address, plus the trial and conformance-check connections from the first.
      assert.deepEqual([seen.get('127.0.0.2'), seen.get('127.0.0.3'), seen.get('127.0.0.4')], [12, 10, 10]);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });

  it('--deflate with --client lean is refused', { timeout: 30_000 }, async () => {
    const p = spawnCli(['load', 'ws://127.0.0.1:9/', '--deflate', '--client', 'lean']);
    assert.equal((await p.exited).code, 2);
    assert.match(p.stderr(), /--deflate needs --client ws/);
  });
});
