import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { acceptKey } from '../../src/client/handshake.js';
import { LeanConnection, type LeanEvents } from '../../src/client/lean-connection.js';
import { CLOSED_BEFORE_UPGRADE, failureCause } from '../../src/client/failure-cause.js';
import { closeCodeOf, closePayload, encodeFrame, FrameReader, OPCODE } from '../helpers/raw-ws.js';
import { startServe, killAll } from '../helpers/cli.js';

after(killAll);

/** A raw TCP "server" a test scripts byte by byte: it answers the handshake, then hands over. */
async function rawServer(
  answer: (key: string, request: string) => string,
): Promise<{ port: number; next(): Promise<{ reader: FrameReader; request: string }>; close(): void }> {
  const accepted: ((v: { reader: FrameReader; request: string }) => void)[] = [];
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const request = buf.toString('latin1', 0, end);
      const key = /Sec-WebSocket-Key: (\S+)/i.exec(request)![1];
      socket.write(answer(key, request));
      accepted.shift()?.({ reader: new FrameReader(socket, buf.subarray(end + 4)), request });
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    next: () => new Promise((resolve) => accepted.push(resolve)),
    close: () => server.close(),
  };
}

const ok101 = (key: string, extra = '') =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n${extra}\r\n`;

function recorder() {
  const log: string[] = [];
  let resolveNext: (() => void) | undefined;
  const events: LeanEvents = {
    open: () => (log.push('open'), resolveNext?.()),
    message: (_c, data, isBinary) => (log.push(`${isBinary ? 'bin' : 'text'}:${data.toString()}`), resolveNext?.()),
    fail: (_c, err) => (log.push(`fail:${err.message}`), resolveNext?.()),
    close: (_c, code) => (log.push(`close:${code}`), resolveNext?.()),
  };
  const until = async (pred: (log: string[]) => boolean) => {
    while (!pred(log)) await new Promise<void>((r) => (resolveNext = r));
  };
  return { log, events, until };
}

function connect(port: number, events: LeanEvents, protocols: string[] = []): LeanConnection {
  return new LeanConnection(
    {
      url: new URL(`ws://127.0.0.1:${port}/chat?x=1`),
      protocols,
      headers: { 'X-Test': 'yes' },
      origin: 'http://example.com',
      handshakeTimeoutMs: 5000,
      maxPayload: 1 << 20,
    },
    events,
    undefined,
  );
}

/** A lean client opened on a raw server that accepts the handshake; the test scripts the frames. */
async function openedOnRawServer() {
  const srv = await rawServer((key) => ok101(key));
  const rec = recorder();
  const accepted = srv.next();
  connect(srv.port, rec.events);
  const { reader } = await accepted;
  await rec.until((l) => l.includes('open'));
  return { srv, rec, reader };
}

