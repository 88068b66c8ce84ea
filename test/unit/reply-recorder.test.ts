import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyRecorder } from '../../src/load/worker/reply-recorder.js';
import { WorkerState } from '../../src/load/worker/worker-state.js';
import type { WorkerConfig } from '../../src/load/worker/messages.js';
import { createProbeBuffer, writeProbe, PROBE_MAX_SEQ } from '../../src/protocol/probe.js';
import { PONG_PREFIX } from '../../src/contract/pong.js';
import { monotonicOriginUs } from '../../src/core/clock.js';

// Two local connections of a worker whose slice is global ids 3 and 5 (firstId 3, stride 2).
const config: WorkerConfig = {
  slice: { workerIndex: 0, process: 0, firstId: 3, stride: 2, count: 2, connectRate: 100 },
  totalClients: 6,
  localAddresses: [],
  localPortBase: 0,
  client: 'lean',
  url: 'ws://127.0.0.1:1/',
  protocols: [],
  headers: {},
  origin: undefined,
  deflate: false,
  payloadBytes: 64,
  ratePerClient: 1,
  connectTimeoutMs: 1000,
  pattern: 'echo',
  senders: 1,
  format: 'plain',
  arrivals: 'grid',
  arrivalSeed: 0,
  // The run's clock = this thread's nowUs(): the probes below are written in it.
  clockBaseUs: monotonicOriginUs(),
  liveHistograms: false,
  message: undefined,
  opening: [],
};

let state: WorkerState;
let recorder: ReplyRecorder;

/** A fresh probe as the target would return it (a new buffer each: the recorder must not keep it). */
function reply(connId: number, seq: number): Buffer {
  const buf = createProbeBuffer(64);
  writeProbe(buf, connId, seq, 1, 1);
  return buf;
}

/** Feeds the replies of local connection `index` (global id 3 + 2 × index) in the order given. */
function feed(index: number, seqs: number[]): void {
  for (const seq of seqs) recorder.record(index, reply(state.globalId(index), seq));
}

describe('reply recorder: sequence checks', { timeout: 10_000 }, () => {
  beforeEach(() => {
    state = new WorkerState(config);
    // Every intended time is in the window, so `received` and the RTT histogram see each measured reply.
    state.windowStartUs = Number.NEGATIVE_INFINITY;
    state.windowEndUs = Number.POSITIVE_INFINITY;
    recorder = new ReplyRecorder(state);
  });

  it('in order, and with gaps (skipped sends), is clean', () => {
    feed(0, [0, 1, 2, 5, 6, 40, 41]);
    const c = state.counters;
    assert.deepEqual([c.received, c.duplicateReplies, c.outOfOrderReplies, c.crossedReplies, c.badReplies], [7, 0, 0, 0, 0]);
    assert.equal(state.hist.rtt.count, 7);
  });

  it('a reply seen twice is a duplicate: counted, not received, not measured', () => {
    feed(0, [0, 1, 1, 2, 0, 2]);
    const c = state.counters;
    assert.equal(c.duplicateReplies, 3);
    assert.equal(c.received, 3);
    assert.equal(c.receivedTotal, 3);
    assert.equal(c.outOfOrderReplies, 0);
    assert.equal(state.hist.rtt.count, 3);
  });

  it('a late reply is out of order but measured; its second copy is a duplicate', () => {
    feed(0, [0, 2, 1, 1, 3, 35, 4]);
    const c = state.counters;
    assert.equal(c.outOfOrderReplies, 2, 'seq 1 after 2, seq 4 after 35 (31 behind, still in the window)');
    assert.equal(c.duplicateReplies, 1);
    assert.equal(c.received, 6);
    assert.equal(state.hist.rtt.count, 6);
  });

  it('more than 32 sends behind: out of order (too old to tell from a duplicate), measured', () => {
    feed(0, [0, 1, 100, 1]);
    assert.equal(state.counters.outOfOrderReplies, 1);
    assert.equal(state.counters.duplicateReplies, 0);
    assert.equal(state.counters.received, 4);
  });

  it('the sequence wraps at 10^7 without being taken for a reorder', () => {
    feed(0, [PROBE_MAX_SEQ - 1, PROBE_MAX_SEQ, 0, 1, PROBE_MAX_SEQ]);
    assert.equal(state.counters.outOfOrderReplies, 0);
    assert.equal(state.counters.duplicateReplies, 1);
    assert.equal(state.counters.received, 4);
  });

  it("another connection's probe is crossed, not measured, and does not disturb either connection's sequence", () => {
    feed(0, [0]);
    recorder.record(0, reply(state.globalId(1), 1));
    recorder.record(0, reply(999, 7));
    feed(0, [1]);
    feed(1, [0, 1]);
    const c = state.counters;
    assert.equal(c.crossedReplies, 2);
    assert.equal(c.received, 4);
    assert.equal(c.outOfOrderReplies + c.duplicateReplies + c.badReplies, 0);
  });

  it('connections are tracked apart, and the Pong prefix is understood', () => {
    feed(0, [0, 1, 2]);
    recorder.record(1, Buffer.concat([Buffer.from(PONG_PREFIX), reply(state.globalId(1), 0)]));
    recorder.record(1, Buffer.concat([Buffer.from(PONG_PREFIX), reply(state.globalId(1), 0)]));
    assert.equal(state.counters.received, 4);
    assert.equal(state.counters.duplicateReplies, 1);
  });

  it('an unparseable probe is a bad reply; a non-probe message is another message', () => {
    const bad = reply(state.globalId(0), 0);
    bad[14] = 0x41; // a letter inside the sequence field (wsb1:IIIIIII:SSSSSSS, seq from byte 13)
    recorder.record(0, bad);
    recorder.record(0, Buffer.from('hello'));
    const c = state.counters;
    assert.equal(c.badReplies, 1);
    assert.equal(c.otherMessages, 1);
    assert.equal(c.received + c.duplicateReplies + c.outOfOrderReplies + c.crossedReplies, 0);
  });
});

