import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnCli, startServe, killAll, runWindow } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { startFixtureServer } from '../helpers/fixtures.js';
import { stallProcess } from '../helpers/stall.js';
import { waitForServerMessages } from '../helpers/server-traffic.js';

after(killAll);

/**
 * The headline (summary.latencyUs: from just before the write to the reply) must show what the
 * server did, and the send lag and host floor what the client's host did. Each event is placed in
 * the window by the server's count of messages received (the load never sends ahead of schedule);
 * the assertions are lower bounds the event itself guarantees, never upper bounds on speed.
 */
describe('the headline is the server’s, the send lag and host floor the client’s', { timeout: 180_000 }, () => {
  it('a server stalled 200 ms (SIGSTOP) shows the stall in the headline', { timeout: 60_000 }, async () => {
    const server = await startServe(['--mode', 'echo']);
    const out = tempDir();
    const load = spawnCli(['load', `ws://127.0.0.1:${server.port}/`, '--clients', '200', '--rate', '5', ...runWindow('5s'), '--out', out]);
    // 1 000 msg/s: 2 500 received is past the 1 s warm-up and into the window.
    await waitForServerMessages(server.port, 2500);
    await stallProcess(server.pid, 200);
    await load.exited;
    const { doc } = readRun(out);
    const s = doc.summary;
    assert.equal(s.latencyBasis, 'raw');
    // A message written just as the server stopped waited at least the 200 ms it was stopped.
    assert.ok(s.latencyUs!.max >= 195_000, `headline max ${s.latencyUs!.max} µs`);
    assert.ok(s.rttUs.max >= s.latencyUs!.max, 'the corrected figure holds the headline and the send lag');
    await server.stop();
  });

  it('a server that stops reading shows its delay in the headline and the sends that queued as waited', { timeout: 60_000 }, async () => {
    // 2 clients × 40 msg/s × 64 KiB: 7.7 MB per connection in the 3 s pause, more than the kernel
    // holds, so sends queue in the client (waited) and, past 1 MiB, are skipped.
    const server = await startFixtureServer('pausing-echo-server.mjs', ['100', '3000']);
    try {
      const out = tempDir();
      const load = spawnCli([
        'load',
        `ws://127.0.0.1:${server.port}/`,
        '--clients',
        '2',
        '--rate',
        '40',
        '--payload-size',
        '64KiB',
        ...runWindow('6s'),
        '--grace',
        '3s',
        '--out',
        out,
      ]);
      await load.exited;
      const { doc } = readRun(out);
      const s = doc.summary;
      assert.ok((s.messages.waited ?? 0) > 0, `waited ${s.messages.waited}: sends written behind unsent bytes`);
      // The first message the server did not read waited most of the pause, in the socket's queues.
      assert.ok(s.latencyUs!.max >= 2_000_000, `headline max ${s.latencyUs!.max} µs`);
      // The client kept its schedule: its send lag is not where the delay went.
      assert.ok(s.sendLagUs.p99 < s.latencyUs!.max / 2, `send lag p99 ${s.sendLagUs.p99} µs`);
    } finally {
      await server.stop();
    }
  });
});
