import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { connect } from '../helpers/ws-client.js';
import { runtimeMissing } from '../helpers/runtimes.js';

after(killAll);

const RUN = ['--clients', '200', '--senders', '4', '--rate', '2', '--duration', '3s', '--warmup', '1s', '--grace', '1s'];

/** serve --mode broadcast / --format shootout against load --pattern broadcast: every delivery accounted for. */
describe('broadcast traffic', { timeout: 240_000 }, () => {
  const servers: [string, string[], string | undefined][] = [
    ['--workers 1', ['--workers', '1'], undefined],
    ['--workers 2', ['--workers', '2'], undefined],
    ['--runtime uws', ['--runtime', 'uws'], runtimeMissing('uws')],
  ];
  for (const [name, serveArgs, skip] of servers) {
    it(`serve --mode broadcast ${name}: every client gets every broadcast, timed from its intended send`, { timeout: 60_000, skip }, async () => {
      const server = await startServe(['--mode', 'broadcast', ...serveArgs]);
      const out = tempDir();
      const load = spawnCli(['load', `ws://127.0.0.1:${server.port}/`, '--pattern', 'broadcast', ...RUN, '--server-pid', String(server.pid), '--out', out]);
      const exit = await load.exited;
      const { doc, csv } = readRun(out);
      const s = doc.summary;
      assert.equal(s.verdict, 'valid', s.verdictReasons.join('; '));
      assert.equal(exit.code, 0, load.stderr());
      assert.equal(doc.config.pattern, 'broadcast');
      assert.equal(doc.config.senders, 4);
      assert.equal(s.messages.sent, 4 * 2 * 3, 'four senders × 2 msg/s × 3 s');
      assert.deepEqual(s.deliveries && [s.deliveries.expected, s.deliveries.received, s.deliveries.missing], [s.messages.sent * 200, s.messages.sent * 200, 0]);
      assert.equal(s.rttUs.count, s.deliveries!.received);
      assert.equal(s.deliveries!.lastDeliveryUs.count, s.messages.sent, 'one last delivery per broadcast (one worker)');
      assert.ok(s.deliveries!.lastDeliveryUs.p50 >= s.rttUs.p50);
      assert.match(csv, /broadcast/);
      await server.stop();
    });
  }

  it('the websocket-shootout JSON protocol, both ways: echo and broadcast with broadcastResult', { timeout: 90_000 }, async () => {
    const server = await startServe(['--format', 'shootout']);
    const url = `ws://127.0.0.1:${server.port}/`;
    // The protocol itself, as a shootout client speaks it.
    const a = await connect(url);
    const b = await connect(url);
    a.ws.send(JSON.stringify({ type: 'echo', payload: { n: 1 } }));
    assert.equal((await a.nextMessage()).text, '{"type":"echo","payload":{"n":1}}');
    a.ws.send(JSON.stringify({ type: 'broadcast', payload: 'hi' }));
    const got = [(await a.nextMessage()).text, (await a.nextMessage()).text].sort();
    assert.deepEqual(got, ['{"type":"broadcast","payload":"hi"}', '{"type":"broadcastResult","payload":"hi"}']);
    assert.equal((await b.nextMessage()).text, '{"type":"broadcast","payload":"hi"}');
    a.ws.close();
    b.ws.close();

    // The conformance check knows the protocol: plain checks fail against a shootout server, shootout checks pass.
    const plain = spawnCli(['check', url]);
    assert.equal((await plain.exited).code, 3);
    for (const pattern of ['echo', 'broadcast']) {
      const check = spawnCli(['check', url, '--format', 'shootout', '--pattern', pattern, '--json']);
      assert.equal((await check.exited).code, 0, check.stdout());
      const names = (JSON.parse(check.stdout()) as { checks: { name: string }[] }).checks.map((c) => c.name);
      if (pattern === 'broadcast') assert.ok(names.includes('broadcast result'), names.join(', '));
    }

    for (const pattern of ['echo', 'broadcast']) {
      const out = tempDir();
      const load = spawnCli(['load', url, '--format', 'shootout', '--pattern', pattern, ...RUN, '--out', out]);
      const exit = await load.exited;
      const { doc } = readRun(out);
      assert.equal(doc.summary.verdict, 'valid', `${pattern}: ${doc.summary.verdictReasons.join('; ')}`);
      assert.equal(exit.code, 0);
      assert.equal(doc.target?.replyStyle, 'shootout');
      if (pattern === 'broadcast') assert.equal(doc.summary.deliveries?.missing, 0);
      else assert.equal(doc.summary.messages.received, doc.summary.messages.sent);
    }
    await server.stop();
  });

  it('refuses what it cannot measure honestly', { timeout: 30_000 }, async () => {
    const sharded = spawnCli(['load', 'ws://127.0.0.1:9/', '--pattern', 'broadcast', '--shard', '0/2']);
    assert.equal((await sharded.exited).code, 2);
    assert.match(sharded.stderr(), /--pattern broadcast cannot be sharded/);
    const tooMany = spawnCli(['load', 'ws://127.0.0.1:9/', '--pattern', 'broadcast', '--clients', '5', '--senders', '6']);
    assert.equal((await tooMany.exited).code, 2);
    const bun = spawnCli(['serve', '--runtime', 'bun', '--mode', 'broadcast']);
    assert.equal((await bun.exited).code, 2);
    assert.match(bun.stderr(), /--mode broadcast is not supported with --runtime bun/);
  });
});