describe('reply recorder: templated runs (--reply-id)', { timeout: 10_000 }, () => {
  const templated = (template: string, replyId: string): WorkerConfig => ({ ...config, message: { template, encoding: 'utf8', replyId, maxInFlight: 4 } });
  const json = (id: number | string | null) => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, result: 'ok' }));

  function start(cfg: WorkerConfig): void {
    state = new WorkerState(cfg);
    state.windowStartUs = Number.NEGATIVE_INFINITY;
    state.windowEndUs = Number.POSITIVE_INFINITY;
    recorder = new ReplyRecorder(state);
  }

  it('{id} is seq × clients + conn: a reply naming another connection, or an id never sent, is unknown', () => {
    start(templated('{"id":{id}}', '$.id'));
    const inFlight = state.inFlight!;
    // Local connection 1 is global id 5 of 6 clients: its messages 0 and 1 have ids 5 and 11.
    inFlight.sent(1, 0, 100, 100);
    inFlight.sent(1, 1, 200, 200);
    recorder.record(1, json(11));
    recorder.record(1, json(5));
    recorder.record(1, json(3)); // connection 3 of the run
    recorder.record(1, json(17)); // message 2: not sent yet
    recorder.record(1, json('abc'));
    recorder.record(1, json(null));
    recorder.record(1, Buffer.from('Welcome'));
    recorder.record(1, json(5));
    const c = state.counters;
    assert.deepEqual(
      { received: c.received, reordered: c.reorderedReplies, unknown: c.unknownReplies, pushes: c.otherMessages, duplicates: c.duplicateReplies },
      { received: 2, reordered: 1, unknown: 3, pushes: 2, duplicates: 1 },
    );
    assert.equal(state.hist.rtt.count, 2);
    assert.equal(c.outOfOrderReplies, 0, 'the probe sequence check does not apply');
  });

  it('{seq} alone: the reply carries the sequence number itself (a regex rule here)', () => {
    start(templated('cmd {seq}', 'ack=(\\d+)'));
    state.inFlight!.sent(0, 0, 0, 0);
    state.inFlight!.sent(0, 1, 0, 0);
    recorder.record(0, Buffer.from('ack=1'));
    recorder.record(0, Buffer.from('state x=1'));
    recorder.record(0, Buffer.from('ack=0'));
    const c = state.counters;
    assert.deepEqual([c.received, c.otherMessages, c.reorderedReplies, c.unknownReplies], [2, 1, 1, 0]);
  });
});
