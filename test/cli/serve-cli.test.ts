/**
 * `wsbench serve` as a user runs it: the built binary, its exit codes (src/core/exit-codes.ts),
 * its stderr, and how it behaves on signals. Every child is killed in teardown.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { BIN, killAll, spawnCli, startServe, type CliProcess } from '../helpers/cli.js';
import { connect, closeClient, type Client } from '../helpers/ws-client.js';

const T = { timeout: 20_000 };
const SUITE = { timeout: 180_000 };

/** From src/core/exit-codes.ts; duplicated on purpose so a changed meaning fails a test. */
const EXIT = { OK: 0, USAGE: 2, ENVIRONMENT: 4 } as const;

after(() => killAll(), { timeout: 30_000 });

function assertNoStackTrace(p: CliProcess): void {
  assert.doesNotMatch(p.stderr(), /^ {4}at /m, `stack trace on stderr:\n${p.stderr()}`);
  assert.doesNotMatch(p.stdout(), /^ {4}at /m, `stack trace on stdout:\n${p.stdout()}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('serve: graceful shutdown on SIGTERM', SUITE, () => {
  async function shutdownWithClients(args: string[], clientCount: number): Promise<string[]> {
    const srv = await startServe(args);
    const clients: Client[] = [];
    try {
      for (let i = 0; i < clientCount; i++) {
        const c = await connect(`ws://127.0.0.1:${srv.port}/bye`);
        assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /bye');
        clients.push(c);
      }
      const workerPids = clients.map((c) => String(c.upgrade.headers['x-wsbench-pid']));
      const exit = await srv.stop('SIGTERM');
      const closes = await Promise.all(clients.map((c) => c.closed));
      for (const close of closes) assert.equal(close.code, 1001, `close ${close.code} ${close.reason}`);
      assert.deepEqual(exit, { code: EXIT.OK, signal: null }, `stderr:\n${srv.child.stderr()}`);
      assertNoStackTrace(srv.child);
      return workerPids;
    } finally {
      await Promise.all(clients.map((c) => closeClient(c)));
    }
  }

  it('closes both clients with 1001 and exits 0 (single process)', T, async () => {
    await shutdownWithClients([], 2);
  });

  it('closes both clients with 1001 and exits 0 (--workers 2), leaving no worker behind', T, async () => {
    const workerPids = await shutdownWithClients(['--workers', '2'], 2);
    for (const pid of new Set(workerPids)) assert.equal(isAlive(Number(pid)), false, `worker ${pid} still running`);
  });
});

describe('serve: a signal during start-up', SUITE, () => {
  // A signal that arrives before the server listens is kept (src/cli/main.ts) and acted on once it
  // does: the graceful shutdown, exit 0. Exit 143 is only for a second signal, and there is none.
  it('stops a server that got SIGTERM while forking its workers, with exit 0', T, async () => {
    const p = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--workers', '2']);
    // Logged by runServer before it forks: the signal handlers exist, the server is not up yet.
    await p.waitForStderr(/capacity: /);
    process.kill(p.pid, 'SIGTERM');
    // Waiting for a non-event needs a bound: a fixed server exits within a second or two.
    let timer: NodeJS.Timeout | undefined;
    const stillRunning = new Promise<'running'>((r) => (timer = setTimeout(() => r('running'), 8_000)));
    const result = await Promise.race([p.exited, stillRunning]);
    clearTimeout(timer);
    assert.notEqual(result, 'running', `still running 8 s after SIGTERM; stdout: ${p.stdout()}`);
    assert.deepEqual(result, { code: EXIT.OK, signal: null }, `stderr:\n${p.stderr()}`);
    assert.match(p.stderr(), /shutting down: closing connections with 1001/, 'the kept signal ran the graceful shutdown');
    assertNoStackTrace(p);
  });
});

