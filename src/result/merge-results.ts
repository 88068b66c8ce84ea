/**
 * `wsbench merge`: shard results (`load --shard i/n`) back into one result of the same schema.
 * Histograms are merged exactly (decoded counts added, never percentiles averaged), counters summed,
 * series aligned by wall-clock second, and the shards are checked to belong to one run.
 */
import { WsbError } from '../core/errors.js';
import { encodeHistogram, mergeEncoded, summarize } from '../metrics/histograms.js';
import { decideVerdict } from './verdict.js';
import type { ResultDocument, SeriesEntry } from '../contract/result.js';

/** Config fields that must be equal in every shard of one run. */
const RUN_IDENTITY = [
  'url',
  'clients',
  'ratePerClient',
  'durationS',
  'warmupS',
  'payloadBytes',
  'connectRate',
  'protocols',
  'deflate',
  'client',
  'startAt',
] as const;

function mergeError(message: string, hint?: string): WsbError {
  return new WsbError('WSB_ERR_MERGE', message, hint);
}

/** Refuses results that are not the complete set of shards of one run. */
export function checkShardSet(docs: { doc: ResultDocument; file: string }[]): number {
  if (docs.length === 0) throw mergeError('nothing to merge');
  const unsharded = docs.find((d) => !d.doc.config.shard);
  if (unsharded) throw mergeError(`${unsharded.file} is not a shard result (run load with --shard i/n)`);
  const n = docs[0].doc.config.shard!.count;
  const first = docs[0];
  for (const d of docs) {
    if (d.doc.config.shard!.count !== n)
      throw mergeError(`${d.file} is shard ${d.doc.config.shard!.index}/${d.doc.config.shard!.count}, but ${first.file} is one of ${n}`);
    for (const key of RUN_IDENTITY) {
      const a = JSON.stringify(first.doc.config[key]);
      const b = JSON.stringify(d.doc.config[key]);
      if (a !== b) throw mergeError(`${d.file} and ${first.file} belong to different runs: ${key} is ${b} vs ${a}`, 'merge only the shards of one run');
    }
  }
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

function sumMaps(maps: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const round2 = (x: number) => Math.round(x * 100) / 100;

function mergeHistogram(encoded: string[]): { encoded: string; summary: ReturnType<typeof summarize> } {
  const h = mergeEncoded(encoded);
  const out = { encoded: encodeHistogram(h), summary: summarize(h) };
  h.destroy();
  return out;
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
  const maxOrNull = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? Math.max(...v) : null;
  };
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([sec, es]) => ({
      tS: sec,
      phase: es[0].phase,
      connected: sum(es.map((e) => e.connected)),
      sentPerSec: sum(es.map((e) => e.sentPerSec)),
      receivedPerSec: sum(es.map((e) => e.receivedPerSec)),
      // Series keep no histograms: a second's percentile over shards is the worst shard's.
      rttP50Us: Math.max(...es.map((e) => e.rttP50Us)),
      rttP99Us: Math.max(...es.map((e) => e.rttP99Us)),
      errors: sum(es.map((e) => e.errors)),
      clientRssKb: sum(es.map((e) => e.clientRssKb)),
      clientCpuPercent: sum(es.map((e) => e.clientCpuPercent)),
      serverRssKb: maxOrNull(es.map((e) => e.serverRssKb)),
      serverCpuPercent: maxOrNull(es.map((e) => e.serverCpuPercent)),
      loopDelayP99Us: Math.max(...es.map((e) => e.loopDelayP99Us)),
      sendLagMaxUs: Math.max(...es.map((e) => e.sendLagMaxUs)),
    }));
}

