/**
 * `wsbench serve` end to end: the built binary in a child process, real sockets on port 0, the `ws`
 * package as a normal client and raw TCP for what a polite client cannot send. No timing
 * assertions: every wait is for an event (a frame, a close, a counter) with a generous timeout.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { killAll, startServe, type StartedServer } from '../helpers/cli.js';
import { rawUpgrade, FrameReader, OPCODE, closeCodeOf, closePayload, fragmentsThenPing, type EncodeFrameOptions } from '../helpers/raw-ws.js';
import { connect, closeClient, type Client } from '../helpers/ws-client.js';
import { assertHealthzBody, getHealthz, getMetrics, waitFor } from '../helpers/http.js';
import { assertDelayedInOrder, assertGreetingNotDelayed } from '../helpers/reply-delay.js';
import { useServer } from '../helpers/use-server.js';
import { runtimeMissing } from '../helpers/runtimes.js';

const T = { timeout: 20_000 };
const SUITE = { timeout: 180_000 };
const HOOK = { timeout: 30_000 };

after(() => killAll(), HOOK);

/** Raw upgrade that must succeed; returns a frame reader already past the greeting (pong mode). */
async function openRaw(port: number, urlPath = '/', skipGreeting = true): Promise<FrameReader> {
  const r = await rawUpgrade(port, urlPath);
  assert.equal(r.status, 101, r.statusLine);
  const reader = new FrameReader(r.socket, r.rest);
  if (skipGreeting) {
    const hello = await reader.nextFrame();
    assert.equal(hello.payload.toString(), `Hello Client, you connected to ${urlPath.split('?')[0]}`);
  }
  return reader;
}

/** Waits for the server's close frame, checks its code, and waits for the TCP connection to end. */
async function expectClose(reader: FrameReader, code: number): Promise<void> {
  const f = await reader.nextFrameOf(OPCODE.CLOSE);
  assert.equal(closeCodeOf(f), code, `close frame ${f.payload.toString('hex')}`);
  await reader.closed;
}

async function withClients<R>(clients: Promise<Client>[], fn: (cs: Client[]) => R | Promise<R>): Promise<R> {
  const cs = await Promise.all(clients);
  try {
    return await fn(cs);
  } finally {
    await Promise.all(cs.map((c) => closeClient(c)));
  }
}

