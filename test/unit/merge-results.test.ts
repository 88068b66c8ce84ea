/**
 * `merge` judges shards by the rules of a single run: shard documents are built with the real
 * buildResult from synthetic load outcomes (no child processes, no network), merged, and the merged
 * verdict is checked against the shards' own and against the same data measured as one run.
 */
import { describe, it } from 'node:test';
import { emptyCounters } from '../../src/load/worker/messages.js';
import assert from 'node:assert/strict';
import { buildResult } from '../../src/result/build-result.js';
import { mergeShardResults } from '../../src/result/merge-results.js';
import { createHistogram, encodeHistogram } from '../../src/metrics/histograms.js';
import { ResourceMonitor } from '../../src/metrics/resource-monitor.js';
import type { LoadOutcome } from '../../src/load/run-load.js';
import type { LoadConfig } from '../../src/profile/load-config.js';
import type { ResultDocument } from '../../src/contract/result.js';

const TOOL = { name: 'wsbench', version: 'test' };
const START_MS = Date.parse('2026-01-01T00:00:00Z');
const CLIENTS_PER_SHARD = 10;
const SENT_PER_SHARD = 1000;

/** An encoded histogram holding `count` samples of each given value (µs). */
function histogramOf(values: [valueUs: number, count: number][]): string {
  const h = createHistogram();
  for (const [v, n] of values) h.recordValueWithCount(v, n);
  const out = encodeHistogram(h);
  h.destroy();
  return out;
}

interface Measured {
  /** Send lag over the whole window, as (µs, count) pairs. */
  sendLag: [number, number][];
  /** Set when the target failed mid-run: the window before it. */
  answering?: { seconds: number; sendLag: [number, number][]; loopDelayP99Us: number };
  loopDelayP99Us?: number;
  unexpectedCloses?: number;
  /** Replies (echo) or deliveries (broadcast) received by one shard's clients; default: one per send. */
  received?: number;
  pattern?: LoadConfig['pattern'];
  format?: LoadConfig['format'];
  /** A templated run (--message): its counters of replies by id, per shard's worth of clients. */
  templated?: { reorderedReplies: number; unknownReplies: number; lateReplies: number; droppedInFlight: number };
}

function loadConfig(m: Measured, shard: LoadConfig['shard'], clients: number): LoadConfig {
  return {
    url: 'ws://127.0.0.1:9/',
    clients,
    ratePerClient: 10,
    durationMs: 10_000,
    warmupMs: 1_000,
    connectRate: 1000,
    payloadBytes: 32,
    protocols: [],
    deflate: false,
    headers: {},
    origin: undefined,
    threads: 1,
    processes: 1,
    localAddresses: [],
    shard,
    startAtMs: START_MS,
    check: false,
    client: 'lean',
    graceMs: 1_000,
    connectTimeoutMs: 5_000,
    serverPid: undefined,
    outDir: '',
    name: 'merge-unit',
    profileName: undefined,
    pattern: m.pattern ?? 'echo',
    senders: 1,
    format: m.format ?? 'plain',
    arrivals: 'grid',
    arrivalSeed: 0,
    maxSendLagP99Ms: 20,
    maxEventLoopDelayP99Ms: 50,
    message: m.templated ? { template: '{"id":{id}}', encoding: 'utf8', replyId: '$.id', maxInFlight: 16 } : undefined,
    opening: [],
  };
}

/**
 * What a load run would hand buildResult for `clients` clients; `m` describes one shard's worth of
 * clients (CLIENTS_PER_SHARD), scaled for a run with more.
 */
