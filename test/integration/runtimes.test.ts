/**
 * `wsbench serve --runtime node|bun|deno|uws`: one behaviour suite run against each runtime's
 * server (src/server/ on Node, servers/bun-pong.ts, servers/deno-pong.ts, servers/uws-pong.ts),
 * through the built CLI in a child process on port 0. Bun and Deno are skipped, with the reason,
 * when no binary is found; uws when no uWebSockets.js build for this Node is installed.
 * No timing assertions: every wait is for an event with a generous timeout.
 */
import { readyLine } from '../../src/contract/ready.js';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { killAll, spawnCli, startServe, type CliProcess } from '../helpers/cli.js';
import { connect, closeClient, type Client } from '../helpers/ws-client.js';
import { rawUpgrade, FrameReader, OPCODE, closeCodeOf, closePayload, fragmentsThenPing } from '../helpers/raw-ws.js';
import { assertHealthzBody, getHealthz, getMetrics } from '../helpers/http.js';
import { assertDelayedInOrder, assertGreetingNotDelayed } from '../helpers/reply-delay.js';
import { runConformance } from '../../src/check/conformance.js';
import { findExecutable, locateRuntime, RUNTIMES } from '../../src/targets/runtimes.js';
import { isWsbError } from '../../src/core/errors.js';
import { runtimeMissing } from '../helpers/runtimes.js';
import { locateUwsAddon } from '../../src/targets/uws-addon.js';
import { useServer } from '../helpers/use-server.js';

const T = { timeout: 20_000 };
const SUITE = { timeout: 180_000 };
const HOOK = { timeout: 30_000 };

/** From src/core/exit-codes.ts; duplicated on purpose so a changed meaning fails a test. */
const EXIT = { OK: 0, USAGE: 2, ENVIRONMENT: 4 } as const;

after(() => killAll(), HOOK);

async function withClient<R>(open: Promise<Client>, fn: (c: Client) => R | Promise<R>): Promise<R> {
  const c = await open;
  try {
    return await fn(c);
  } finally {
    await closeClient(c);
  }
}

function assertNoStackTrace(p: CliProcess): void {
  assert.doesNotMatch(p.stderr(), /^ {4}at /m, `stack trace on stderr:\n${p.stderr()}`);
}