describe('lean client against raw frames', { timeout: 60_000 }, () => {
  it('handshakes like RFC 6455 §4.1, answers ping with pong, reassembles fragments, closes cleanly', async () => {
    const srv = await rawServer((key) => ok101(key, 'Sec-WebSocket-Protocol: chat\r\n'));
    const rec = recorder();
    const accepted = srv.next();
    const conn = connect(srv.port, rec.events, ['chat', 'superchat']);
    const { reader, request } = await accepted;
    assert.match(request, /^GET \/chat\?x=1 HTTP\/1\.1\r\n/);
    assert.match(request, /\r\nUpgrade: websocket\r\n/i);
    assert.match(request, /\r\nSec-WebSocket-Version: 13\r\n/);
    assert.match(request, /\r\nSec-WebSocket-Protocol: chat, superchat\r\n/);
    assert.match(request, /\r\nOrigin: http:\/\/example\.com\r\n/);
    assert.match(request, /\r\nX-Test: yes/);
    assert.doesNotMatch(request, /Sec-WebSocket-Extensions/, 'no extension offered');
    await rec.until((l) => l.includes('open'));
    assert.equal(conn.protocol, 'chat');

    reader.socket.write(encodeFrame({ opcode: OPCODE.PING, payload: 'are you there', mask: false }));
    const pong = await reader.nextFrame();
    assert.equal(pong.opcode, OPCODE.PONG);
    assert.equal(pong.masked, true);
    assert.equal(pong.payload.toString(), 'are you there');

    reader.socket.write(
      Buffer.concat([
        encodeFrame({ fin: false, opcode: OPCODE.TEXT, payload: 'Pong: ', mask: false }),
        encodeFrame({ opcode: OPCODE.PING, payload: '', mask: false }),
        encodeFrame({ fin: true, opcode: OPCODE.CONTINUATION, payload: 'fragmented', mask: false }),
      ]),
    );
    await rec.until((l) => l.some((e) => e.startsWith('text:')));
    assert.ok(rec.log.includes('text:Pong: fragmented'));

    conn.send(Buffer.alloc(70_000, 0x63), { binary: true });
    const big = await reader.nextFrameOf(OPCODE.BINARY);
    assert.equal(big.masked, true);
    assert.equal(big.payload.length, 70_000);
    assert.ok(big.payload.every((b) => b === 0x63));

    conn.close(1000, 'bye');
    const close = await reader.nextFrameOf(OPCODE.CLOSE);
    assert.equal(closeCodeOf(close), 1000);
    assert.equal(close.masked, true);
    reader.socket.end(encodeFrame({ opcode: OPCODE.CLOSE, payload: closePayload(1000), mask: false }));
    await rec.until((l) => l.some((e) => e.startsWith('close:')));
    assert.ok(rec.log.includes('close:1000'));
    srv.close();
  });

  it('answers a server-initiated close with the same code', async () => {
    const { srv, rec, reader } = await openedOnRawServer();
    reader.socket.write(encodeFrame({ opcode: OPCODE.CLOSE, payload: closePayload(1001, 'going away'), mask: false }));
    const echo = await reader.nextFrameOf(OPCODE.CLOSE);
    assert.equal(closeCodeOf(echo), 1001);
    reader.socket.end();
    await rec.until((l) => l.includes('close:1001'));
    srv.close();
  });

  it('fails the connection with 1007 on invalid UTF-8 and 1002 on a masked server frame', async () => {
    for (const [frame, code] of [
      [encodeFrame({ opcode: OPCODE.TEXT, payload: Buffer.from([0xff, 0xfe]), mask: false }), 1007],
      [encodeFrame({ opcode: OPCODE.TEXT, payload: 'x', mask: true }), 1002],
      [encodeFrame({ opcode: 0x3, payload: 'x', mask: false }), 1002],
    ] as const) {
      const { srv, rec, reader } = await openedOnRawServer();
      reader.socket.write(frame);
      const close = await reader.nextFrameOf(OPCODE.CLOSE);
      assert.equal(closeCodeOf(close), code);
      await reader.closed;
      await rec.until((l) => l.some((e) => e.startsWith('close:')));
      assert.ok(rec.log.includes(`close:${code}`), rec.log.join());
      srv.close();
    }
  });

  it('refuses a bad handshake answer: wrong accept, unoffered extension, non-101 status', async () => {
    const answers: [(key: string) => string, RegExp][] = [
      [() => ok101('not-the-key'), /Sec-WebSocket-Accept/],
      [(key) => ok101(key, 'Sec-WebSocket-Extensions: permessage-deflate\r\n'), /extension/],
      [(key) => ok101(key, 'Sec-WebSocket-Protocol: other\r\n'), /subprotocol/],
      [() => 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n', /answered the handshake with HTTP 403/],
    ];
    for (const [answer, re] of answers) {
      const srv = await rawServer(answer);
      const rec = recorder();
      connect(srv.port, rec.events, ['chat']);
      await rec.until((l) => l.some((e) => e.startsWith('fail:')));
      assert.match(
        rec.log.find((e) => e.startsWith('fail:'))!,
        re,
      );
      assert.ok(!rec.log.includes('open'));
      srv.close();
    }
  });

  it('gives up on a server that accepts TCP but never answers the handshake (ETIMEDOUT)', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const rec = recorder();
    let code: string | undefined;
    const events: LeanEvents = { ...rec.events, fail: (c, err) => ((code = err.code), rec.events.fail(c, err)) };
    new LeanConnection(
      {
        url: new URL(`ws://127.0.0.1:${(silent.address() as net.AddressInfo).port}/`),
        protocols: [],
        headers: {},
        origin: undefined,
        handshakeTimeoutMs: 300,
        maxPayload: 1 << 20,
      },
      events,
      undefined,
    );
    await rec.until((l) => l.some((e) => e.startsWith('fail:')));
    assert.equal(code, 'ETIMEDOUT');
    assert.deepEqual(rec.log, ['fail:Opening handshake has timed out']);
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it('fails, once, an attempt the server closes before answering: at once, and after half an answer', async () => {
    // Half an answer, then FIN: what a server does that accepts and closes (past its open-file limit, at once).
    for (const answer of ['', 'HTTP/1.1 101 Switching']) {
      const closer = net.createServer((s) => s.end(answer));
      await new Promise<void>((r) => closer.listen(0, '127.0.0.1', () => r()));
      const rec = recorder();
      const codes: (string | undefined)[] = [];
      const events: LeanEvents = { ...rec.events, fail: (c, err) => (codes.push(err.code), rec.events.fail(c, err)) };
      new LeanConnection(
        {
          url: new URL(`ws://127.0.0.1:${(closer.address() as net.AddressInfo).port}/`),
          protocols: [],
          headers: {},
          origin: undefined,
          // Far longer than the test's own timeout: only the close can end the attempt.
          handshakeTimeoutMs: 600_000,
          maxPayload: 1 << 20,
        },
        events,
        undefined,
      );
      await rec.until((l) => l.some((e) => e.startsWith('fail:')));
      // A later event would be a second verdict on the same attempt.
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(rec.log, ['fail:the server closed the connection before answering the upgrade'], `answer ${JSON.stringify(answer)}`);
      assert.deepEqual(codes, [CLOSED_BEFORE_UPGRADE]);
      assert.equal(failureCause(Object.assign(new Error('x'), { code: codes[0] })), 'closed');
      closer.close();
    }
  });

  it('talks to wsbench serve: greeting, then Pong replies', async () => {
    const server = await startServe([]);
    const rec = recorder();
    const conn = connect(server.port, rec.events, ['superchat']);
    await rec.until((l) => l.some((e) => e.startsWith('text:Hello')));
    assert.equal(conn.protocol, 'superchat');
    assert.ok(rec.log.includes('text:Hello Client, you connected to /chat'));
    conn.send(Buffer.from('ping me'), { binary: false });
    await rec.until((l) => l.includes('text:Pong: ping me'));
    conn.close(1000);
    await rec.until((l) => l.some((e) => e.startsWith('close:')));
    await server.stop();
  });
});