export function mergeShardResults(inputs: { doc: ResultDocument; file: string }[], name?: string): ResultDocument {
  checkShardSet(inputs);
  const docs = inputs.map((i) => i.doc).sort((a, b) => a.config.shard!.index - b.config.shard!.index);
  const first = docs[0];
  const S = docs.map((d) => d.summary);
  const rtt = mergeHistogram(docs.map((d) => d.histograms.rttUs));
  const rttRaw = mergeHistogram(docs.map((d) => d.histograms.rttRawUs));
  const sendLag = mergeHistogram(docs.map((d) => d.histograms.sendLagUs));
  const connect = mergeHistogram(docs.map((d) => d.histograms.connectUs));
  const established = sum(S.map((s) => s.connections.established));
  // `?? 0`: shards written before a counter existed lack it.
  const msg = (k: keyof ResultDocument['summary']['messages']) => sum(S.map((s) => s.messages[k] ?? 0));
  const lost = msg('lost');
  const unexpectedClosesByCode = sumMaps(S.map((s) => s.unexpectedClosesByCode));
  const eventLoopDelayP99Us = Math.max(...S.map((s) => s.client.eventLoopDelayP99Us));
  const interrupted = docs.some((d) => d.interrupted);
  const { verdict, reasons } = decideVerdict({
    clientsTarget: first.config.clients,
    established,
    failed: sum(S.map((s) => s.connections.failed)),
    lost,
    skipped: msg('skipped'),
    badReplies: msg('badReplies'),
    duplicateReplies: msg('duplicateReplies'),
    outOfOrderReplies: msg('outOfOrderReplies'),
    crossedReplies: msg('crossedReplies'),
    unexpectedCloses: sum(Object.values(unexpectedClosesByCode)),
    sendLagP99Us: sendLag.summary.p99,
    eventLoopDelayP99Us,
    // The shards ran the same profile; the first one's limits are the run's.
    maxSendLagP99Ms: first.config.selfCheck.maxSendLagP99Ms,
    maxEventLoopDelayP99Ms: first.config.selfCheck.maxEventLoopDelayP99Ms,
    interrupted,
  });
  // Every shard saw the same server when they sampled the same pid; its RSS per connection is then
  // (highest "all connected" − lowest "before") over all connections of the run.
  const servers = S.map((s) => s.server).filter((x) => x !== null);
  const samePid = servers.length === S.length && servers.every((x) => x.pid === servers[0].pid);
  const befores = servers.map((x) => x.rssBeforeKb).filter((x): x is number => x !== null);
  const connecteds = servers.map((x) => x.rssConnectedKb).filter((x): x is number => x !== null);
  const clientDeltas = S.map((s) =>
    s.client.rssBeforeKb !== null && s.client.rssConnectedKb !== null ? s.client.rssConnectedKb - s.client.rssBeforeKb : null,
  );
  const receivedWeighted = S.map((s) => (s.client.cpuUsPerMessage ?? 0) * s.messages.received);
  return {
    ...first,
    name: name ?? first.name,
    startedAt: new Date(Math.min(...docs.map((d) => Date.parse(d.startedAt)))).toISOString(),
    finishedAt: new Date(Math.max(...docs.map((d) => Date.parse(d.finishedAt)))).toISOString(),
    config: {
      ...first.config,
      shard: null,
      processes: sum(docs.map((d) => d.config.processes)),
      workers: sum(docs.map((d) => d.config.workers)),
    },
    summary: {
      connections: {
        target: sum(S.map((s) => s.connections.target)),
        established,
        failed: sum(S.map((s) => s.connections.failed)),
        failuresByCause: sumMaps(S.map((s) => s.connections.failuresByCause)),
      },
      messages: {
        sent: msg('sent'),
        received: msg('received'),
        lost,
        ratePerSec: round2(msg('ratePerSec')),
        skipped: msg('skipped'),
        badReplies: msg('badReplies'),
        duplicateReplies: msg('duplicateReplies'),
        outOfOrderReplies: msg('outOfOrderReplies'),
        crossedReplies: msg('crossedReplies'),
        otherMessages: msg('otherMessages'),
        sentTotal: msg('sentTotal'),
        receivedTotal: msg('receivedTotal'),
        bytesSent: msg('bytesSent'),
        bytesReceived: msg('bytesReceived'),
      },
      unexpectedClosesByCode,
      errorsByCode: sumMaps(S.map((s) => s.errorsByCode)),
      rttUs: rtt.summary,
      rttRawUs: rttRaw.summary,
      sendLagUs: sendLag.summary,
      connectUs: connect.summary,
      server: servers.length
        ? {
            pid: servers[0].pid,
            rssPeakKb: Math.max(...servers.map((x) => x.rssPeakKb)),
            pssPeakKb: Math.max(...servers.map((x) => x.pssPeakKb ?? 0)),
            rssPerConnectionKb:
              samePid && befores.length && connecteds.length && established > 0 ? round2((Math.max(...connecteds) - Math.min(...befores)) / established) : null,
            cpuPercentMean: round2(sum(servers.map((x) => x.cpuPercentMean)) / servers.length),
            rssBeforeKb: befores.length ? Math.min(...befores) : null,
            rssConnectedKb: connecteds.length ? Math.max(...connecteds) : null,
          }
        : null,
      client: {
        rssPeakKb: sum(S.map((s) => s.client.rssPeakKb)),
        pssPeakKb: sum(S.map((s) => s.client.pssPeakKb ?? 0)),
        rssPerConnectionKb: clientDeltas.every((d) => d !== null) && established > 0 ? round2(sum(clientDeltas) / established) : null,
        cpuPercentMean: round2(sum(S.map((s) => s.client.cpuPercentMean))),
        eventLoopDelayP99Us,
        cpuUsPerMessage: msg('received') > 0 ? round2(sum(receivedWeighted) / msg('received')) : null,
        rssBeforeKb: null,
        rssConnectedKb: null,
      },
      kernel: {
        socketMemoryKbBefore: first.summary.kernel.socketMemoryKbBefore,
        socketMemoryKbConnected: Math.max(...S.map((s) => s.kernel.socketMemoryKbConnected ?? 0)) || null,
        socketMemoryKbPeak: Math.max(...S.map((s) => s.kernel.socketMemoryKbPeak ?? 0)) || null,
      },
      verdict,
      verdictReasons: reasons,
    },
    series: mergeSeries(docs),
    histograms: { rttUs: rtt.encoded, rttRawUs: rttRaw.encoded, sendLagUs: sendLag.encoded, connectUs: connect.encoded },
    interrupted,
    mergedFrom: docs.map((d) => ({ name: d.name, shard: d.config.shard, startedAt: d.startedAt })),
  };
}
