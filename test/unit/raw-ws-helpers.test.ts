/**
 * The raw frame helpers the server tests rely on, checked against RFC 6455 §5.7's examples and
 * fed to the reader one byte at a time over a real TCP pair.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { encodeFrame, FrameReader, OPCODE, closeCodeOf, closePayload } from '../helpers/raw-ws.js';

const T = { timeout: 20_000 };

describe('test helper: raw-ws', { timeout: 60_000 }, () => {
  it('encodes the RFC 6455 §5.7 examples', T, () => {
    assert.equal(encodeFrame({ opcode: OPCODE.TEXT, payload: 'Hello', mask: false }).toString('hex'), '810548656c6c6f');
    const masked = encodeFrame({ opcode: OPCODE.TEXT, payload: 'Hello', maskKey: Buffer.from([0x37, 0xfa, 0x21, 0x3d]) });
    assert.equal(masked.toString('hex'), '818537fa213d7f9f4d5158');
    assert.equal(encodeFrame({ opcode: OPCODE.TEXT, fin: false, payload: 'Hel', mask: false }).toString('hex'), '010348656c');
    assert.equal(encodeFrame({ opcode: OPCODE.CONTINUATION, payload: 'lo', mask: false }).toString('hex'), '80026c6f');
    const b256 = encodeFrame({ opcode: OPCODE.BINARY, payload: Buffer.alloc(256), mask: false });
    assert.equal(b256.subarray(0, 4).toString('hex'), '827e0100');
    assert.equal(b256.length, 4 + 256);
    const b64k = encodeFrame({ opcode: OPCODE.BINARY, payload: Buffer.alloc(65536), mask: false });
    assert.equal(b64k.subarray(0, 10).toString('hex'), '827f0000000000010000');
    assert.equal(encodeFrame({ opcode: 0x3, rsv: 4, payload: '', mask: false }).toString('hex'), 'c300');
  });

  it('reads frames that arrive a byte at a time', T, async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = net.connect({ host: '127.0.0.1', port });
    const peer = await accepted;
    try {
      const reader = new FrameReader(client, encodeFrame({ opcode: OPCODE.TEXT, payload: 'first', mask: false }).subarray(0, 3));
      const rest = Buffer.concat([
        encodeFrame({ opcode: OPCODE.TEXT, payload: 'first', mask: false }).subarray(3),
        encodeFrame({ opcode: OPCODE.BINARY, payload: Buffer.alloc(300, 1), mask: false }),
        encodeFrame({ opcode: OPCODE.BINARY, payload: Buffer.alloc(70_000, 2) }),
        encodeFrame({ opcode: OPCODE.CLOSE, payload: closePayload(1001, 'going'), mask: false }),
      ]);
      for (let i = 0; i < 64; i++) peer.write(rest.subarray(i, i + 1));
      peer.write(rest.subarray(64));
      assert.equal((await reader.nextFrame()).payload.toString(), 'first');
      assert.ok((await reader.nextFrame()).payload.equals(Buffer.alloc(300, 1)));
      const big = await reader.nextFrame();
      assert.equal(big.masked, true);
      assert.ok(big.payload.equals(Buffer.alloc(70_000, 2)), 'masked payload is unmasked');
      const close = await reader.nextFrame();
      assert.equal(close.opcode, OPCODE.CLOSE);
      assert.equal(closeCodeOf(close), 1001);
      peer.end();
      await reader.closed;
      await assert.rejects(reader.nextFrame());
    } finally {
      client.destroy();
      peer.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
