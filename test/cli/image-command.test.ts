import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { spawnCli, killAll } from '../helpers/cli.js';

after(killAll);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

describe("the Docker image's command, run outside Docker", { timeout: 60_000 }, () => {
  // The image runs `wsbench serve --port 8080` (ENTRYPOINT ["wsbench"], CMD ["serve", "--port", "8080"])
  // with NODE_ENV=production; no Docker engine runs here, so the same command runs as a process.
  it('`wsbench serve --port 8080` serves the seed greeting and Pong, answers /healthz, stops on SIGTERM with exit 0', { timeout: 45_000 }, async (t) => {
    if (!(await portFree(8080))) return t.skip('port 8080 is in use on this machine');
    const p = spawnCli(['serve', '--port', '8080'], { env: { NODE_ENV: 'production' } });
    await p.waitForStdout(/listening on ws:\/\/0\.0\.0\.0:8080\//);
    const health = await fetch('http://127.0.0.1:8080/healthz');
    assert.equal(health.status, 200);
    const ws = new WebSocket('ws://127.0.0.1:8080/chat');
    const messages: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (d) => {
        messages.push(String(d));
        if (messages.length === 1) ws.send('hi');
        else resolve();
      });
      ws.on('error', reject);
    });
    assert.deepEqual(messages, ['Hello Client, you connected to /chat', 'Pong: hi']);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    process.kill(p.pid, 'SIGTERM');
    assert.equal(await closed, 1001);
    assert.equal((await p.exited).code, 0);
  });
});
