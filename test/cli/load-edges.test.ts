import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import type { ResultDocument } from '../../src/contract/result.js';

after(killAll);

const NO_STACK = /^\s+at /m;
const USAGE_LINE = /^wsbench: .+ \[WSB_ERR_USAGE\]\n {2}hint: run `wsbench (\w+ )?--help` for usage\n$/;

/** Bad output directories, signals before the load, and usage errors: one documented line each. */
describe('wsbench load at its edges', { timeout: 120_000 }, () => {
  it('an --out that cannot be written fails at once (exit 4), before connecting', { timeout: 30_000 }, async () => {
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    // The port is never contacted: the output check comes first.
    for (const out of [path.join(file, 'sub'), file, '/proc/wsbench-no-such-dir']) {
      const p = spawnCli(['load', 'ws://127.0.0.1:9/', '--out', out, '--json']);
      const exit = await p.exited;
      assert.equal(exit.code, 4, p.stderr());
      assert.match(p.stderr(), /cannot write results to .+ \[WSB_ERR_WRITE_RESULTS\]\n {2}hint: /);
      assert.doesNotMatch(p.stderr(), NO_STACK);
      assert.equal(p.stdout(), '');
    }
  });

  it('when the results cannot be written at the end, the summary and --json still come out (exit 4)', { timeout: 60_000 }, async () => {
    const server = await startServe([]);
    const out = path.join(tempDir(), 'results');
    const p = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '20',
      '--rate',
      '2',
      '--duration',
      '2s',
      '--warmup',
      '0s',
      '--out',
      out,
      '--json',
      '--log-level',
      'info',
    ]);
    await p.waitForStderr(/connect ramp done/, 30_000);
    // The directory passed the start-up check; now a file takes its place.
    rmSync(out, { recursive: true, force: true });
    writeFileSync(out, 'in the way');
    const exit = await p.exited;
    assert.equal(exit.code, 4, p.stderr());
    const doc = JSON.parse(p.stdout()) as ResultDocument;
    assert.equal(doc.summary.connections.established, 20);
    assert.match(p.stderr(), /latency \(ms\)/, 'the summary table');
    assert.match(p.stderr(), /\[WSB_ERR_WRITE_RESULTS\]/);
    await server.stop();
  });

  it('SIGINT during the trial connection stops at once with exit 130 and no result', { timeout: 30_000 }, async () => {
    // Accepts TCP and never answers the upgrade: the probe would wait for its 10 s handshake timeout.
    let probeConnected: () => void = () => {};
    const probing = new Promise<void>((r) => (probeConnected = r));
    const silent = net.createServer(() => probeConnected());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const out = tempDir();
    const p = spawnCli(['load', `ws://127.0.0.1:${port}/`, '--clients', '5', '--out', out]);
    // The trial connection is the first the load makes: the signal lands while it waits.
    await probing;
    process.kill(p.pid, 'SIGINT');
    const exit = await p.exited;
    assert.equal(exit.code, 130, p.stderr());
    // Had it waited out the probe's timeout, the probe would have failed first (exit 3, a handshake
    // timeout), not ended as interrupted: the message below says the signal, not the clock, ended it.
    assert.doesNotMatch(p.stderr(), /did not answer in time/);
    assert.match(p.stderr(), /interrupted before the load started: nothing was measured \[WSB_ERR_INTERRUPTED\]/);
    assert.doesNotMatch(p.stderr(), NO_STACK);
    assert.deepEqual(existsSync(out) ? readdirSync(out) : [], []);
    silent.close();
  });

  it("usage errors, commander's and wsbench's own, come in one format (exit 2)", { timeout: 30_000 }, async () => {
    const cases = [
      ['load', '--clients', 'abc'],
      ['load', '--no-such-flag'],
      ['load', '--local-address', '999.1.1.1'],
      ['serve', '--port', 'abc'],
      ['no-such-command'],
    ];
    for (const args of cases) {
      const p = spawnCli(args);
      const exit = await p.exited;
      assert.equal(exit.code, 2, `${args.join(' ')}: ${p.stderr()}`);
      if (args.includes('--local-address')) assert.match(p.stderr(), /^wsbench: --local-address .+ \(got 999\.1\.1\.1\) \[WSB_ERR_USAGE\]\n/);
      else assert.match(p.stderr(), USAGE_LINE, args.join(' '));
    }
  });
});
