/**
 * `wsbench serve` against clients that misbehave on purpose (issue 13): clients that never read
 * their replies, reset right after their upgrade, handshake slowly, flood pings, or send garbage.
 * The built binary, real sockets on port 0; every wait is for an event or a counter, with a bound,
 * never a duration asserted. Heavy loops are small and bounded: the machine is shared.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { killAll, spawnCli, startServe, type StartedServer } from '../helpers/cli.js';
import { rawUpgrade, FrameReader, OPCODE, encodeFrame } from '../helpers/raw-ws.js';
import { connect, closeClient, type Client } from '../helpers/ws-client.js';
import { getHealthz, getMetrics, waitFor, type Metrics } from '../helpers/http.js';
import { nonReadingClient, resetAfterUpgrade, type Flooder } from '../helpers/flood.js';
import { runtimeMissing } from '../helpers/runtimes.js';

const T = { timeout: 60_000 };
const SUITE = { timeout: 240_000 };
const HOOK = { timeout: 30_000 };

after(() => killAll(), HOOK);

async function metric(port: number, key: string): Promise<number> {
  return (await getMetrics(port)).metrics.get(key) ?? 0;
}

async function waitForMetric(port: number, key: string, ok: (v: number) => boolean, timeoutMs = 30_000): Promise<Metrics> {
  return waitFor(
    `${key} in /metrics`,
    async () => {
      const { metrics } = await getMetrics(port);
      return ok(metrics.get(key) ?? 0) && metrics;
    },
    timeoutMs,
  );
}

async function withServer<R>(args: string[], fn: (srv: StartedServer) => Promise<R>): Promise<R> {
  const srv = await startServe(args);
  try {
    return await fn(srv);
  } finally {
    await srv.stop();
  }
}

/** One Pong round trip on a fresh, well-behaved client. */
async function pongRoundTrip(port: number, text: string): Promise<void> {
  const c = await connect(`ws://127.0.0.1:${port}/`);
  try {
    assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /');
    c.ws.send(text);
    assert.equal((await c.nextMessage()).text, `Pong: ${text}`);
  } finally {
    await closeClient(c);
  }
}

/** Resolves true if `p` settles within `ms` (a bound on waiting for an event, not a timing assertion). */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]).finally(() => clearTimeout(timer));
}

describe('serve --max-send-buffer: clients that never read their replies', SUITE, () => {
  const NON_READERS = 4;
  // 60 KB messages; each client stops by itself after 400 (24 MB), and blocks far earlier once the server stops reading.
  const flood = (port: number) => Promise.all(Array.from({ length: NON_READERS }, () => nonReadingClient(port, { bytes: 60_000, maxFrames: 400 })));

  it('stops reading from them, keeps answering others, and shows them paused in /metrics and /healthz', T, async () => {
    await withServer(['--max-send-buffer', '256KiB', '--send-buffer-timeout', '0'], async (srv) => {
      let clients: Flooder[] = [];
      try {
        clients = await flood(srv.port);
        const m = await waitForMetric(srv.port, 'wsbench_connections_paused', (v) => v === NON_READERS);
        assert.equal(m.get('wsbench_max_send_buffer_bytes'), 256 * 1024);
        assert.ok((m.get('wsbench_backpressure_pauses_total') ?? 0) >= NON_READERS);
        // Paused, not closed (--send-buffer-timeout 0): the well-behaved still get their Pong.
        await pongRoundTrip(srv.port, 'still here');
        const h = await getHealthz(srv.port);
        assert.equal(h.body.connections, NON_READERS);
        assert.deepEqual((h.body as unknown as { limits: Record<string, number> }).limits, {
          maxSendBufferBytes: 256 * 1024,
          sendBufferTimeoutMs: 0,
          handshakeTimeoutMs: 10_000,
          maxPayloadBytes: 64 * 1024,
          maxConnections: 0,
        });
        const rss = (await getMetrics(srv.port)).metrics.get('process_resident_memory_bytes') ?? 0;
        // Without the limit the server buffered every reply (~100 MB here); with it, kernel buffers hold the rest.
        assert.ok(rss < 300 * 1024 * 1024, `server RSS ${Math.round(rss / 2 ** 20)} MB`);
        assert.ok(
          clients.every((c) => c.written() < 400),
          `a client wrote all its frames, so the server kept reading: ${clients.map((c) => c.written()).join(',')}`,
        );
      } finally {
        for (const c of clients) c.stop();
      }
    });
  });

  for (const workers of ['1', '2']) {
    it(`closes them with 1008 after --send-buffer-timeout and counts it (--workers ${workers})`, T, async () => {
      await withServer(['--max-send-buffer', '128KiB', '--send-buffer-timeout', '300ms', '--workers', workers], async (srv) => {
        let clients: Flooder[] = [];
        try {
          clients = await flood(srv.port);
          for (const c of clients) assert.ok(await settlesWithin(c.closed, 30_000), 'the server never closed a non-reading client');
          const m = await waitForMetric(srv.port, 'wsbench_connections_terminated_total{cause="send-buffer"}', (v) => v === NON_READERS);
          assert.equal(m.get('wsbench_closes_total{code="1008"}'), NON_READERS);
          assert.equal(m.get('wsbench_connections_paused'), 0);
          assert.equal(m.get('wsbench_send_buffer_timeout_seconds'), 0.3, 'a limit, not summed over workers');
          await pongRoundTrip(srv.port, 'after');
        } finally {
          for (const c of clients) c.stop();
        }
      });
    });
  }
});

