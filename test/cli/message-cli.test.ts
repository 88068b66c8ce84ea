import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtures.js';

const fixtures = new Set<FixtureServer>();
after(async () => {
  await Promise.all([...fixtures].map((f) => f.stop()));
  await killAll();
});

const RPC = '{"jsonrpc":"2.0","id":{id},"method":"ping"}';

/**
 * Each refusal happens while the flags are resolved, before any connection: the URL points at a port
 * nothing needs to listen on.
 */
const refusals: { why: string; args: string[]; message: RegExp }[] = [
  { why: '--message without --reply-id', args: ['--message', RPC], message: /--message needs --reply-id/ },
  {
    why: 'a template with neither {id} nor {seq}',
    args: ['--message', '{"method":"ping"}', '--reply-id', '$.id'],
    message: /--message must hold \{id\} or \{seq\}/,
  },
  {
    why: '--message with --pattern broadcast',
    args: ['--message', RPC, '--reply-id', '$.id', '--pattern', 'broadcast'],
    message: /cannot be used with --pattern broadcast/,
  },
  {
    why: '--message with --format shootout',
    args: ['--message', RPC, '--reply-id', '$.id', '--format', 'shootout'],
    message: /cannot be used with --format shootout/,
  },
  {
    why: '--message with --payload-size',
    args: ['--message', RPC, '--reply-id', '$.id', '--payload-size', '100'],
    message: /cannot be used with --payload-size/,
  },
  { why: '--reply-id without --message', args: ['--reply-id', '$.id'], message: /--reply-id needs --message/ },
  { why: 'a regex rule without a capture group', args: ['--message', RPC, '--reply-id', 'id=\\d+'], message: /must have exactly 1 capture group \(found 0\)/ },
  { why: 'a JSON path it cannot read', args: ['--message', RPC, '--reply-id', '$..id'], message: /is not a JSON path this tool reads/ },
  { why: 'an unknown placeholder', args: ['--message', '{"id":{idd}}', '--reply-id', '$.id'], message: /unknown placeholder \{idd\}/ },
  { why: '{id} in --on-open', args: ['--on-open', '{"id":{id}}'], message: /\{seq\} and \{id\} belong to --message/ },
  { why: 'an --await that does not compile', args: ['--await', '('], message: /--await "\(" is not a valid regular expression/ },
  { why: '--message and --message-file together', args: ['--message', RPC, '--message-file', 'x.json', '--reply-id', '$.id'], message: /give one of them/ },
  {
    why: 'an unreadable --message-file',
    args: ['--message-file', '/nonexistent/wsbench-template.json', '--reply-id', '$.id'],
    message: /--message-file .* cannot be read/,
  },
  { why: '--max-in-flight 0', args: ['--message', RPC, '--reply-id', '$.id', '--max-in-flight', '0'], message: /--max-in-flight.*at least 1/ },
];

describe('wsbench load: templated runs refused with exit 2', { timeout: 120_000 }, () => {
  for (const r of refusals) {
    it(r.why, { timeout: 20_000 }, async () => {
      const p = spawnCli(['load', 'ws://127.0.0.1:9/', '--clients', '2', '--duration', '1s', '--out', tempDir(), ...r.args]);
      const exit = await p.exited;
      assert.equal(exit.code, 2, `${r.args.join(' ')}: ${p.stderr()}`);
      assert.match(p.stderr(), r.message);
      assert.doesNotMatch(p.stderr(), /^\s+at /m, 'no stack trace');
    });
  }

  it('a --message-file that is valid is read (and then the unreachable target is the error: exit 3)', { timeout: 20_000 }, async () => {
    const dir = tempDir();
    const file = path.join(dir, 'template.json');
    writeFileSync(file, RPC);
    const p = spawnCli(['load', 'ws://127.0.0.1:9/', '--clients', '2', '--duration', '1s', '--out', dir, '--message-file', file, '--reply-id', '$.id']);
    const exit = await p.exited;
    assert.equal(exit.code, 3, p.stderr());
  });
});

describe('wsbench check: a templated run and its opening conversation', { timeout: 60_000 }, () => {
  const opening = ['--on-open', '{"method":"login"}', '--await', 'logged-in', '--on-open', '{"method":"subscribe"}', '--await', 'subscribed'];

  it('passes when the reply with id 0 comes back after the opening', { timeout: 20_000 }, async () => {
    const server = await startFixtureServer('rpc-server.mjs', ['--login', '--greeting', 'Welcome!']);
    fixtures.add(server);
    const p = spawnCli(['check', `ws://127.0.0.1:${server.port}/`, '--message', RPC, '--reply-id', '$.id', ...opening, '--json']);
    const exit = await p.exited;
    assert.equal(exit.code, 0, p.stderr() + p.stdout());
    const report = JSON.parse(p.stdout()) as { checks: { name: string; ok: boolean; detail: string }[] };
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.ok]),
      [
        ['handshake', true],
        ['opening conversation', true],
        ['templated reply', true],
        ['close handshake', true],
      ],
    );
    assert.match(report.checks[1].detail, /2 message\(s\) sent, 2 awaited and matched \(1 other message\(s\) passed over\)/);
  });

  it('fails (exit 3) saying what came back when the rule finds no id 0, or the opening gets no answer', { timeout: 30_000 }, async () => {
    const server = await startFixtureServer('rpc-server.mjs', ['--login']);
    fixtures.add(server);
    const detail = async (args: string[], name: string) => {
      const p = spawnCli(['check', `ws://127.0.0.1:${server.port}/`, '--message', RPC, ...args, '--json']);
      assert.equal((await p.exited).code, 3, p.stderr());
      const report = JSON.parse(p.stdout()) as { checks: { name: string; ok: boolean; detail: string }[] };
      const check = report.checks.find((c) => c.name === name);
      assert.equal(check?.ok, false, p.stdout());
      return check.detail;
    };
    assert.match(
      await detail(['--reply-id', '$.result', ...opening], 'templated reply'),
      /^no reply with id 0 found by --reply-id \$\.result: 1 other message\(s\) \(the first "\{\\"jsonrpc\\":\\"2\.0\\",\\"id\\":0,\\"result\\":\\"pong\\"\}"\), then nothing more in time$/,
    );
    assert.match(
      await detail(['--reply-id', '$.id', '--on-open', '{"method":"hello"}', '--await', 'logged-in'], 'opening conversation'),
      /^no answer to --await "logged-in": nothing came back in time$/,
    );
  });
});
