/**
 * `wsbench merge`: shard results (`load --shard i/n`) back into one result of the same schema.
 * Histograms are merged exactly (decoded counts added, never percentiles averaged), counters summed,
 * series aligned by wall-clock second, and the shards are checked to belong to one run
 * (run-identity.ts). The summary and verdict come from summarize(), the rules of a single run.
 */
import { WsbError } from '../core/errors.js';
import { encodeHistogram, mergeEncoded } from '../metrics/histograms.js';
import { shardRunMismatch } from './run-identity.js';
import { summarize, type MeasuredRun, type RunCounters } from './summarize.js';
import type { AnsweringWindowRecord, ResultDocument, SeriesEntry } from '../contract/result.js';

type Summary = ResultDocument['summary'];
type ShardFile = { doc: ResultDocument; file: string };

function mergeError(message: string, hint?: string): WsbError {
  return new WsbError('WSB_ERR_MERGE', message, hint);
}

/** Refuses results that are not the complete set of shards of one run; returns the shard count. */
export function checkShardSet(docs: ShardFile[]): number {
  if (docs.length === 0) throw mergeError('nothing to merge');
  const unsharded = docs.find((d) => !d.doc.config.shard);
  if (unsharded) throw mergeError(`${unsharded.file} is not a shard result (run load with --shard i/n)`);
  checkOneRun(docs);
  return checkEveryShardOnce(docs);
}

/** Every shard has the same shard count, the same load and the same schedule start as the first. */
function checkOneRun(docs: ShardFile[]): void {
  const first = docs[0];
  const n = first.doc.config.shard!.count;
  for (const d of docs) {
    const shard = d.doc.config.shard!;
    if (shard.count !== n) throw mergeError(`${d.file} is shard ${shard.index}/${shard.count}, but ${first.file} is one of ${n}`);
    const differs = shardRunMismatch(first.doc.config, d.doc.config);
    if (differs)
      throw mergeError(
        `${d.file} and ${first.file} belong to different runs: ${differs.field} is ${differs.b} vs ${differs.a}`,
        'merge only the shards of one run',
      );
  }
}

function checkEveryShardOnce(docs: ShardFile[]): number {
  const n = docs[0].doc.config.shard!.count;
  const seen = new Map<number, string>();
  for (const d of docs) {
    const i = d.doc.config.shard!.index;
    if (seen.has(i)) throw mergeError(`shard ${i}/${n} given twice (${seen.get(i)} and ${d.file})`);
    seen.set(i, d.file);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) throw mergeError(`shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} missing`, 'pass every shard result of the run');
  return n;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const round2 = (x: number) => Math.round(x * 100) / 100;
const maxOrNull = (xs: (number | null | undefined)[]) => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? Math.max(...v) : null;
};