describe('serve: start-up failures exit with a code and one clear line', SUITE, () => {
  it('exits 4 with WSB_ERR_PORT_IN_USE when the port is taken', T, async () => {
    const first = await startServe();
    try {
      for (const extra of [[], ['--workers', '2']]) {
        const second = spawnCli(['serve', '--host', '127.0.0.1', '--port', String(first.port), ...extra]);
        const exit = await second.exited;
        assert.equal(exit.code, EXIT.ENVIRONMENT, `${extra.join(' ')} stderr:\n${second.stderr()}`);
        assert.match(second.stderr(), /already in use/);
        assert.match(second.stderr(), /WSB_ERR_PORT_IN_USE/);
        assertNoStackTrace(second);
      }
      assert.equal(first.child.child.exitCode, null, 'the first server is unaffected');
    } finally {
      await first.stop();
    }
  });

  const unprivilegedStart = (() => {
    try {
      return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
    } catch {
      return 1024;
    }
  })();
  // As root the test drops to nobody, who must be able to run this checkout: not so when it lives
  // under a directory only root can enter (mktemp -d, /root).
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const nobodyCannotRun = (() => {
    if (!('uid' in asNobody)) return false;
    const probe = spawnSync(process.execPath, [BIN, '--version'], { ...asNobody, timeout: 15_000, encoding: 'utf8' });
    if (probe.status === 0) return false;
    const why =
      probe.error?.message ??
      probe.stderr
        .split('\n')
        .find((l) => /Error|EACCES/.test(l))
        ?.trim() ??
      `exit ${probe.status}`;
    return `running as root, and user nobody cannot run ${BIN} (${why}): move the checkout somewhere nobody can read, or run the tests as another user`;
  })();
  it(
    'exits 4 on a privileged port as a non-root user, naming CAP_NET_BIND_SERVICE and another port',
    { ...T, skip: (unprivilegedStart <= 80 && `ip_unprivileged_port_start is ${unprivilegedStart}: port 80 needs no privilege here`) || nobodyCannotRun },
    async () => {
      const p = spawnCli(['serve', '--host', '127.0.0.1', '--port', '80'], asNobody);
      const exit = await p.exited;
      assert.equal(exit.code, EXIT.ENVIRONMENT, `stderr:\n${p.stderr()}`);
      assert.match(p.stderr(), /CAP_NET_BIND_SERVICE/);
      assert.match(p.stderr(), /WSB_ERR_PRIVILEGED_PORT/);
      assert.match(p.stderr(), /--port \d{4,5}/, 'suggests an unprivileged port');
      assertNoStackTrace(p);
    },
  );

  const badOptions: [string[], RegExp][] = [
    [['--port', '70000'], /--port.*must be at most 65535 \(got 70000\)/],
    [['--port', 'eighty'], /--port.*must be a whole number \(got eighty\)/],
    [['--workers', '0'], /--workers.*must be at least 1 \(got 0\)/],
    [['--mode', 'foo'], /--mode.*must be one of pong, echo, broadcast \(got foo\)/],
    [['--max-payload', 'lots'], /--max-payload.*must be a size like .* \(got lots\)/],
    [['--max-connections', '-1'], /--max-connections.*must be at least 0 \(got -1\)/],
    [['--ping-interval', 'soon'], /--ping-interval.*must be a duration .* \(got soon\)/],
    [['--reply-delay', 'soon'], /--reply-delay.*must be a duration like 1ms, 200us.* \(got soon\)/],
    [['--reply-delay', '-1ms'], /--reply-delay.*must be a duration like 1ms, 200us.* \(got -1ms\)/],
    [['--runtime', 'uws', '--reply-delay', '5x'], /--reply-delay.*must be a duration .* \(got 5x\)/],
    [['--log-level', 'loud'], /--log-level/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
  ];
  for (const [args, reason] of badOptions) {
    it(`exits 2 with the reason for ${args.join(' ')}`, T, async () => {
      const p = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', ...args]);
      const exit = await p.exited;
      assert.equal(exit.code, EXIT.USAGE, `stderr:\n${p.stderr()}`);
      assert.match(p.stderr(), reason);
      assert.equal(p.stdout(), '', 'nothing on stdout');
      assertNoStackTrace(p);
    });
  }

  it('exits 2 with WSB_ERR_TLS_FILE when the certificate cannot be read', T, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wsbench-cli-'));
    const notPem = path.join(dir, 'not-pem.txt');
    try {
      const cases: [string[], RegExp][] = [
        [['--cert', path.join(dir, 'missing-cert.pem'), '--key', path.join(dir, 'missing-key.pem')], /cannot read --cert file .*missing-cert\.pem \(ENOENT\)/],
        [['--cert', dir, '--key', dir], /cannot read --cert file .* \(EISDIR\)/],
        [['--cert', path.join(dir, 'cert.pem')], /--cert and --key must be given together/],
        [['--cert', notPem, '--key', notPem], /--cert file .*not-pem\.txt is not a PEM certificate \(.*no start line\)/],
      ];
      writeFileSync(notPem, 'this is not a certificate\n');
      for (const [args, reason] of cases) {
        for (const workers of ['1', '2']) {
          const p = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--workers', workers, ...args]);
          const exit = await p.exited;
          assert.equal(exit.code, EXIT.USAGE, `${args.join(' ')} --workers ${workers} stderr:\n${p.stderr()}`);
          assert.match(p.stderr(), /WSB_ERR_TLS_FILE/);
          assert.match(p.stderr(), reason);
          assert.match(p.stderr(), /hint: /);
          assertNoStackTrace(p);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serve --host that does not resolve', SUITE, () => {
  for (const workers of ['1', '2']) {
    it(`exits 2 with WSB_ERR_HOST_NOT_FOUND and one line (--workers ${workers})`, T, async () => {
      // .invalid never resolves (RFC 6761).
      const p = spawnCli(['serve', '--host', 'not-a-host.invalid', '--port', '0', '--workers', workers]);
      const exit = await p.exited;
      assert.equal(exit.code, EXIT.USAGE, `stderr:\n${p.stderr()}`);
      assert.match(p.stderr(), /wsbench: --host not-a-host\.invalid does not resolve .*\[WSB_ERR_HOST_NOT_FOUND\]/);
      assert.match(p.stderr(), /hint: /);
      assert.equal(p.stdout(), '', 'nothing on stdout');
      assertNoStackTrace(p);
    });
  }
});

describe('serve --help', SUITE, () => {
  it('exits 0 and lists every flag', T, async () => {
    const p = spawnCli(['serve', '--help']);
    const exit = await p.exited;
    assert.equal(exit.code, EXIT.OK, p.stderr());
    for (const flag of [
      '--host',
      '--port',
      '--path',
      '--mode',
      '--protocols',
      '--deflate',
      '--max-payload',
      '--max-connections',
      '--ping-interval',
      '--cert',
      '--key',
      '--workers',
      '--log-level',
      '--shutdown-timeout',
      '--max-send-buffer',
      '--send-buffer-timeout',
      '--handshake-timeout',
      '--help',
    ]) {
      assert.ok(p.stdout().includes(flag), `--help does not mention ${flag}:\n${p.stdout()}`);
    }
    assert.match(p.stdout(), /^Usage: wsbench serve/m);
  });
});