describe('serve: the Pong protocol (default flags)', SUITE, () => {
  const server = useServer();
  const url = (p = '/') => `ws://127.0.0.1:${server().port}${p}`;

  it('answers the seed handshake vector over raw TCP, then greets with the path', T, async () => {
    const r = await rawUpgrade(server().port, '/chat', {
      Host: 'server.example.com',
      'Sec-WebSocket-Key': 'x3JJHMbDL1EzLkh9GBhXDw==',
      'Sec-WebSocket-Protocol': 'chat, superchat',
      Origin: 'http://example.com',
    });
    assert.equal(r.status, 101, r.statusLine);
    assert.equal(r.headers['upgrade']?.toLowerCase(), 'websocket');
    assert.equal(r.headers['connection']?.toLowerCase(), 'upgrade');
    assert.equal(r.headers['sec-websocket-accept'], 'HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
    assert.equal(r.headers['sec-websocket-protocol'], 'chat');
    assert.match(r.headers['x-wsbench-pid'] ?? '', /^\d+$/);

    const reader = new FrameReader(r.socket, r.rest);
    const hello = await reader.nextFrame();
    assert.equal(hello.opcode, OPCODE.TEXT);
    assert.equal(hello.fin, true);
    assert.equal(hello.masked, false, 'server frames are never masked');
    assert.equal(hello.payload.toString(), 'Hello Client, you connected to /chat');

    reader.send({ opcode: OPCODE.CLOSE, payload: closePayload(1000, 'bye') });
    await expectClose(reader, 1000);
  });

  it('greets with the request path without its query string', T, async () => {
    await withClients([connect(url('/some/path?x=1'))], async ([c]) => {
      const m = await c.nextMessage();
      assert.equal(m.isBinary, false);
      assert.equal(m.text, 'Hello Client, you connected to /some/path');
    });
  });

  it('answers a text message with "Pong: <msg>"', T, async () => {
    await withClients([connect(url())], async ([c]) => {
      assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /');
      c.ws.send('hello');
      const m = await c.nextMessage();
      assert.equal(m.isBinary, false);
      assert.equal(m.text, 'Pong: hello');
      c.ws.send('héllo ✓ 🚀');
      assert.equal((await c.nextMessage()).text, 'Pong: héllo ✓ 🚀');
      c.ws.send('');
      assert.equal((await c.nextMessage()).text, 'Pong: ');
    });
  });

  it('echoes a binary message as binary, same bytes', T, async () => {
    await withClients([connect(url())], async ([c]) => {
      await c.nextMessage();
      const bytes = Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x80]);
      c.ws.send(bytes);
      const m = await c.nextMessage();
      assert.equal(m.isBinary, true);
      assert.deepEqual(m.data, bytes);
    });
  });

  it('round-trips raw frames of every length class (7-bit, 16-bit, 64-bit)', T, async () => {
    const reader = await openRaw(server().port);
    for (const len of [125, 126, 65535, 65536]) {
      const payload = Buffer.alloc(len, len & 0xff);
      payload[0] = 0x42;
      reader.send({ opcode: OPCODE.BINARY, payload });
      const f = await reader.nextFrame();
      assert.equal(f.opcode, OPCODE.BINARY, `length ${len}`);
      assert.equal(f.payload.length, len);
      assert.ok(f.payload.equals(payload), `length ${len}: bytes differ`);
    }
    // A text message in two fragments is reassembled before the reply; a ping in between is
    // answered with a pong carrying the same data.
    const { reply, pong } = await fragmentsThenPing(reader);
    assert.equal(reply, 'Pong: fragmented');
    assert.equal(pong.opcode, OPCODE.PONG);
    assert.equal(pong.payload.toString(), 'are you there');
    reader.send({ opcode: OPCODE.CLOSE, payload: closePayload(1000) });
    await expectClose(reader, 1000);
  });

  it('picks the first subprotocol the client offers that it supports', T, async () => {
    await withClients([connect(url(), ['superchat', 'chat'])], ([c]) => {
      assert.equal(c.ws.protocol, 'superchat');
      assert.equal(c.upgrade.headers['sec-websocket-protocol'], 'superchat');
    });
  });

  it('sends no Sec-WebSocket-Protocol when the client offers none', T, async () => {
    const r = await rawUpgrade(server().port, '/');
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-protocol'], undefined);
    r.socket.destroy();
  });

  it('sends no Sec-WebSocket-Protocol when the client offers only unsupported ones', T, async () => {
    const r = await rawUpgrade(server().port, '/', { 'Sec-WebSocket-Protocol': 'mqtt, wamp.2.json' });
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-protocol'], undefined);
    r.socket.destroy();
  });

  it('does not negotiate permessage-deflate without --deflate', T, async () => {
    const r = await rawUpgrade(server().port, '/', { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' });
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-extensions'], undefined);
    r.socket.destroy();
    await withClients([connect(url(), [], { perMessageDeflate: true })], async ([c]) => {
      assert.equal(c.ws.extensions, '');
      await c.nextMessage();
      c.ws.send('plain');
      assert.equal((await c.nextMessage()).text, 'Pong: plain');
    });
  });
});

describe('serve --deflate', SUITE, () => {
  const server = useServer(['--deflate']);

  it('negotiates permessage-deflate and messages still round-trip', T, async () => {
    const r = await rawUpgrade(server().port, '/', { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' });
    assert.equal(r.status, 101);
    assert.match(r.headers['sec-websocket-extensions'] ?? '', /^permessage-deflate/);
    r.socket.destroy();

    await withClients([connect(`ws://127.0.0.1:${server().port}/z`, [], { perMessageDeflate: true })], async ([c]) => {
      assert.match(c.ws.extensions, /permessage-deflate/);
      assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /z');
      const big = 'compress me '.repeat(2000); // above ws's 1 KiB compression threshold
      c.ws.send(big);
      assert.equal((await c.nextMessage()).text, `Pong: ${big}`);
      const bytes = Buffer.alloc(5000, 7);
      c.ws.send(bytes);
      const m = await c.nextMessage();
      assert.equal(m.isBinary, true);
      assert.ok(m.data.equals(bytes));
    });
  });

  it('still serves clients that do not offer the extension', T, async () => {
    await withClients([connect(`ws://127.0.0.1:${server().port}/`, [], { perMessageDeflate: false })], async ([c]) => {
      assert.equal(c.ws.extensions, '');
      await c.nextMessage();
      c.ws.send('x');
      assert.equal((await c.nextMessage()).text, 'Pong: x');
    });
  });
});

describe('serve --mode echo', SUITE, () => {
  const server = useServer(['--mode', 'echo']);

  it('sends no greeting and echoes text unchanged', T, async () => {
    await withClients([connect(`ws://127.0.0.1:${server().port}/`)], async ([c]) => {
      // A greeting would be queued before any reply, so the first message proves there is none.
      c.ws.send('hello');
      const m = await c.nextMessage();
      assert.equal(m.text, 'hello');
      assert.equal(m.isBinary, false);
      const bytes = Buffer.from([9, 8, 7, 0xff]);
      c.ws.send(bytes);
      const b = await c.nextMessage();
      assert.equal(b.isBinary, true);
      assert.ok(b.data.equals(bytes));
      const { metrics } = await getMetrics(server().port);
      assert.equal(metrics.get('wsbench_messages_sent_total'), 2);
      assert.equal(metrics.get('wsbench_messages_received_total'), 2);
    });
  });
});

// Node's ws and Bun answer every protocol violation with the close code RFC 6455 names and then end
// TCP; Deno and uWebSockets.js do not always (see the next suite).
for (const runtime of ['node', 'bun'] as const)
  describe(`serve --runtime ${runtime}: bad input gets its standard answer and the server stays up`, { ...SUITE, skip: runtimeMissing(runtime) }, () => {
    const server = useServer(['--runtime', runtime, '--max-payload', '1KiB']);
    const port = () => server().port;

    it('closes with 1007 on a text frame that is not UTF-8', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: OPCODE.TEXT, payload: Buffer.from([0xff, 0xfe]) });
      await expectClose(reader, 1007);
    });

    it('closes with 1002 on an unmasked client frame', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: OPCODE.TEXT, payload: 'hi', mask: false });
      await expectClose(reader, 1002);
    });

    it('closes with 1002 on reserved opcode 0x3', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: 0x3, payload: 'x' });
      await expectClose(reader, 1002);
    });

    it('closes with 1002 on RSV1 without a negotiated extension', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: OPCODE.TEXT, rsv: 4, payload: 'x' });
      await expectClose(reader, 1002);
    });

    it('closes with 1002 on a close frame carrying reserved code 1005', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: OPCODE.CLOSE, payload: closePayload(1005) });
      await expectClose(reader, 1002);
    });

    it('accepts a message of exactly --max-payload bytes', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: OPCODE.TEXT, payload: 'a'.repeat(1024) });
      assert.equal((await reader.nextFrame()).payload.toString(), `Pong: ${'a'.repeat(1024)}`);
      reader.send({ opcode: OPCODE.CLOSE, payload: closePayload(1000) });
      await expectClose(reader, 1000);
    });

    it('closes with 1009 on a payload larger than --max-payload (16-bit length)', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: OPCODE.BINARY, payload: Buffer.alloc(1025) });
      await expectClose(reader, 1009);
    });

    it('closes with 1009 on a payload larger than --max-payload (64-bit length)', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: OPCODE.BINARY, payload: Buffer.alloc(70_000) });
      await expectClose(reader, 1009);
    });

    it('closes with 1009 when fragments add up to more than --max-payload', T, async () => {
      const reader = await openRaw(port());
      reader.send({ opcode: OPCODE.TEXT, fin: false, payload: 'a'.repeat(600) });
      reader.send({ opcode: OPCODE.CONTINUATION, fin: true, payload: 'a'.repeat(600) });
      await expectClose(reader, 1009);
    });

    it('answers Sec-WebSocket-Version: 12 with 426 and the versions it speaks', T, async () => {
      const r = await rawUpgrade(port(), '/', { 'Sec-WebSocket-Version': '12' });
      r.socket.destroy();
      assert.equal(r.status, 426, r.statusLine);
      assert.ok((r.headers['sec-websocket-version'] ?? '').split(/\s*,\s*/).includes('13'), `sec-websocket-version: ${r.headers['sec-websocket-version']}`);
    });

    it('answers an upgrade without Sec-WebSocket-Key with 400', T, async () => {
      const r = await rawUpgrade(port(), '/', { 'Sec-WebSocket-Key': undefined });
      r.socket.destroy();
      assert.equal(r.status, 400, r.statusLine);
    });

    it('answers a plain GET on / with 426 Upgrade Required', T, async () => {
      const res = await fetch(`http://127.0.0.1:${port()}/`);
      assert.equal(res.status, 426);
      assert.equal(res.headers.get('upgrade'), 'websocket');
      await res.text();
    });

    it('counts an abrupt disconnect as close code 1006 in /metrics', T, async () => {
      const key = 'wsbench_closes_total{code="1006"}';
      const before = (await getMetrics(port())).metrics.get(key) ?? 0;
      const reader = await openRaw(port());
      reader.socket.destroy();
      await reader.closed;
      await waitFor(`${key} > ${before}`, async () => ((await getMetrics(port())).metrics.get(key) ?? 0) > before);
    });

    it('survives sockets reset in the middle of a handshake', T, async () => {
      const partial = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n';
      const whole = `${partial}Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
      for (const request of [partial, whole, partial, whole]) {
        await new Promise<void>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port: port() }, () => {
            s.write(request, () => s.resetAndDestroy());
          });
          s.on('error', () => {});
          s.once('close', () => resolve());
          setTimeout(() => reject(new Error('reset socket never closed')), 10_000).unref();
        });
      }
      const reader = await openRaw(port(), '/after-reset');
      reader.send({ opcode: OPCODE.CLOSE, payload: closePayload(1000) });
      await expectClose(reader, 1000);
    });

    it('still answers /healthz 200 after all of the above', T, async () => {
      const { status, body } = await getHealthz(port());
      assert.equal(status, 200);
      assert.equal(body.status, 'ok');
      assert.equal(body.pid, server().pid);
      assert.equal(body.connections, 0);
      assert.equal(server().child.child.exitCode, null, 'server process is still running');
    });
  });

/**
 * How a server answered one bad input: its close code, a data frame's text, or a TCP connection
 * dropped without a close frame. Each is an event; a server that does none fails on the timeout.
 */
async function answerTo(reader: FrameReader): Promise<string> {
  try {
    const f = await reader.nextFrame(15_000);
    return f.opcode === OPCODE.CLOSE ? `close ${closeCodeOf(f) ?? '(no code)'}` : `text ${f.payload.toString()}`;
  } catch (err) {
    if (/socket closed/.test((err as Error).message)) return 'dropped';
    throw err;
  }
}

/**
 * The unmasked frame is followed by a ping (a fixed mask key, so the same bytes every run): a server
 * that reads the missing mask key from the bytes after the frame (uWebSockets.js) then answers, and
 * does not just wait for more bytes.
 */
const PING_AFTER: EncodeFrameOptions = { opcode: OPCODE.PING, payload: 'ping?', maskKey: Buffer.from([1, 2, 3, 4]) };

const BAD_INPUTS: [string, EncodeFrameOptions[]][] = [
  ['invalid UTF-8', [{ opcode: OPCODE.TEXT, payload: Buffer.from([0xff, 0xfe]) }]],
  ['unmasked frame', [{ opcode: OPCODE.TEXT, payload: 'hi', mask: false }, PING_AFTER]],
  ['reserved opcode', [{ opcode: 0x3, payload: 'x' }]],
  ['RSV1 without extension', [{ opcode: OPCODE.TEXT, rsv: 4, payload: 'x' }]],
  ['close code 1005', [{ opcode: OPCODE.CLOSE, payload: closePayload(1005) }]],
  ['1 025 bytes over a 1 KiB limit', [{ opcode: OPCODE.BINARY, payload: Buffer.alloc(1025) }]],
  ['70 000 bytes over a 1 KiB limit', [{ opcode: OPCODE.BINARY, payload: Buffer.alloc(70_000) }]],
  [
    'fragments over the limit',
    [
      { opcode: OPCODE.TEXT, fin: false, payload: 'a'.repeat(600) },
      { opcode: OPCODE.CONTINUATION, fin: true, payload: 'a'.repeat(600) },
    ],
  ],
];

/**
 * Deno and uWebSockets.js end some violations their own way (docs/reliability.md, "Bad input on the
 * other runtimes"): Deno serves an
 * unmasked frame as if it were masked, and after its close frame waits for the client's; uWebSockets.js
 * drops TCP without a close frame and reads a mask key even where the mask bit says there is none.
 * Measured with deno 2.9.5 and @trufflesuite/uws-js-unofficial 20.30; a version that answers otherwise fails here.
 */
const ANSWERS: Record<'deno' | 'uws', string[]> = {
  deno: ['dropped', 'text Pong: hi', 'dropped', 'dropped', 'close 1002', 'close 1009', 'close 1009', 'close 1009'],
  uws: ['dropped', 'dropped', 'dropped', 'dropped', 'close (no code)', 'close 1009', 'dropped', 'close 1009'],
};

for (const runtime of ['deno', 'uws'] as const) {
  describe(`serve --runtime ${runtime}: bad input never takes the server down`, { ...SUITE, skip: runtimeMissing(runtime) }, () => {
    const server = useServer(['--runtime', runtime, '--max-payload', '1KiB']);

    it('answers each bad input its own way, then still greets and answers a new client', { timeout: 60_000 }, async () => {
      const answers: string[] = [];
      for (const [name, frames] of BAD_INPUTS) {
        const reader = await openRaw(server().port);
        for (const f of frames) reader.send(f);
        answers.push(`${name}: ${await answerTo(reader)}`);
        reader.socket.destroy();
      }
      assert.deepEqual(
        answers,
        BAD_INPUTS.map(([name], i) => `${name}: ${ANSWERS[runtime][i]}`),
      );
      const { status } = await getHealthz(server().port);
      assert.equal(status, 200);
      assert.equal(server().child.child.exitCode, null, 'the server process is still running');
      await withClients([connect(`ws://127.0.0.1:${server().port}/`)], async ([c]) => {
        assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /');
        c.ws.send('after');
        assert.equal((await c.nextMessage()).text, 'Pong: after');
      });
    });
  });
}