function outcome(m: Measured, shard: LoadConfig['shard'], clients: number, runClients: number): LoadOutcome {
  const scale = clients / CLIENTS_PER_SHARD;
  const histogram = (values: [number, number][]) => histogramOf(values.map(([v, n]) => [v, n * scale]));
  const sent = SENT_PER_SHARD * scale;
  const received = (m.received ?? SENT_PER_SHARD) * scale;
  const closes = (m.unexpectedCloses ?? 0) * scale;
  const rtt = histogram([[500, SENT_PER_SHARD]]);
  return {
    config: loadConfig(m, shard, runClients),
    target: { replyStyle: 'pong', greeting: null, protocol: '', extensions: '' },
    conformance: null,
    plan: { processes: 1, threadsPerProcess: 1, localAddresses: [], localPortBase: 0, clients, clientsPerProcessMax: 1e6, portsPerAddressMax: 1e6, slices: [] },
    slices: [],
    counters: {
      ...emptyCounters(),
      established: clients,
      sentTotal: sent,
      receivedTotal: sent,
      sent,
      received,
      unexpectedClosesByCode: closes ? { '1006': closes } : {},
      bytesSent: sent * 32,
      bytesReceived: sent * 38,
      open: clients - closes,
      ...Object.fromEntries(Object.entries(m.templated ?? {}).map(([k, v]) => [k, v * scale])),
    },
    histograms: {
      rtt,
      rttRaw: rtt,
      sendLag: histogram(m.sendLag),
      connect: histogram([[1000, CLIENTS_PER_SHARD]]),
      lastDelivery: histogram([[700, SENT_PER_SHARD]]),
      hostFloor: null,
    },
    hostFloorRatePerSec: 1000,
    eventLoopDelayP99Us: m.loopDelayP99Us ?? 2_000,
    sendClock: 'thread',
    answering: m.answering
      ? {
          targetFailedAtMs: START_MS + 1_000 + m.answering.seconds * 1000,
          answeringS: m.answering.seconds,
          sendLag: histogram(m.answering.sendLag),
          loopDelayP99Us: m.answering.loopDelayP99Us,
        }
      : { targetFailedAtMs: null, answeringS: 10, sendLag: histogram(m.sendLag), loopDelayP99Us: m.loopDelayP99Us ?? 2_000 },
    windowRanMs: 10_000,
    monitor: new ResourceMonitor(process.pid, undefined),
    cpuAffinity: { load: null, server: null },
    series: [],
    interrupted: false,
    workerErrors: [],
    startedAt: new Date(START_MS - 2_000),
    finishedAt: new Date(START_MS + 12_000),
  };
}

function shardDoc(index: number, m: Measured, count = 2): { doc: ResultDocument; file: string } {
  const doc = buildResult(outcome(m, { index, count }, CLIENTS_PER_SHARD, CLIENTS_PER_SHARD * count), TOOL, ['node', 'wsbench', 'load']);
  return { doc, file: `shard-${index}.json` };
}

/** The same clients measured as one unsharded run. */
function singleRun(m: Measured, shards = 2): ResultDocument {
  return buildResult(outcome(m, undefined, CLIENTS_PER_SHARD * shards, CLIENTS_PER_SHARD * shards), TOOL, ['node', 'wsbench', 'load']);
}

/** The summary fields the verdict rules produce (resources are sampled per machine, not judged). */
function judged(doc: ResultDocument) {
  const { server: _s, client: _c, kernel: _k, ...rest } = doc.summary;
  return rest;
}

const calm: Measured = { sendLag: [[100, SENT_PER_SHARD]] };
const saturated: Measured = { sendLag: [[50_000, SENT_PER_SHARD]] };
/** The target died after 5 s: its close burst pushed the whole window's send lag over the limit, the 5 s before were calm. */
const targetDied: Measured = {
  sendLag: [
    [100, SENT_PER_SHARD * 0.95],
    [80_000, SENT_PER_SHARD * 0.05],
  ],
  answering: { seconds: 5, sendLag: [[100, SENT_PER_SHARD / 2]], loopDelayP99Us: 2_000 },
  unexpectedCloses: CLIENTS_PER_SHARD,
};