// Bun, Deno and uWebSockets.js cannot stop reading one WebSocket: past the limit they close with 1008 at once.
for (const runtime of ['bun', 'deno', 'uws'] as const) {
  describe(`serve --runtime ${runtime} --max-send-buffer`, { ...SUITE, skip: runtimeMissing(runtime) }, () => {
    it('closes a client that never reads with 1008, counts it, and keeps serving others', T, async () => {
      await withServer(['--runtime', runtime, '--max-send-buffer', '256KiB'], async (srv) => {
        // The client's socket is paused, so it may not notice the close: the server's counters say it.
        const c = await nonReadingClient(srv.port, { bytes: 60_000, maxFrames: 5000 });
        let m: Metrics;
        try {
          m = await waitForMetric(srv.port, 'wsbench_connections_terminated_total{cause="send-buffer"}', (v) => v === 1);
        } finally {
          c.stop();
        }
        assert.equal(m.get('wsbench_closes_total{code="1008"}'), 1);
        assert.equal(m.get('wsbench_max_send_buffer_bytes'), 256 * 1024);
        await pongRoundTrip(srv.port, 'after');
      });
    });
  });
}

describe('serve --max-connections: slots of clients that reset after their upgrade', SUITE, () => {
  for (const workers of ['1', '2']) {
    it(`admits 10 fresh clients after 3000 reset-after-upgrade clients (--workers ${workers})`, T, async () => {
      await withServer(['--max-connections', '10', '--workers', workers], async (srv) => {
        await resetAfterUpgrade(srv.port, 3000, 50);
        await waitFor('every reset connection to be gone', async () => (await getHealthz(srv.port)).body.connections === 0);
        const clients: Client[] = [];
        try {
          for (let i = 0; i < 10; i++) {
            clients.push(
              await connect(`ws://127.0.0.1:${srv.port}/`).catch((err: Error & { statusCode?: number }) => {
                throw new Error(`fresh client ${i + 1} of 10 refused (${err.statusCode ?? err.message}): slots leaked`);
              }),
            );
          }
        } finally {
          await Promise.all(clients.map((c) => closeClient(c)));
        }
      });
    });
  }
});

