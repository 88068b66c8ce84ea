import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnCli, startServe, killAll } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { EXIT_CODE_TABLE } from '../../src/contract/exit-codes.js';

after(killAll);

const COMMANDS = ['serve', 'load', 'demo', 'check', 'report', 'compare', 'merge', 'capacity'];

async function help(args: string[]): Promise<string> {
  const p = spawnCli([...args, '--help']);
  assert.equal((await p.exited).code, 0, p.stderr());
  return p.stdout();
}

describe('help, count and duration flags, --log-level', { timeout: 120_000 }, () => {
  it('wsbench --help lists every exit code of contract/exit-codes.ts', { timeout: 15_000 }, async () => {
    const text = await help([]);
    assert.match(text, /^Exit codes:$/m);
    for (const row of EXIT_CODE_TABLE) {
      const codes = row.codes.join(' / ');
      assert.match(text, new RegExp(`^  ${codes.replace(/\//g, '\\/')}\\s{2,}${row.meaning.replace(/`/g, '').replace(/[()]/g, '\\$&')}$`, 'm'), codes);
    }
    assert.match(text, /--clients 10k/);
  });

  it('every command shows examples and defaults as the README writes them', { timeout: 30_000 }, async () => {
    for (const cmd of COMMANDS) {
      const text = await help([cmd]);
      assert.match(text, new RegExp(`\\nExamples:\\n  \\$ wsbench ${cmd}\\b`), cmd);
      assert.doesNotMatch(text, /default: \[|default: "|\[object Object\]/, `${cmd}: no JSON or objects in defaults`);
    }
    const serve = await help(['serve']);
    assert.match(serve, /\(default:\s+64KiB\)/);
    assert.doesNotMatch(serve, /65536/);
    assert.match(serve, /\(default:\s+chat,superchat\)/);
    assert.match(serve, /\(default:\s+0\.0\.0\.0\)/);
    const compare = await help(['compare']);
    assert.match(compare, /\(default:\s+node, unless --server is given\)/);
    assert.match(compare, /--repeat <n>[\s\S]*\(default:\s+5\)/);
    assert.match(compare, /\(default:\s+smoke\)/);
    assert.match(await help(['load']), /k = thousand, m = million/);
    for (const cmd of ['check', 'report', 'merge']) assert.match(await help([cmd]), /--log-level <level>/, cmd);
    assert.match(await help(['capacity']), /\(default:\s+x2\)/);
  });

  it('a reader that goes away (`wsbench --help | head`) ends nothing badly: exit 0, no stack trace', { timeout: 15_000 }, async () => {
    const p = spawnCli(['capacity', '--help']);
    // Closed before the child writes: its first write meets a closed pipe (EPIPE).
    p.child.stdout.destroy();
    assert.equal((await p.exited).code, 0, p.stderr());
    assert.equal(p.stderr(), '');
  });

  it('load takes --clients with k/m and compound durations, and refuses what it cannot read', { timeout: 60_000 }, async () => {
    const server = await startServe([]);
    const out = tempDir();
    const p = spawnCli([
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      '0.05k',
      '--rate',
      '4',
      '--duration',
      '1s500ms',
      '--warmup',
      '0.5s',
      '--connect-rate',
      '1k',
      '--out',
      out,
      '--log-level',
      'warn',
    ]);
    assert.equal((await p.exited).code, 0, p.stderr());
    const { doc } = readRun(out);
    assert.deepEqual([doc.config.clients, doc.config.durationS, doc.config.warmupS, doc.config.connectRate], [50, 1.5, 0.5, 1000]);
    await server.stop();

    // 100m = 100 000 000: parsed as a count (not minutes), then over the probe's id limit.
    const big = spawnCli(['load', 'ws://127.0.0.1:9/', '--clients', '100m']);
    assert.equal((await big.exited).code, 2);
    assert.match(big.stderr(), /--clients must be at most \d+ \(got 100000000\) \[WSB_ERR_USAGE\]/);
    const typo = spawnCli(['load', 'ws://127.0.0.1:9/', '--clients', '10x']);
    assert.equal((await typo.exited).code, 2);
    assert.match(typo.stderr(), /must be a whole number, optionally with k \(thousand\) or m \(million\).*\(got 10x\) \[WSB_ERR_USAGE\]/);
    const dur = spawnCli(['load', 'ws://127.0.0.1:9/', '--duration', '1m30']);
    assert.equal((await dur.exited).code, 2);
    assert.match(dur.stderr(), /must be a duration like 30s, 1m30s or 500ms \(got 1m30\)/);
  });

  it('check --log-level debug logs each check; the default adds nothing to stderr', { timeout: 30_000 }, async () => {
    const server = await startServe([]);
    const url = `ws://127.0.0.1:${server.port}/`;
    const debug = spawnCli(['check', url, '--log-level', 'debug']);
    assert.equal((await debug.exited).code, 0, debug.stderr());
    for (const name of ['handshake', 'text reply', 'probe reply', 'close handshake']) assert.match(debug.stderr(), new RegExp(`"check":"${name}"`), name);
    assert.match(debug.stderr(), /"msg":"conformance check passed"/);
    const plain = spawnCli(['check', url]);
    assert.equal((await plain.exited).code, 0);
    assert.equal(plain.stderr(), '');
    await server.stop();
  });
});
