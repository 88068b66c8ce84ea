import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createProbeBuffer,
  writeProbe,
  probeOffset,
  readProbeConnId,
  readProbeSeq,
  readProbeIntendedUs,
  readProbeSentUs,
  PROBE_HEADER_BYTES,
  PROBE_MAX_ID,
  PROBE_MAX_SEQ,
} from '../../src/protocol/probe.js';

describe('probe payload', { timeout: 10_000 }, () => {
  it('round-trips id, seq and both times, padded to the size asked', () => {
    const buf = createProbeBuffer(100);
    assert.equal(buf.length, 100);
    writeProbe(buf, 1234567, 42, 9_876_543_210, 9_876_543_999);
    assert.equal(probeOffset(buf), 0);
    assert.equal(readProbeConnId(buf, 0), 1234567);
    assert.equal(readProbeSeq(buf, 0), 42);
    assert.equal(readProbeIntendedUs(buf, 0), 9_876_543_210);
    assert.equal(readProbeSentUs(buf, 0), 9_876_543_999);
    assert.match(buf.toString('ascii'), /^wsb1:1234567:0000042:0009876543210:0009876543999:x+$/);
  });

  it('writes every field exactly at its edges (zero, the 10^7 split of the times, the largest values)', () => {
    const buf = createProbeBuffer(64);
    const times = [0, 1, 9_999_999, 10_000_000, 10_000_001, 1_795_509_890_123, 9_999_999_999_999];
    for (const t of times) {
      writeProbe(buf, PROBE_MAX_ID, PROBE_MAX_SEQ + 5, t, times[times.length - 1] - t);
      assert.equal(readProbeConnId(buf, 0), PROBE_MAX_ID);
      assert.equal(readProbeSeq(buf, 0), 4, 'the sequence number wraps');
      assert.equal(readProbeIntendedUs(buf, 0), t);
      assert.equal(readProbeSentUs(buf, 0), times[times.length - 1] - t);
    }
    writeProbe(buf, 0, 0, 0, 0);
    assert.match(buf.toString('ascii'), /^wsb1:0000000:0000000:0000000000000:0000000000000:x+$/);
  });

  it('is found after "Pong: " and not in other messages', () => {
    const buf = createProbeBuffer(PROBE_HEADER_BYTES);
    writeProbe(buf, 3, 1, 500, 600);
    const pong = Buffer.concat([Buffer.from('Pong: '), buf]);
    assert.equal(probeOffset(pong), 6);
    assert.equal(readProbeConnId(pong, 6), 3);
    assert.equal(probeOffset(Buffer.from('Hello Client, you connected to /')), -1);
    assert.equal(probeOffset(Buffer.from('Pong: hello')), -1);
  });

  it('reports corrupted digits as -1', () => {
    const buf = createProbeBuffer(64);
    writeProbe(buf, 1, 1, 1, 1);
    buf[6] = 0x41;
    assert.equal(readProbeConnId(buf, 0), -1);
  });
});