describe('serve --handshake-timeout', SUITE, () => {
  it('answers 408 and closes connections that do not finish their request in time, and counts them', T, async () => {
    await withServer(['--handshake-timeout', '400ms', '--workers', '2'], async (srv) => {
      // Silent after connecting, and stuck in the middle of the header block.
      const silent = rawSocket(srv.port, '');
      const partial = rawSocket(srv.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
      // Node's own deadline is 60 s for headers, checked every 30 s: 15 s only passes with ours.
      for (const s of [silent, partial]) {
        assert.ok(await settlesWithin(s.closed, 15_000), 'slow handshake still open');
        assert.match(s.received(), /^HTTP\/1\.1 408 /);
      }
      const m = await waitForMetric(srv.port, 'wsbench_http_rejected_total{status="408"}', (v) => v === 2);
      assert.equal(m.get('wsbench_handshake_timeout_seconds'), 0.4);
    });
  });

  it('leaves upgraded connections alone after the deadline has passed', T, async () => {
    await withServer(['--handshake-timeout', '300ms'], async (srv) => {
      const c = await connect(`ws://127.0.0.1:${srv.port}/`);
      try {
        assert.equal((await c.nextMessage()).text, 'Hello Client, you connected to /');
        // Long enough for several checking intervals to pass over the open connection.
        await new Promise((r) => setTimeout(r, 1500));
        c.ws.send('late');
        assert.equal((await c.nextMessage()).text, 'Pong: late');
      } finally {
        await closeClient(c);
      }
    });
  });
});

describe('serve: plain HTTP answers honour the request and are counted', SUITE, () => {
  it('closes after a 426 to a request with Connection: close or HTTP/1.0', T, async () => {
    await withServer([], async (srv) => {
      for (const request of ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'GET / HTTP/1.0\r\nHost: x\r\n\r\n']) {
        const s = rawSocket(srv.port, request);
        await waitFor('the 426 header block', () => Promise.resolve(s.received().includes('\r\n\r\n')));
        const head = s.received().split('\r\n\r\n')[0];
        assert.match(head, /^HTTP\/1\.1 426 /);
        assert.match(head, /^Upgrade: websocket$/im);
        const connection =
          /^Connection: (.*)$/im
            .exec(head)?.[1]
            .toLowerCase()
            .split(/\s*,\s*/) ?? [];
        assert.ok(connection.includes('close') && connection.includes('upgrade'), `Connection: ${connection.join(', ')}`);
        assert.ok(await settlesWithin(s.closed, 10_000), 'the server kept the socket open');
      }
      // Keep-alive clients keep theirs (fetch reuses the connection).
      const res = await fetch(`http://127.0.0.1:${srv.port}/`);
      assert.equal(res.status, 426);
      assert.equal(res.headers.get('connection')?.toLowerCase(), 'upgrade');
      await res.text();
      assert.equal(await metric(srv.port, 'wsbench_http_rejected_total{status="426"}'), 3);
    });
  });

  it('counts every refusal by status: 400, 404, 405, 426, 431 and 503', T, async () => {
    await withServer(['--path', '/ws', '--max-connections', '1'], async (srv) => {
      const port = srv.port;
      const answer = async (request: string) => {
        const s = rawSocket(port, request);
        await settlesWithin(s.closed, 10_000);
        return s.received();
      };
      assert.match(await answer('NOT-HTTP\r\n\r\n'), /^HTTP\/1\.1 400 /);
      assert.match(await answer(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.1 431 /);
      assert.match(await answer('POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'), /^HTTP\/1\.1 405 /);
      const wrongPath = await rawUpgrade(port, '/elsewhere');
      wrongPath.socket.destroy();
      assert.equal(wrongPath.status, 404);
      const noKey = await rawUpgrade(port, '/ws', { 'Sec-WebSocket-Key': undefined });
      noKey.socket.destroy();
      assert.equal(noKey.status, 400);
      const holder = await connect(`ws://127.0.0.1:${port}/ws`);
      try {
        const full = await rawUpgrade(port, '/ws');
        full.socket.destroy();
        assert.equal(full.status, 503);
      } finally {
        await closeClient(holder);
      }
      const m = (await getMetrics(port)).metrics;
      assert.equal(m.get('wsbench_http_rejected_total{status="400"}'), 1);
      assert.equal(m.get('wsbench_http_rejected_total{status="431"}'), 1);
      assert.equal(m.get('wsbench_http_rejected_total{status="405"}'), 1);
      assert.equal(m.get('wsbench_upgrades_rejected_total{status="404"}'), 1);
      assert.equal(m.get('wsbench_upgrades_rejected_total{status="400"}'), 1);
      assert.equal(m.get('wsbench_upgrades_rejected_total{status="503"}'), 1);
    });
  });
});

describe('serve: what ends a connection is counted by cause', SUITE, () => {
  it('counts a ping flood that ws terminates, and a reset in the middle of a message', T, async () => {
    await withServer([], async (srv) => {
      // 125-byte pings, never reading the pongs: ws ends the peer once 60 pongs cannot be written.
      const flooder = await nonReadingClient(srv.port, { bytes: 125, maxFrames: 300_000, opcode: OPCODE.PING });
      try {
        assert.ok(await settlesWithin(flooder.closed, 30_000), 'the ping flood was never stopped');
      } finally {
        flooder.stop();
      }
      await waitForMetric(srv.port, 'wsbench_connections_terminated_total{cause="ping-flood"}', (v) => v === 1);

      const r = await rawUpgrade(srv.port, '/');
      const reader = new FrameReader(r.socket, r.rest);
      await reader.nextFrame(); // the greeting: the connection is open
      // Half a message, then a ping: its pong proves the server has read everything, so the RST
      // arrives alone (one that arrives with unread data can reach the server as a plain EOF).
      r.socket.write(encodeFrame({ fin: false, opcode: OPCODE.TEXT, payload: Buffer.alloc(1000, 0x62) }));
      r.socket.write(encodeFrame({ opcode: OPCODE.PING, payload: Buffer.from('x') }));
      await reader.nextFrameOf(OPCODE.PONG);
      r.socket.resetAndDestroy();
      await waitForMetric(srv.port, 'wsbench_resets_total{phase="open"}', (v) => v === 1);
      await pongRoundTrip(srv.port, 'survived');
    });
  });
});

describe('serve at its open-file limit', SUITE, () => {
  it('closes connections past its capacity at accept, counts them, stays answerable, and load ends with target-errors', T, async () => {
    // 300 files: a capacity of 200 connections (FD_RESERVE is 100).
    const srv = await startServe([], { fdLimit: 300 });
    try {
      const load = spawnCli([
        'load',
        `ws://127.0.0.1:${srv.port}/`,
        '--clients',
        '240',
        '--rate',
        '1',
        '--duration',
        '1s',
        '--warmup',
        '0s',
        '--json',
        '--log-level',
        'warn',
      ]);
      const exit = await load.exited;
      assert.equal(exit.code, 6, `every attempt ends, as target-errors; stderr:\n${load.stderr()}`);
      const summary = (
        JSON.parse(load.stdout()) as { summary: { connections: { established: number; failed: number; failuresByCause: Record<string, number> } } }
      ).summary;
      assert.equal(summary.connections.established + summary.connections.failed, 240);
      assert.ok(summary.connections.failed >= 40, JSON.stringify(summary.connections));
      for (const cause of Object.keys(summary.connections.failuresByCause)) assert.ok(['closed', 'reset'].includes(cause), JSON.stringify(summary.connections));
      const m = await waitForMetric(srv.port, 'wsbench_connections_terminated_total{cause="open-file-limit"}', (v) => v >= 40);
      assert.equal(m.get('wsbench_connections_current'), 0, 'the load closed what it held');
      assert.equal((await getHealthz(srv.port)).status, 200, 'files are left for /healthz');
      await pongRoundTrip(srv.port, 'after');
      assert.match(srv.child.stderr(), /holds 200 connections \(its open-file limit less 100\): further ones are closed at accept/);
    } finally {
      await srv.stop();
    }
  });
});

/** A raw TCP client that writes `request` and records what comes back until the server closes. */
function rawSocket(port: number, request: string): { received(): string; closed: Promise<void> } {
  let data = '';
  const s = net.connect({ host: '127.0.0.1', port }, () => {
    if (request) s.write(request);
  });
  s.setEncoding('latin1');
  s.on('data', (d: string) => (data += d));
  s.on('error', () => {});
  const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
  // Never left open by a failing test: the suite's processes are killed, and so is this socket.
  const timer = setTimeout(() => s.destroy(), 20_000);
  timer.unref();
  return { received: () => data, closed };
}
