import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { spawnCli, startServe, killAll, runWindow } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import { parsePrometheus, waitFor } from '../helpers/http.js';

after(killAll);

/** A port something listens on, for the time of the test. */
async function busyPort(): Promise<{ port: number; close(): Promise<void> }> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

describe('live endpoints: --metrics-port', { timeout: 120_000 }, () => {
  it('a port in use → exit 4 before the load starts, naming the flag', async () => {
    const server = await startServe();
    const busy = await busyPort();
    const out = tempDir();
    const p = spawnCli(['load', `ws://127.0.0.1:${server.port}/`, '--clients', '2', ...runWindow('1s'), '--metrics-port', String(busy.port), '--out', out]);
    const exit = await p.exited;
    assert.equal(exit.code, 4, p.stderr());
    assert.match(p.stderr(), new RegExp(`--metrics-port: port ${busy.port} on 127\\.0\\.0\\.1 is already in use.*\\[WSB_ERR_PORT_IN_USE\\]`));
    assert.doesNotMatch(p.stderr(), /plan: /, 'the load never started');
    assert.deepEqual(fs.readdirSync(out), [], 'no result written');
    await busy.close();
    await server.stop();
  });

  it('a host that does not resolve → exit 2 before the load starts, naming --metrics-host or --dashboard-host', async () => {
    for (const [hostFlag, portFlag] of [
      ['--metrics-host', '--metrics-port'],
      ['--dashboard-host', '--dashboard'],
    ]) {
      const out = tempDir();
      const p = spawnCli(['load', 'ws://127.0.0.1:9/', '--clients', '2', ...runWindow('1s'), hostFlag, 'nosuch.invalid', portFlag, '0', '--out', out]);
      assert.equal((await p.exited).code, 2, p.stderr());
      assert.match(p.stderr(), new RegExp(`^wsbench: ${hostFlag} nosuch\\.invalid does not resolve to an address.*\\[WSB_ERR_HOST_NOT_FOUND\\]$`, 'm'));
      assert.doesNotMatch(p.stderr(), new RegExp(`${portFlag}:|--host `), "the message names the host flag, not the port flag or serve's --host");
      assert.deepEqual(fs.readdirSync(out), [], 'no result written');
    }
  });

  it('serves the running load at /metrics with run, shard and target labels', async () => {
    const server = await startServe();
    const p = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '4',
      '--rate',
      '10',
      ...runWindow('4s'),
      '--name',
      'live-cli',
      '--metrics-port',
      '0',
      '--out',
      tempDir(),
    ]);
    const [, url] = await p.waitForStderr(/metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    const labels = `run="live-cli",shard="all",target="ws://127.0.0.1:${server.port}/"`;
    const metrics = await waitFor('replies in the window histogram', async () => {
      const m = parsePrometheus(await (await fetch(url)).text());
      return (m.get(`wsbench_load_rtt_seconds_count{${labels}}`) ?? 0) > 0 ? m : undefined;
    });
    assert.equal(metrics.get(`wsbench_load_connections_target{${labels}}`), 4);
    assert.equal(metrics.get(`wsbench_load_rtt_seconds_bucket{${labels},le="+Inf"}`), metrics.get(`wsbench_load_rtt_seconds_count{${labels}}`));
    assert.ok((metrics.get(`wsbench_load_messages_sent_total{${labels}}`) ?? 0) > 0);
    assert.equal(metrics.get(`wsbench_load_phase{${labels},phase="measure"}`), 1);
    const exit = await p.exited;
    assert.ok(exit.code === 0 || exit.code === 5, p.stderr());
    await server.stop();
  });
});
