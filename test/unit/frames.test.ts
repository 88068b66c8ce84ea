import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeClientFrame, FrameError, OP, ServerFrameParser } from '../../src/client/frames.js';
import { encodeFrame } from '../helpers/raw-ws.js';

function unmask(frame: Buffer): { fin: boolean; opcode: number; key: Buffer; payload: Buffer; headerLen: number } {
  const masked = (frame[1] & 0x80) !== 0;
  assert.ok(masked, 'client frames are always masked');
  let len = frame[1] & 0x7f;
  let at = 2;
  if (len === 126) {
    len = frame.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    len = Number(frame.readBigUInt64BE(2));
    at = 10;
  }
  const key = frame.subarray(at, at + 4);
  const payload = Buffer.from(frame.subarray(at + 4, at + 4 + len).map((b, i) => b ^ key[i & 3]));
  assert.equal(frame.length, at + 4 + len);
  return { fin: (frame[0] & 0x80) !== 0, opcode: frame[0] & 0x0f, key, payload, headerLen: at };
}

function collect(parser: ServerFrameParser, chunks: Buffer[]): { fin: boolean; opcode: number; payload: Buffer }[] {
  const frames: { fin: boolean; opcode: number; payload: Buffer }[] = [];
  const sink = { onFrame: (fin: boolean, opcode: number, payload: Buffer) => frames.push({ fin, opcode, payload: Buffer.from(payload) }) };
  for (const c of chunks) parser.push(c, sink);
  return frames;
}

describe('lean client framing (RFC 6455 §5)', { timeout: 10_000 }, () => {
  it('encodes every length class, masked with a fresh non-zero key per frame', () => {
    const keys = new Set<string>();
    for (const [len, headerLen] of [
      [0, 2],
      [1, 2],
      [125, 2],
      [126, 4],
      [65535, 4],
      [65536, 10],
      [70000, 10],
    ]) {
      const payload = Buffer.alloc(len, 0x61);
      const f = unmask(encodeClientFrame(OP.TEXT, payload));
      assert.equal(f.headerLen, headerLen, `length ${len}`);
      assert.equal(f.fin, true);
      assert.equal(f.opcode, OP.TEXT);
      assert.deepEqual(f.payload, payload);
      assert.notEqual(f.key.readUInt32BE(0), 0);
      keys.add(f.key.toString('hex'));
    }
    for (let i = 0; i < 1000; i++) keys.add(unmask(encodeClientFrame(OP.BINARY, Buffer.from('x'))).key.toString('hex'));
    assert.ok(keys.size > 990, 'keys are random per frame');
  });

  it('parses server frames of every length class, whole or byte by byte', () => {
    const payloads = [0, 5, 125, 126, 65535, 65536].map((n) => Buffer.alloc(n, 0x62));
    const wire = Buffer.concat(payloads.map((p) => encodeFrame({ opcode: OP.BINARY, payload: p, mask: false })));
    const whole = collect(new ServerFrameParser(1 << 20), [wire]);
    assert.deepEqual(
      whole.map((f) => f.payload.length),
      [0, 5, 125, 126, 65535, 65536],
    );
    const bytes = [];
    for (let i = 0; i < wire.length; i += 997) bytes.push(wire.subarray(i, i + 997));
    const split = collect(new ServerFrameParser(1 << 20), bytes);
    assert.deepEqual(
      split.map((f) => f.payload.length),
      [0, 5, 125, 126, 65535, 65536],
    );
    const one = collect(
      new ServerFrameParser(1 << 20),
      [...encodeFrame({ opcode: OP.TEXT, payload: 'héllo', mask: false })].map((b) => Buffer.from([b])),
    );
    assert.equal(one[0].payload.toString(), 'héllo');
  });

  it('keeps partial frames intact when the caller reuses one read buffer (as the lean client does)', () => {
    const payloads = [3, 125, 126, 700, 65536].map((n, i) => Buffer.alloc(n, 0x61 + i));
    const wire = Buffer.concat(payloads.map((p) => encodeFrame({ opcode: OP.BINARY, payload: p, mask: false })));
    const parser = new ServerFrameParser(1 << 20);
    const frames: Buffer[] = [];
    const sink = { onFrame: (_fin: boolean, _opcode: number, payload: Buffer) => frames.push(Buffer.from(payload)) };
    const shared = Buffer.alloc(4096);
    for (const step of [1, 7, 333, 4096]) {
      for (let i = 0; i < wire.length; i += step) {
        const n = wire.copy(shared, 0, i, i + step);
        parser.push(shared, sink, n);
        shared.fill(0xee); // the next read overwrites it
      }
    }
    assert.equal(frames.length, payloads.length * 4);
    frames.forEach((f, i) => assert.deepEqual(f, payloads[i % payloads.length], `frame ${i}`));
  });

  it('passes fragments and interleaved control frames through in order', () => {
    const wire = Buffer.concat([
      encodeFrame({ fin: false, opcode: OP.TEXT, payload: 'Hel', mask: false }),
      encodeFrame({ opcode: OP.PING, payload: 'p', mask: false }),
      encodeFrame({ fin: true, opcode: OP.CONTINUATION, payload: 'lo', mask: false }),
    ]);
    const frames = collect(new ServerFrameParser(1024), [wire]);
    assert.deepEqual(
      frames.map((f) => [f.fin, f.opcode, f.payload.toString()]),
      [
        [false, OP.TEXT, 'Hel'],
        [true, OP.PING, 'p'],
        [true, OP.CONTINUATION, 'lo'],
      ],
    );
  });

  it('fails the connection with the RFC close code for bad frames', () => {
    const cases: [Buffer, number, RegExp][] = [
      [encodeFrame({ opcode: OP.TEXT, payload: 'x', mask: true }), 1002, /masked/],
      [encodeFrame({ opcode: OP.TEXT, payload: 'x', rsv: 4, mask: false }), 1002, /RSV/],
      [encodeFrame({ opcode: 0x3, payload: 'x', mask: false }), 1002, /reserved opcode/],
      [encodeFrame({ opcode: 0xb, payload: 'x', mask: false }), 1002, /reserved opcode/],
      [encodeFrame({ opcode: OP.PING, payload: Buffer.alloc(126), mask: false }), 1002, /control/],
      [encodeFrame({ fin: false, opcode: OP.PING, payload: 'x', mask: false }), 1002, /control/],
      [encodeFrame({ opcode: OP.BINARY, payload: Buffer.alloc(2000), mask: false }), 1009, /exceeds/],
    ];
    for (const [wire, code, re] of cases) {
      assert.throws(
        () => collect(new ServerFrameParser(1024), [wire]),
        (err: unknown) => err instanceof FrameError && err.closeCode === code && re.test(err.message),
      );
    }
  });
});
