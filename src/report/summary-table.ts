import Table from 'cli-table3';
import type { ResultDocument } from '../contract/result.js';
import { causes, int, kb } from './format.js';
import { msFromUs as ms } from '../core/ms-text.js';
import { hostFloorLine } from '../result/headline.js';
import { messageDescription } from '../result/message-description.js';

/** The end-of-run summary: latency percentiles, then counters and resources, then the verdict. */
export function renderSummary(doc: ResultDocument, files?: { json: string; csv: string; hgrm: string }): string {
  const s = doc.summary;
  const c = doc.config;
  const out: string[] = [];
  out.push(
    `wsbench load ${c.url}: ${int(c.clients)} clients x ${c.ratePerClient} msg/s, ${c.durationS}s measured after ${c.warmupS}s warm-up, ` +
      `${messageDescription(c)}, ${layout(doc)}, ${c.client} client, ${c.arrivals ?? 'grid'} arrivals${doc.interrupted ? '  [INTERRUPTED: partial result]' : ''}`,
  );
  const lat = new Table({ head: ['latency (ms)', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'samples'], style: { head: [], border: [] } });
  const row = (label: string, h: ResultDocument['summary']['rttUs']) => [
    label,
    ms(h.p50),
    ms(h.p90),
    ms(h.p99),
    ms(h.p999),
    ms(h.max),
    ms(h.mean),
    int(h.count),
  ];
  // The headline first (latency.*: from just before the write); results before it show rtt first, as they did.
  const what = s.deliveries ? 'delivery' : 'rtt';
  if (s.latencyUs) lat.push(row(`latency (headline: write → ${s.deliveries ? 'delivery' : 'reply'})`, s.latencyUs));
  lat.push(row(`${what} corrected (from intended send)`, s.rttUs));
  if (!s.latencyUs) lat.push(row(`${what} raw (from actual send)`, s.rttRawUs));
  if (s.deliveries) lat.push(row('last delivery per broadcast', s.deliveries.lastDeliveryUs));
  lat.push(row("send lag (the client's lateness)", s.sendLagUs));
  if (s.hostFloorUs) lat.push(row("host floor (an idle thread's wake-up lateness)", s.hostFloorUs));
  lat.push(row('connect (ramp)', s.connectUs));
  out.push(lat.toString());
  const floor = hostFloorLine(doc);
  if (floor) out.push(floor);

  const info = new Table({ style: { head: [], border: [] } });
  info.push(
    {
      connections: `${int(s.connections.established)} / ${int(s.connections.target)} established, ${int(s.connections.failed)} failed${s.connections.failed ? ` (${causes(s.connections.failuresByCause)})` : ''}`,
    },
    {
      messages:
        `${int(s.messages.sent)} sent, ${int(s.messages.received)} received, ${int(s.messages.lost)} lost, ${int(s.messages.ratePerSec)}/s (window)` +
        `${s.messages.skipped ? `, ${int(s.messages.skipped)} skipped` : ''}${s.messages.waited ? `, ${int(s.messages.waited)} waited behind unsent bytes` : ''}`,
    },
    ...(s.deliveries
      ? [{ deliveries: `${int(s.deliveries.received)} received of ${int(s.deliveries.expected)} expected, ${int(s.deliveries.missing)} missing` }]
      : []),
    s.messages.unknownReplies === undefined ? { 'reply errors': replyErrors(s.messages) } : { 'reply ids': replyIds(s.messages) },
    { 'unexpected closes': causes(s.unexpectedClosesByCode) },
    {
      client: `RSS peak ${kb(s.client.rssPeakKb)} (PSS ${kb(s.client.pssPeakKb)}), ${kb(s.client.rssPerConnectionKb)}/conn, CPU ${s.client.cpuPercentMean}%, loop delay p99 ${ms(s.client.eventLoopDelayP99Us)} ms`,
    },
    {
      server: s.server
        ? `pid ${s.server.pid}: RSS peak ${kb(s.server.rssPeakKb)} (PSS ${kb(s.server.pssPeakKb)}), ${kb(s.server.rssPerConnectionKb)}/conn, CPU ${s.server.cpuPercentMean}%`
        : 'not sampled (pass --server-pid)',
    },
    { verdict: s.verdict + (s.verdictReasons.length ? `: ${s.verdictReasons.join('; ')}` : '') },
  );
  if (files) info.push({ results: `${files.json}\n${files.csv}\n${files.hgrm}` });
  out.push(info.toString());
  return out.join('\n') + '\n';
}

/**
 * Where the load ran. A merged result's `processes` is the sum over its shards, which ran on
 * different machines: name the shards first, or "2 process(es)" reads as one machine's layout.
 */
function layout(doc: ResultDocument): string {
  const c = doc.config;
  const perProcess = `${c.processes} process(es) x ${c.threads} thread(s)`;
  if (doc.mergedFrom?.length) return `merged from ${doc.mergedFrom.length} shards (${c.processes} load process(es) in all)`;
  if (c.shard) return `shard ${c.shard.index}/${c.shard.count}: ${perProcess}`;
  return perProcess;
}

/** A templated run's replies by their id (--reply-id): what is normal for such protocols first, then the errors. */
function replyIds(m: ResultDocument['summary']['messages']): string {
  return (
    `${int(m.otherMessages)} pushes (no id), ${int(m.reorderedReplies ?? 0)} out of order; ` +
    `${int(m.duplicateReplies ?? 0)} duplicated, ${int(m.unknownReplies ?? 0)} unknown, ` +
    `${int(m.lateReplies ?? 0)} late (after --max-in-flight dropped ${int(m.droppedInFlight ?? 0)})`
  );
}

/** Replies that broke the protocol: unparseable, then the sequence checks (absent in older results). */
function replyErrors(m: ResultDocument['summary']['messages']): string {
  return (
    `${int(m.badReplies)} unparseable, ${int(m.duplicateReplies ?? 0)} duplicated, ` +
    `${int(m.outOfOrderReplies ?? 0)} out of order, ${int(m.crossedReplies ?? 0)} crossed (another connection's)`
  );
}