describe('serve --path /ws', SUITE, () => {
  const server = useServer(['--path', '/ws']);

  it('upgrades on /ws (query string allowed)', T, async () => {
    await withClients([connect(`ws://127.0.0.1:${server().port}/ws?token=1`)], async ([c]) => {
      assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /ws');
    });
  });

  it('answers an upgrade on another path with 404', T, async () => {
    for (const p of ['/other', '/', '/ws/extra']) {
      const r = await rawUpgrade(server().port, p);
      r.socket.destroy();
      assert.equal(r.status, 404, `${p}: ${r.statusLine}`);
    }
  });
});

describe('serve --max-connections 2', SUITE, () => {
  const server = useServer(['--max-connections', '2']);

  it('answers the third upgrade with 503, and accepts again once one closes', T, async () => {
    const url = `ws://127.0.0.1:${server().port}/`;
    const a = await connect(url);
    const b = await connect(url);
    try {
      const r = await rawUpgrade(server().port, '/');
      r.socket.destroy();
      assert.equal(r.status, 503, r.statusLine);
      await assert.rejects(connect(url), (err: Error & { statusCode?: number }) => err.statusCode === 503);

      await closeClient(a);
      await waitFor('the server to see the close', async () => (await getHealthz(server().port)).body.connections === 1);
      const c = await connect(url);
      assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /');
      await closeClient(c);
    } finally {
      await closeClient(a);
      await closeClient(b);
    }
  });
});