function sumMaps(maps: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function mergeHistograms(encoded: string[]): string {
  const h = mergeEncoded(encoded);
  const out = encodeHistogram(h);
  h.destroy();
  return out;
}

/** The run's counters: every shard's added up (`?? 0`: shards written before a counter existed lack it). */
function sumCounters(S: Summary[]): RunCounters {
  const msg = (k: keyof Summary['messages']) => sum(S.map((s) => s.messages[k] ?? 0));
  return {
    established: sum(S.map((s) => s.connections.established)),
    failed: sum(S.map((s) => s.connections.failed)),
    failuresByCause: sumMaps(S.map((s) => s.connections.failuresByCause)),
    portRetries: sum(S.map((s) => s.connections.portRetries ?? 0)),
    sent: msg('sent'),
    received: msg('received'),
    skipped: msg('skipped'),
    waited: msg('waited'),
    badReplies: msg('badReplies'),
    duplicateReplies: msg('duplicateReplies'),
    outOfOrderReplies: msg('outOfOrderReplies'),
    crossedReplies: msg('crossedReplies'),
    reorderedReplies: msg('reorderedReplies'),
    unknownReplies: msg('unknownReplies'),
    lateReplies: msg('lateReplies'),
    droppedInFlight: msg('droppedInFlight'),
    otherMessages: msg('otherMessages'),
    sentTotal: msg('sentTotal'),
    receivedTotal: msg('receivedTotal'),
    bytesSent: msg('bytesSent'),
    bytesReceived: msg('bytesReceived'),
    unexpectedClosesByCode: sumMaps(S.map((s) => s.unexpectedClosesByCode)),
    errorsByCode: sumMaps(S.map((s) => s.errorsByCode)),
  };
}

/** Exactly merged histograms of the run (lastDeliveryUs: broadcast shards that kept it). */
function mergedHistogramsOf(docs: ResultDocument[]): ResultDocument['histograms'] {
  const of = (pick: (h: ResultDocument['histograms']) => string) => mergeHistograms(docs.map((d) => pick(d.histograms)));
  const lastDelivery = docs.map((d) => d.histograms.lastDeliveryUs).filter((x): x is string => x !== undefined);
  const hostFloor = docs.map((d) => d.histograms.hostFloorUs).filter((x): x is string => x !== undefined);
  return {
    rttUs: of((h) => h.rttUs),
    rttRawUs: of((h) => h.rttRawUs),
    sendLagUs: of((h) => h.sendLagUs),
    connectUs: of((h) => h.connectUs),
    ...(lastDelivery.length ? { lastDeliveryUs: mergeHistograms(lastDelivery) } : {}),
    ...(hostFloor.length ? { hostFloorUs: mergeHistograms(hostFloor) } : {}),
  };
}

/**
 * The run's answering window when the target failed in any shard: each shard's sends before it saw
 * the target fail (a shard that never saw it failing: its whole window, its sends were not disturbed),
 * judged together as one run's. The run failed when its first shard saw it fail.
 */
function mergedAnsweringWindow(docs: ResultDocument[]): AnsweringWindowRecord | null {
  const failed = docs.map((d) => d.answeringWindow).filter((a): a is AnsweringWindowRecord => a !== undefined);
  if (failed.length === 0) return null;
  const earliest = failed.reduce((a, b) => (Date.parse(b.targetFailedAt) < Date.parse(a.targetFailedAt) ? b : a));
  return {
    targetFailedAt: earliest.targetFailedAt,
    seconds: Math.min(...failed.map((a) => a.seconds)),
    sendLagUs: mergeHistograms(docs.map((d) => d.answeringWindow?.sendLagUs ?? d.histograms.sendLagUs)),
    eventLoopDelayP99Us: Math.max(...docs.map((d) => d.answeringWindow?.eventLoopDelayP99Us ?? d.summary.client.eventLoopDelayP99Us)),
  };
}

/** What summarize() judges for the merged run: shards run side by side, so their rates add up. */
function mergedMeasuredRun(docs: ResultDocument[], histograms: ResultDocument['histograms'], answering: AnsweringWindowRecord | null): MeasuredRun {
  const S = docs.map((d) => d.summary);
  const first = docs[0];
  return {
    clientsTarget: sum(S.map((s) => s.connections.target)),
    pattern: first.config.pattern ?? 'echo',
    templated: first.config.message !== undefined,
    counters: sumCounters(S),
    histograms: {
      rtt: histograms.rttUs,
      rttRaw: histograms.rttRawUs,
      sendLag: histograms.sendLagUs,
      connect: histograms.connectUs,
      lastDelivery: histograms.lastDeliveryUs ?? null,
      hostFloor: histograms.hostFloorUs ?? null,
    },
    ratePerSec: round2(sum(S.map((s) => s.messages.ratePerSec))),
    eventLoopDelayP99Us: Math.max(...S.map((s) => s.client.eventLoopDelayP99Us)),
    answering,
    // The shards ran the same profile; the first one's limits are the run's.
    selfCheck: first.config.selfCheck,
    interrupted: docs.some((d) => d.interrupted),
    notes: [],
  };
}

/**
 * Every shard saw the same server when they sampled the same pid; its RSS per connection is then
 * (highest "all connected" − lowest "before") over all connections of the run.
 */
function mergedServer(S: Summary[], established: number): Summary['server'] {
  const servers = S.map((s) => s.server).filter((x) => x !== null);
  if (servers.length === 0) return null;
  const samePid = servers.length === S.length && servers.every((x) => x.pid === servers[0].pid);
  const befores = servers.map((x) => x.rssBeforeKb).filter((x): x is number => x !== null);
  const connecteds = servers.map((x) => x.rssConnectedKb).filter((x): x is number => x !== null);
  return {
    pid: servers[0].pid,
    rssPeakKb: Math.max(...servers.map((x) => x.rssPeakKb)),
    pssPeakKb: Math.max(...servers.map((x) => x.pssPeakKb ?? 0)),
    rssPerConnectionKb:
      samePid && befores.length && connecteds.length && established > 0 ? round2((Math.max(...connecteds) - Math.min(...befores)) / established) : null,
    cpuPercentMean: round2(sum(servers.map((x) => x.cpuPercentMean)) / servers.length),
    rssBeforeKb: befores.length ? Math.min(...befores) : null,
    rssConnectedKb: connecteds.length ? Math.max(...connecteds) : null,
  };
}

/** The load generators of all shards together: memory and CPU add up, the event-loop delay is the worst. */
function mergedClient(S: Summary[], established: number): Summary['client'] {
  const deltas = S.map((s) => (s.client.rssBeforeKb !== null && s.client.rssConnectedKb !== null ? s.client.rssConnectedKb - s.client.rssBeforeKb : null));
  const received = sum(S.map((s) => s.messages.received));
  const cpuUs = sum(S.map((s) => (s.client.cpuUsPerMessage ?? 0) * s.messages.received));
  return {
    rssPeakKb: sum(S.map((s) => s.client.rssPeakKb)),
    pssPeakKb: sum(S.map((s) => s.client.pssPeakKb ?? 0)),
    rssPerConnectionKb: deltas.every((d) => d !== null) && established > 0 ? round2(sum(deltas) / established) : null,
    cpuPercentMean: round2(sum(S.map((s) => s.client.cpuPercentMean))),
    eventLoopDelayP99Us: Math.max(...S.map((s) => s.client.eventLoopDelayP99Us)),
    cpuUsPerMessage: received > 0 ? round2(cpuUs / received) : null,
    rssBeforeKb: null,
    rssConnectedKb: null,
  };
}

function mergedKernel(S: Summary[]): Summary['kernel'] {
  return {
    socketMemoryKbBefore: S[0].kernel.socketMemoryKbBefore,
    socketMemoryKbConnected: maxOrNull(S.map((s) => s.kernel.socketMemoryKbConnected)) || null,
    socketMemoryKbPeak: maxOrNull(S.map((s) => s.kernel.socketMemoryKbPeak)) || null,
  };
}

/** One entry per wall-clock second over all shards: rates and counts summed, latencies and peaks at their max. */
function mergeSeries(docs: ResultDocument[]): SeriesEntry[] {
  const origin = Math.min(...docs.map((d) => Date.parse(d.startedAt)));
  const buckets = new Map<number, SeriesEntry[]>();
  for (const d of docs) {
    const start = Date.parse(d.startedAt);
    for (const e of d.series) {
      const sec = Math.round((start + e.tS * 1000 - origin) / 1000);
      buckets.set(sec, [...(buckets.get(sec) ?? []), e]);
    }
  }
  return [...buckets.entries()].sort(([a], [b]) => a - b).map(([sec, es]) => mergeSecond(sec, es));
}

function mergeSecond(tS: number, es: SeriesEntry[]): SeriesEntry {
  const total = (pick: (e: SeriesEntry) => number) => sum(es.map(pick));
  const worst = (pick: (e: SeriesEntry) => number) => Math.max(...es.map(pick));
  return {
    tS,
    phase: es[0].phase,
    connected: total((e) => e.connected),
    sentPerSec: total((e) => e.sentPerSec),
    receivedPerSec: total((e) => e.receivedPerSec),
    // Series keep no histograms: a second's percentile over shards is the worst shard's.
    rttP50Us: worst((e) => e.rttP50Us),
    rttP99Us: worst((e) => e.rttP99Us),
    ...(es.every((e) => e.latencyP50Us !== undefined) ? { latencyP50Us: worst((e) => e.latencyP50Us!), latencyP99Us: worst((e) => e.latencyP99Us ?? 0) } : {}),
    errors: total((e) => e.errors),
    clientRssKb: total((e) => e.clientRssKb),
    clientCpuPercent: total((e) => e.clientCpuPercent),
    serverRssKb: maxOrNull(es.map((e) => e.serverRssKb)),
    serverCpuPercent: maxOrNull(es.map((e) => e.serverCpuPercent)),
    loopDelayP99Us: worst((e) => e.loopDelayP99Us),
    sendLagMaxUs: worst((e) => e.sendLagMaxUs),
  };
}

/** The shards of one run, merged into the result that run would have written as a whole. */
export function mergeShardResults(inputs: ShardFile[], name?: string): ResultDocument {
  checkShardSet(inputs);
  const docs = inputs.map((i) => i.doc).sort((a, b) => a.config.shard!.index - b.config.shard!.index);
  const first = docs[0];
  const S = docs.map((d) => d.summary);
  const histograms = mergedHistogramsOf(docs);
  const answeringWindow = mergedAnsweringWindow(docs);
  const { measured, judgement } = summarize(mergedMeasuredRun(docs, histograms, answeringWindow));
  // Shards written before a figure existed: the merge does not invent it (absent, not 0 or null).
  if (S.some((x) => x.messages.waited === undefined)) delete measured.messages.waited;
  if (S.every((x) => x.hostFloorUs === undefined)) delete measured.hostFloorUs;
  const established = measured.connections.established;
  const { answeringWindow: _firstShardsWindow, ...rest } = first;
  return {
    ...rest,
    name: name ?? first.name,
    startedAt: new Date(Math.min(...docs.map((d) => Date.parse(d.startedAt)))).toISOString(),
    finishedAt: new Date(Math.max(...docs.map((d) => Date.parse(d.finishedAt)))).toISOString(),
    config: { ...first.config, shard: null, processes: sum(docs.map((d) => d.config.processes)), workers: sum(docs.map((d) => d.config.workers)) },
    summary: { ...measured, server: mergedServer(S, established), client: mergedClient(S, established), kernel: mergedKernel(S), ...judgement },
    series: mergeSeries(docs),
    histograms,
    ...(answeringWindow ? { answeringWindow } : {}),
    interrupted: docs.some((d) => d.interrupted),
    mergedFrom: docs.map((d) => ({ name: d.name, shard: d.config.shard, startedAt: d.startedAt })),
  };
}