for (const runtime of RUNTIMES) {
  describe(`serve --runtime ${runtime}`, { ...SUITE, skip: runtimeMissing(runtime) }, () => {
    describe('pong mode (default flags)', () => {
      const server = useServer(['--runtime', runtime]);
      const url = (p = '/') => `ws://127.0.0.1:${server().port}${p}`;

      it('announces readiness (--ready-json) with the runtime pid and one worker, as the contract says', T, () => {
        assert.equal(server().workers, 1);
        const r = server().ready;
        assert.deepEqual(
          { ...r, port: 0, pid: 0 },
          {
            event: 'listening',
            url: `ws://127.0.0.1:${r.port}/`,
            connectUrl: `ws://127.0.0.1:${r.port}/`,
            port: 0,
            pid: 0,
            workers: 1,
            runtime,
            mode: 'pong',
            format: 'plain',
          },
        );
        assert.equal(
          readyLine(r, false),
          `wsbench serve listening on ws://127.0.0.1:${r.port}/ (pid ${r.pid}, 1 worker(s), mode pong)\n`,
          'the sentence people read',
        );
        if (runtime === 'node') assert.equal(server().pid, server().child.pid);
        else assert.notEqual(server().pid, server().child.pid, 'the runtime server is a child of the CLI');
      });

      it('passes the conformance check, with and without a subprotocol', T, async () => {
        for (const protocols of [[], ['chat']]) {
          const report = await runConformance(url(), { protocols });
          assert.ok(report.ok, JSON.stringify(report.checks, null, 2));
          assert.equal(report.replyStyle, 'pong');
          assert.equal(report.protocol, protocols[0] ?? '');
        }
      });

      it('answers the seed handshake vector and greets with the path', T, async () => {
        const r = await rawUpgrade(server().port, '/chat', {
          'Sec-WebSocket-Key': 'x3JJHMbDL1EzLkh9GBhXDw==',
          'Sec-WebSocket-Protocol': 'chat, superchat',
          Origin: 'http://example.com',
        });
        assert.equal(r.status, 101, r.statusLine);
        assert.equal(r.headers['sec-websocket-accept'], 'HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
        assert.equal(r.headers['sec-websocket-protocol'], 'chat');
        assert.equal(r.headers['sec-websocket-extensions'], undefined);
        assert.equal(r.headers['x-wsbench-pid'], String(server().pid));
        const reader = new FrameReader(r.socket, r.rest);
        const hello = await reader.nextFrame();
        assert.equal(hello.opcode, OPCODE.TEXT);
        assert.equal(hello.payload.toString(), 'Hello Client, you connected to /chat');
        reader.send({ opcode: OPCODE.CLOSE, payload: closePayload(1000) });
        assert.equal(closeCodeOf(await reader.nextFrameOf(OPCODE.CLOSE)), 1000);
        await reader.closed;
      });

      it('greets with the request path without its query string, then answers "Pong: <msg>"', T, async () => {
        await withClient(connect(url('/some/path?x=1')), async (c) => {
          const hello = await c.nextMessage();
          assert.equal(hello.isBinary, false);
          assert.equal(hello.text, 'Hello Client, you connected to /some/path');
          for (const text of ['hello', 'héllo ✓ 🚀', '']) {
            c.ws.send(text);
            const m = await c.nextMessage();
            assert.equal(m.isBinary, false);
            assert.equal(m.text, `Pong: ${text}`);
          }
        });
      });

      it('echoes binary messages as binary, every length class', T, async () => {
        await withClient(connect(url()), async (c) => {
          await c.nextMessage();
          for (const len of [6, 126, 65535]) {
            const bytes = Buffer.alloc(len, len & 0xff);
            bytes[0] = 0x00;
            bytes[len - 1] = 0xff;
            c.ws.send(bytes);
            const m = await c.nextMessage();
            assert.equal(m.isBinary, true, `length ${len}`);
            assert.ok(m.data.equals(bytes), `length ${len}: bytes differ`);
          }
        });
      });

      it('reassembles fragments and answers pings', T, async () => {
        const r = await rawUpgrade(server().port, '/');
        assert.equal(r.status, 101, r.statusLine);
        const reader = new FrameReader(r.socket, r.rest);
        await reader.nextFrame();
        const { reply, pong } = await fragmentsThenPing(reader);
        assert.equal(reply, 'Pong: fragmented');
        assert.equal(pong.opcode, OPCODE.PONG);
        assert.equal(pong.payload.toString(), 'are you there');
        reader.send({ opcode: OPCODE.CLOSE, payload: closePayload(1000) });
        await reader.closed;
      });

      it("picks the first subprotocol in the client's offer order that it supports", T, async () => {
        await withClient(connect(url(), ['superchat', 'chat']), (c) => {
          assert.equal(c.upgrade.headers['sec-websocket-protocol'], 'superchat');
        });
        for (const offer of ['superchat, chat', 'superchat,chat', 'mqtt, chat']) {
          const r = await rawUpgrade(server().port, '/', { 'Sec-WebSocket-Protocol': offer });
          assert.equal(r.status, 101, r.statusLine);
          assert.equal(r.headers['sec-websocket-protocol'], offer.startsWith('mqtt') ? 'chat' : 'superchat', `offer "${offer}"`);
          r.socket.destroy();
        }
      });

      it('sends no Sec-WebSocket-Protocol when none, or only unsupported ones, are offered', T, async () => {
        for (const offer of [undefined, 'mqtt, wamp.2.json']) {
          const r = await rawUpgrade(server().port, '/', { 'Sec-WebSocket-Protocol': offer });
          assert.equal(r.status, 101, r.statusLine);
          assert.equal(r.headers['sec-websocket-protocol'], undefined, `offer ${offer}`);
          r.socket.destroy();
        }
      });

      it('serves /healthz (the printed pid) and /metrics', T, async () => {
        await withClient(connect(url()), async (c) => {
          await c.nextMessage();
          const h = await getHealthz(server().port);
          assert.equal(h.status, 200);
          // One body on every runtime (src/contract/pong-routes.ts), checked the same way as in serve.test.ts.
          assertHealthzBody(h.body, { runtime, pid: server().pid, workers: 1 });
          assert.ok(h.body.connections >= 1, `connections ${h.body.connections}`);
          const m = await getMetrics(server().port);
          assert.equal(m.status, 200);
          assert.match(m.contentType, /^text\/plain/);
          for (const name of [
            'wsbench_connections_current',
            'wsbench_connections_total',
            'wsbench_messages_received_total',
            'wsbench_messages_sent_total',
            'process_resident_memory_bytes',
          ]) {
            assert.ok(m.metrics.has(name), `${name} missing from:\n${m.text}`);
          }
          assert.ok(m.metrics.get('wsbench_connections_current')! >= 1);
          assert.ok(m.metrics.get('process_resident_memory_bytes')! > 0);
        });
      });

      it('answers HEAD, POST, an unknown version and an upgrade without a key, and keeps serving', T, async () => {
        const head = await fetch(`http://127.0.0.1:${server().port}/healthz`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(await head.text(), '');
        const post = await fetch(`http://127.0.0.1:${server().port}/`, { method: 'POST', body: 'x' });
        assert.equal(post.status, 405);
        await post.text();
        for (const [headers, status] of [
          [{ 'Sec-WebSocket-Key': undefined }, 400],
          [{ 'Sec-WebSocket-Version': '99' }, 426],
        ] as const) {
          const r = await rawUpgrade(server().port, '/', headers);
          assert.equal(r.status, status, `${JSON.stringify(headers)}: ${r.statusLine}`);
          r.socket.destroy();
        }
        await withClient(connect(url()), async (c) => {
          assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /');
          c.ws.send('still here');
          assert.equal((await c.nextMessage()).text, 'Pong: still here');
        });
      });

      it('answers any other plain GET with 426', T, async () => {
        const res = await fetch(`http://127.0.0.1:${server().port}/`);
        assert.equal(res.status, 426);
        assert.equal(res.headers.get('upgrade')?.toLowerCase(), 'websocket');
        await res.text();
      });
    });

    describe('--mode echo --path /echo --max-payload 1KiB', () => {
      const server = useServer(['--runtime', runtime, '--mode', 'echo', '--path', '/echo', '--max-payload', '1KiB']);
      const url = (p = '/echo') => `ws://127.0.0.1:${server().port}${p}`;

      it('prints mode echo and passes the conformance check as an echo server', T, async () => {
        assert.equal(server().ready.mode, 'echo');
        assert.equal(server().ready.url, `ws://127.0.0.1:${server().port}/echo`);
        const report = await runConformance(url());
        assert.ok(report.ok, JSON.stringify(report.checks, null, 2));
        assert.equal(report.replyStyle, 'echo');
        assert.equal(report.greeting, null);
      });

      it('sends no greeting: the first message is the echo of ours', T, async () => {
        await withClient(connect(url()), async (c) => {
          c.ws.send('first');
          const m = await c.nextMessage();
          assert.equal(m.isBinary, false);
          assert.equal(m.text, 'first');
          c.ws.send(Buffer.from([1, 2, 3]));
          const b = await c.nextMessage();
          assert.equal(b.isBinary, true);
          assert.deepEqual([...b.data], [1, 2, 3]);
        });
      });

      it('refuses an upgrade off --path with 404', T, async () => {
        const r = await rawUpgrade(server().port, '/elsewhere');
        assert.equal(r.status, 404, r.statusLine);
        r.socket.destroy();
      });

      it('closes with 1009 on a message above --max-payload', T, async () => {
        const c = await connect(url());
        c.ws.send(Buffer.alloc(2048, 0x61), { binary: false });
        const closed = await c.closed;
        assert.equal(closed.code, 1009, `closed with ${closed.code} ${closed.reason}`);
      });
    });

    it('a busy port exits 4 with the same error line as every runtime', T, async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        const p = spawnCli(['serve', '--runtime', runtime, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn']);
        const exit = await p.exited;
        assert.equal(exit.code, EXIT.ENVIRONMENT, `stderr:\n${p.stderr()}`);
        assert.equal(
          p.stderr(),
          `wsbench: port ${port} on 127.0.0.1 is already in use [WSB_ERR_PORT_IN_USE]\n  hint: stop the other server or choose another --port (0 picks a free one)\n`,
        );
        assert.equal(p.stdout(), '');
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });

    describe('--reply-delay 300ms', () => {
      const server = useServer(['--runtime', runtime, '--reply-delay', '300ms']);

      it('answers no earlier than 300 ms after each send, in order with several messages in flight', T, async () => {
        await assertDelayedInOrder(`ws://127.0.0.1:${server().port}/`, 300, 5, 2);
        assertHealthzBody((await getHealthz(server().port)).body, { runtime, pid: server().pid, workers: 1, replyDelayMs: 300 });
      });
    });

    describe('--reply-delay 1m', () => {
      const server = useServer(['--runtime', runtime, '--reply-delay', '1m']);

      it('greets at once: the greeting is not a reply', T, async () => {
        await assertGreetingNotDelayed(`ws://127.0.0.1:${server().port}/`);
      });
    });

    describe('signals', () => {
      async function shutdownCase(target: 'cli' | 'server', signal: NodeJS.Signals): Promise<void> {
        const srv = await startServe(['--runtime', runtime]);
        const clients: Client[] = [];
        try {
          for (let i = 0; i < 2; i++) {
            const c = await connect(`ws://127.0.0.1:${srv.port}/bye`);
            assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /bye');
            clients.push(c);
          }
          // The CLI passes the signal on; the server's own pid is what the listening line names.
          process.kill(target === 'cli' ? srv.child.pid : srv.pid, signal);
          const exit = await srv.child.exited;
          for (const close of await Promise.all(clients.map((c) => c.closed))) {
            assert.equal(close.code, 1001, `close ${close.code} ${close.reason}`);
          }
          assert.deepEqual(exit, { code: EXIT.OK, signal: null }, `stderr:\n${srv.child.stderr()}`);
          assertNoStackTrace(srv.child);
        } finally {
          await Promise.all(clients.map((c) => closeClient(c)));
        }
      }

      it('SIGTERM to the CLI: every client sees 1001, exit 0', T, () => shutdownCase('cli', 'SIGTERM'));
      it('SIGINT to the CLI: every client sees 1001, exit 0', T, () => shutdownCase('cli', 'SIGINT'));
      it('SIGTERM to the printed pid: every client sees 1001, the CLI exits 0', T, () => shutdownCase('server', 'SIGTERM'));
    });
  });
}

/** `serve` with `args` refuses to start: the exit code, a stderr matching `stderr`, nothing on stdout, no stack trace. */
async function expectRefusal(args: string[], exitCode: number, stderr: RegExp, env?: NodeJS.ProcessEnv): Promise<void> {
  const p = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn', ...args], { env });
  const exit = await p.exited;
  assert.equal(exit.code, exitCode, `stdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`);
  assert.match(p.stderr(), stderr);
  assert.equal(p.stdout(), '', 'nothing may start listening');
  assertNoStackTrace(p);
}

describe('serve --runtime: usage errors', SUITE, () => {
  const expectUsageError = (args: string[], stderr: RegExp, env?: NodeJS.ProcessEnv) => expectRefusal(args, EXIT.USAGE, stderr, env);

  it('an unknown runtime exits 2 and lists the choices', T, async () => {
    await expectUsageError(['--runtime', 'rust'], /--runtime.*must be one of node, bun, deno, uws \(got rust\)/);
  });

  for (const runtime of ['bun', 'deno', 'uws'] as const) {
    it(`${runtime}: a flag only the Node server implements exits 2 and names the flag`, T, async () => {
      const cases: [string[], string][] = [
        [['--workers', '2'], '--workers'],
        [['--deflate'], '--deflate'],
        [['--ping-interval', '5s'], '--ping-interval'],
        [['--max-connections', '10'], '--max-connections'],
        [['--cert', 'c.pem', '--key', 'k.pem'], '--cert'],
        [['--format', 'shootout'], '--format shootout'],
        // uws implements broadcast (test/integration/broadcast.test.ts).
        ...(runtime === 'uws' ? [] : [[['--mode', 'broadcast'], '--mode broadcast'] as [string[], string]]),
      ];
      for (const [flags, name] of cases) {
        await expectUsageError(
          ['--runtime', runtime, ...flags],
          new RegExp(`wsbench: ${name} is not supported with --runtime ${runtime} \\[WSB_ERR_USAGE\\]\\n  hint: `),
        );
      }
    });

    it(`${runtime}: a WSBENCH_${runtime.toUpperCase()} that does not exist exits 2 with a hint`, T, async () => {
      const env = { [`WSBENCH_${runtime.toUpperCase()}`]: path.join(os.tmpdir(), 'wsbench-no-such-runtime') };
      const said =
        runtime === 'uws'
          ? /is neither a uWebSockets\.js folder nor a \.node file \[WSB_ERR_USAGE\]\n {2}hint: unset it, or point WSBENCH_UWS at /
          : new RegExp(`is not an executable file \\[WSB_ERR_USAGE\\]\\n  hint: .*npm install --save-dev ${runtime}`);
      await expectUsageError(['--runtime', runtime], said, env);
    });
  }
});

describe('serve --runtime uws: a missing or broken uWebSockets.js build', SUITE, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wsbench-uws-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const expectNotFound = (env: NodeJS.ProcessEnv, stderr: RegExp) => expectRefusal(['--runtime', 'uws'], EXIT.ENVIRONMENT, stderr, env);

  it('a folder without a build for this Node exits 4 with WSB_ERR_RUNTIME_NOT_FOUND and says what it has', T, async () => {
    const folder = path.join(dir, 'other-abi');
    mkdirSync(path.join(folder, 'binaries'), { recursive: true });
    writeFileSync(path.join(folder, 'binaries', `uws_${process.platform}_${process.arch}_93.node`), '');
    await expectNotFound(
      { WSBENCH_UWS: folder },
      new RegExp(
        `^wsbench: --runtime uws: .*other-abi has no uWebSockets\\.js build for Node ${process.version.replace(/\./g, '\\.')} .*it has Node 16\\) \\[WSB_ERR_RUNTIME_NOT_FOUND\\]\\n  hint: `,
      ),
    );
  });

  it('a build that does not load exits 4 from the server with WSB_ERR_RUNTIME_NOT_FOUND, not a fallback', T, async () => {
    const folder = path.join(dir, 'broken');
    mkdirSync(folder);
    writeFileSync(path.join(folder, `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`), 'not an ELF file');
    await expectNotFound({ WSBENCH_UWS: folder }, /^wsbench: --runtime uws: .*broken.* does not load on Node .* \[WSB_ERR_RUNTIME_NOT_FOUND\]\n {2}hint: /);
  });

  it('without the package the lookup says it is not installed and exactly what to install', T, () => {
    assert.throws(
      () =>
        locateUwsAddon({}, () => {
          throw new Error('Cannot find module');
        }),
      (err: unknown) => {
        assert.ok(isWsbError(err), String(err));
        assert.equal(err.code, 'WSB_ERR_RUNTIME_NOT_FOUND');
        assert.equal(err.exitCode, EXIT.ENVIRONMENT);
        assert.match(err.message, /uWebSockets\.js is not installed \(the package @trufflesuite\/uws-js-unofficial, found neither beside wsbench nor in /);
        assert.match(err.hint ?? '', /npm install --save-dev @trufflesuite\/uws-js-unofficial@\^20\.30\.0-unofficial\.0 /);
        return true;
      },
    );
  });
});

describe('runtime lookup', SUITE, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wsbench-runtimes-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing binary is an environment error (exit 4) with an install hint', T, () => {
    for (const runtime of ['bun', 'deno'] as const) {
      assert.throws(
        () => locateRuntime(runtime, { env: { PATH: dir }, dirs: [dir] }),
        (err: unknown) => {
          assert.ok(isWsbError(err), String(err));
          assert.equal(err.code, 'WSB_ERR_RUNTIME_NOT_FOUND');
          assert.equal(err.exitCode, EXIT.ENVIRONMENT);
          assert.match(err.message, new RegExp(`no ${runtime} binary found on PATH or in node_modules/\\.bin`));
          assert.match(err.hint ?? '', new RegExp(`npm install --save-dev ${runtime}`));
          assert.match(err.hint ?? '', runtime === 'bun' ? /bun\.sh/ : /deno\.com/);
          return true;
        },
      );
    }
  });

  it('finds an executable file in the directories in order, and skips non-executable ones', T, () => {
    const first = path.join(dir, 'first');
    const second = path.join(dir, 'second');
    mkdirSync(first);
    mkdirSync(second);
    writeFileSync(path.join(first, 'bun'), '#!/bin/sh\n');
    chmodSync(path.join(first, 'bun'), 0o644);
    writeFileSync(path.join(second, 'bun'), '#!/bin/sh\n');
    chmodSync(path.join(second, 'bun'), 0o755);
    assert.equal(findExecutable('bun', [path.join(dir, 'missing'), first, second]), path.join(second, 'bun'));
    assert.equal(locateRuntime('bun', { env: {}, dirs: [first, second] }), path.join(second, 'bun'));
    assert.equal(findExecutable('deno', [first, second]), undefined);
  });
});