describe('merge judges shards by the rules of a single run', { timeout: 10_000 }, () => {
  it('two valid shards merge into a valid result', () => {
    const shards = [shardDoc(0, calm), shardDoc(1, calm)];
    for (const s of shards) assert.equal(s.doc.summary.verdict, 'valid');
    const merged = mergeShardResults(shards);
    assert.equal(merged.summary.verdict, 'valid');
    assert.deepEqual(merged.summary.verdictReasons, []);
    assert.equal(merged.summary.messages.sent, 2 * SENT_PER_SHARD);
    assert.equal(merged.config.shard, null);
    assert.deepEqual(judged(merged), judged(singleRun(calm)));
  });

  it('templated shards: their counters of replies by id add up, and an unknown id is judged as in one run', () => {
    const templated: Measured = { ...calm, templated: { reorderedReplies: 3, unknownReplies: 1, lateReplies: 2, droppedInFlight: 2 } };
    const shards = [shardDoc(0, templated), shardDoc(1, templated)];
    const merged = mergeShardResults(shards);
    const m = merged.summary.messages;
    assert.deepEqual([m.reorderedReplies, m.unknownReplies, m.lateReplies, m.droppedInFlight], [6, 2, 4, 4]);
    assert.equal(merged.summary.verdict, 'target-errors');
    assert.deepEqual(merged.config.message, shards[0].doc.config.message);
    assert.deepEqual(judged(merged), judged(singleRun(templated)));
    assert.equal(mergeShardResults([shardDoc(0, calm), shardDoc(1, calm)]).summary.messages.unknownReplies, undefined, 'a probe run has none');
  });

  it('one client-saturated shard makes the merged result client-saturated, with the reason', () => {
    const shards = [shardDoc(0, calm), shardDoc(1, saturated)];
    assert.equal(shards[0].doc.summary.verdict, 'valid');
    assert.equal(shards[1].doc.summary.verdict, 'client-saturated');
    const merged = mergeShardResults(shards);
    assert.equal(merged.summary.verdict, 'client-saturated');
    assert.match(merged.summary.verdictReasons[0], /^send lag p99 50\.\d ms exceeds 20 ms/);
  });

  it('a shard whose target failed mid-run is judged on the window before, as a single run is', () => {
    const shards = [shardDoc(0, targetDied), shardDoc(1, targetDied)];
    const single = singleRun(targetDied);
    for (const doc of [shards[0].doc, single]) {
      assert.equal(doc.summary.verdict, 'target-errors', 'the close burst is not blamed on the client');
      assert.ok(doc.answeringWindow, 'the result keeps the window before the failure');
    }
    const merged = mergeShardResults(shards);
    assert.equal(merged.summary.verdict, 'target-errors');
    assert.ok(merged.summary.verdictReasons.some((r) => r.includes('judged on the 5 s of the window before')));
    assert.deepEqual(judged(merged), judged(single));
    assert.equal(merged.answeringWindow?.seconds, 5);

    // Without the answering window (a shard written before it was kept) the burst would decide.
    const old = shards.map(({ doc, file }) => ({ doc: { ...doc, answeringWindow: undefined }, file }));
    assert.equal(mergeShardResults(old).summary.verdict, 'client-saturated');
  });

  it('a failure seen by one shard: the other shard is judged on its whole, undisturbed window', () => {
    const merged = mergeShardResults([shardDoc(0, targetDied), shardDoc(1, calm)]);
    assert.equal(merged.summary.verdict, 'target-errors');
    assert.ok(merged.answeringWindow);
  });

  it('broadcast shards: deliveries are accounted over the whole run, the last-delivery histogram merged exactly', () => {
    // Each shard's clients get every broadcast of both shards.
    const broadcast: Measured = { ...calm, pattern: 'broadcast', received: 2 * SENT_PER_SHARD * CLIENTS_PER_SHARD };
    const merged = mergeShardResults([shardDoc(0, broadcast), shardDoc(1, broadcast)]);
    assert.equal(merged.summary.verdict, 'valid', merged.summary.verdictReasons.join('; '));
    assert.deepEqual(merged.summary.deliveries && { ...merged.summary.deliveries, lastDeliveryUs: merged.summary.deliveries.lastDeliveryUs.count }, {
      expected: 2 * SENT_PER_SHARD * 2 * CLIENTS_PER_SHARD,
      received: 2 * SENT_PER_SHARD * 2 * CLIENTS_PER_SHARD,
      missing: 0,
      lastDeliveryUs: 2 * SENT_PER_SHARD,
    });
  });

  for (const [field, other] of [
    ['pattern', { ...calm, pattern: 'broadcast' }],
    ['format', { ...calm, format: 'shootout' }],
  ] as const) {
    it(`refuses shards of different runs (${field} differs) with a clear error`, () => {
      assert.throws(
        () => mergeShardResults([shardDoc(0, calm), shardDoc(1, other)]),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'WSB_ERR_MERGE');
          assert.match(err.message, new RegExp(`shard-1\\.json and shard-0\\.json belong to different runs: ${field} is`));
          return true;
        },
      );
    });
  }

  it('shards written before pattern and format were recorded read as echo/plain', () => {
    const a = shardDoc(0, calm);
    const { pattern: _p, format: _f, senders: _s, ...config } = a.doc.config;
    const merged = mergeShardResults([{ doc: { ...a.doc, config }, file: a.file }, shardDoc(1, calm)]);
    assert.equal(merged.summary.verdict, 'valid');
  });
});