describe('serve: /healthz and /metrics after known traffic', SUITE, () => {
  const server = useServer();

  it('reports pid, connections and exact counters for 3 clients x 4 messages', T, async () => {
    const port = server().port;
    const greetingBytes = Buffer.byteLength('Hello Client, you connected to /m');
    const clients = await Promise.all([0, 1, 2].map(() => connect(`ws://127.0.0.1:${port}/m`)));
    try {
      let bytesIn = 0;
      let bytesOut = 3 * greetingBytes;
      await Promise.all(
        clients.map(async (c, i) => {
          assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /m');
          for (let j = 0; j < 4; j++) {
            const msg = `client ${i} message ${j}`;
            bytesIn += Buffer.byteLength(msg);
            bytesOut += Buffer.byteLength(`Pong: ${msg}`);
            c.ws.send(msg);
            assert.equal((await c.nextMessage()).text, `Pong: ${msg}`);
          }
        }),
      );

      const h = await getHealthz(port);
      assert.equal(h.status, 200);
      assertHealthzBody(h.body, { runtime: 'node', pid: server().pid, workers: 1 });
      assert.equal(h.body.connections, 3);

      const m = await getMetrics(port);
      assert.equal(m.status, 200);
      assert.match(m.contentType, /^text\/plain/);
      const v = (k: string) => m.metrics.get(k);
      assert.equal(v('wsbench_connections_current'), 3);
      assert.equal(v('wsbench_connections_total'), 3);
      assert.equal(v('wsbench_messages_received_total'), 12);
      assert.equal(v('wsbench_messages_sent_total'), 12 + 3);
      assert.equal(v('wsbench_bytes_received_total'), bytesIn);
      assert.equal(v('wsbench_bytes_sent_total'), bytesOut);
      assert.ok((v('process_resident_memory_bytes') ?? 0) > 0, 'process_resident_memory_bytes');
      assert.match(m.text, /^# TYPE wsbench_closes_total counter$/m);
    } finally {
      await Promise.all(clients.map((c) => closeClient(c, 1000)));
    }

    const closed = await waitFor('three 1000 closes in /metrics', async () => {
      const { metrics } = await getMetrics(port);
      return metrics.get('wsbench_closes_total{code="1000"}') === 3 && metrics;
    });
    assert.equal(closed.get('wsbench_connections_current'), 0);
    assert.equal(closed.get('wsbench_connections_total'), 3);
    assert.equal((await getHealthz(port)).body.connections, 0);
  });
});

describe('serve --workers 2', SUITE, () => {
  const server = useServer(['--workers', '2']);

  it('spreads connections over two worker processes and aggregates /metrics', T, async () => {
    const srv = server();
    assert.equal(srv.workers, 2);
    const url = `ws://127.0.0.1:${srv.port}/`;
    const clients: Client[] = [];
    try {
      for (let i = 0; i < 10; i++) clients.push(await connect(url));
      const pids = clients.map((c) => Number(c.upgrade.headers['x-wsbench-pid']));
      for (const c of clients) assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /');
      assert.ok(
        pids.every((p) => Number.isInteger(p) && p > 0),
        `x-wsbench-pid: ${pids.join(',')}`,
      );
      assert.ok(!pids.includes(srv.pid), `a connection was served by the primary (${srv.pid}): ${pids.join(',')}`);
      assert.ok(new Set(pids).size >= 2, `all connections on one worker: ${pids.join(',')}`);

      const h = await getHealthz(srv.port);
      assert.equal(h.status, 200);
      assertHealthzBody(h.body, { runtime: 'node', pid: srv.pid, workers: 2 });
      assert.notEqual(h.body.workerPid, srv.pid);
      assert.equal(h.body.connections, 10);

      const { metrics } = await getMetrics(srv.port);
      assert.equal(metrics.get('wsbench_connections_current'), 10);
      assert.equal(metrics.get('wsbench_connections_total'), 10);
      assert.equal(metrics.get('wsbench_messages_sent_total'), 10);
    } finally {
      await Promise.all(clients.map((c) => closeClient(c)));
    }
    await waitFor('connections to drop to 0', async () => (await getMetrics(srv.port)).metrics.get('wsbench_connections_current') === 0);
  });
});

// --reply-delay (a known difference for calibrating significance tests): lower bounds only.
describe('serve --reply-delay 300ms', SUITE, () => {
  const server = useServer(['--reply-delay', '300ms']);

  it('answers no earlier than 300 ms after each send, in order with several messages in flight', T, async () => {
    await assertDelayedInOrder(`ws://127.0.0.1:${server().port}/`, 300, 5, 2);
    assertHealthzBody((await getHealthz(server().port)).body, { runtime: 'node', pid: server().pid, workers: 1, replyDelayMs: 300 });
  });
});

describe('serve --workers 2 --reply-delay 300ms', SUITE, () => {
  const server = useServer(['--workers', '2', '--reply-delay', '300ms']);

  it('delays the replies of every cluster worker, in order', T, async () => {
    await assertDelayedInOrder(`ws://127.0.0.1:${server().port}/`, 300, 5, 4);
  });
});

describe('serve --reply-delay 1m', SUITE, () => {
  const server = useServer(['--reply-delay', '1m']);

  it('greets at once: the greeting is not a reply', T, async () => {
    await assertGreetingNotDelayed(`ws://127.0.0.1:${server().port}/`);
  });
});

// One limit for the whole server: workers ask the primary for each slot, so the limit is exact
// whatever worker round-robin hands a connection to.
describe('serve --workers 2 --max-connections (whole-server limit)', SUITE, () => {
  const server = useServer(['--workers', '2', '--max-connections', '3']);

  it('accepts exactly 3 connections over both workers, and 2 more once 2 have closed', T, async () => {
    const url = `ws://127.0.0.1:${server().port}/`;
    const clients: Client[] = [];
    try {
      for (let i = 0; i < 3; i++) clients.push(await connect(url));
      const fourth = await connect(url).then(
        (c) => c,
        (err: Error & { statusCode?: number }) => err,
      );
      if (!(fourth instanceof Error)) {
        clients.push(fourth);
        assert.fail('a 4th connection was accepted over --max-connections 3');
      }
      assert.equal(fourth.statusCode, 503);
      // Whichever workers held the closed ones, the server is below its limit again.
      for (const gone of clients.splice(0, 2)) await closeClient(gone);
      await waitFor('the server to see the closes', async () => (await getHealthz(server().port)).body.connections === 1);
      clients.push(await connect(url));
      clients.push(await connect(url));
    } finally {
      await Promise.all(clients.map((c) => closeClient(c)));
    }
  });
});

describe('serve --ping-interval 200ms', SUITE, () => {
  const server = useServer(['--ping-interval', '200ms']);

  it('terminates a peer that never answers pings and keeps one that does', T, async () => {
    const port = server().port;
    const good = await connect(`ws://127.0.0.1:${port}/`);
    try {
      assert.equal((await good.nextMessage()).text, 'Hello Client, you connected to /');

      const reader = await openRaw(port);
      // Drain frames (pings) without ever answering, until the server cuts the connection.
      const opcodes: number[] = [];
      const drained = (async () => {
        for (;;) {
          try {
            opcodes.push((await reader.nextFrame(20_000)).opcode);
          } catch {
            return;
          }
        }
      })();
      await reader.closed;
      await drained;
      assert.ok(opcodes.includes(OPCODE.PING), `the silent peer was pinged (saw opcodes ${opcodes.join(',')})`);
      assert.ok(!opcodes.includes(OPCODE.CLOSE), 'a dead peer is terminated, not sent a close handshake');

      // Two more ping rounds after the silent peer was cut: the answering client passed a check.
      const seen = good.pings();
      await good.waitForPings(seen + 2, 15_000);
      assert.equal(good.ws.readyState, WebSocket.OPEN);
      good.ws.send('still here');
      assert.equal((await good.nextMessage()).text, 'Pong: still here');

      const { metrics } = await getMetrics(port);
      assert.ok((metrics.get('wsbench_socket_errors_total{code="HEARTBEAT_TIMEOUT"}') ?? 0) >= 1);
      assert.ok((metrics.get('wsbench_closes_total{code="1006"}') ?? 0) >= 1);
    } finally {
      await closeClient(good);
    }
  });
});

const opensslMissing = spawnSync('openssl', ['version']).error !== undefined;

describe('serve --cert --key (wss)', { ...SUITE, skip: opensslMissing && 'openssl is not installed' }, () => {
  let dir = '';
  let srv: StartedServer | undefined;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wsbench-tls-'));
    const gen = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', 'key.pem', '-out', 'cert.pem'],
      { cwd: dir, encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(gen.status, 0, `openssl failed: ${gen.stderr}`);
    srv = await startServe(['--cert', path.join(dir, 'cert.pem'), '--key', path.join(dir, 'key.pem')]);
  }, HOOK);
  after(async () => {
    await srv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, HOOK);

  it('serves wss:// with the greeting and Pong replies', T, async () => {
    assert.ok(srv);
    assert.equal(srv.scheme, 'wss');
    const c = await connect(`wss://127.0.0.1:${srv.port}/secure`, [], { rejectUnauthorized: false });
    try {
      assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /secure');
      c.ws.send('over tls');
      assert.equal((await c.nextMessage()).text, 'Pong: over tls');
    } finally {
      await closeClient(c);
    }
  });

  it('does not speak plain ws:// on the TLS port', T, async () => {
    assert.ok(srv);
    await assert.rejects(connect(`ws://127.0.0.1:${srv.port}/`, [], {}, 10_000));
  });
});
