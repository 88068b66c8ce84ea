import type { ResultDocument } from '../contract/result.js';

/**
 * One summary row per result with a stable header: columns are only ever appended, never renamed
 * or reordered, so spreadsheets and CI scripts keep working across versions.
 */
export const CSV_COLUMNS = [
  'name',
  'startedAt',
  'url',
  'clients',
  'ratePerClient',
  'durationS',
  'warmupS',
  'payloadBytes',
  'threads',
  'processes',
  'established',
  'failed',
  'sent',
  'received',
  'lost',
  'messagesPerSec',
  'rttP50Us',
  'rttP90Us',
  'rttP99Us',
  'rttP999Us',
  'rttMaxUs',
  'rttRawP50Us',
  'rttRawP99Us',
  'sendLagP99Us',
  'connectP50Us',
  'connectP99Us',
  'serverRssPeakKb',
  'serverRssPerConnectionKb',
  'serverCpuPercentMean',
  'clientRssPeakKb',
  'clientRssPerConnectionKb',
  'clientCpuPercentMean',
  'clientEventLoopDelayP99Us',
  'verdict',
  'interrupted',
  'badReplies',
  'duplicateReplies',
  'outOfOrderReplies',
  'crossedReplies',
  'pattern',
  'format',
  'senders',
  'deliveriesExpected',
  'deliveriesReceived',
  'deliveriesMissing',
  'lastDeliveryP50Us',
  'lastDeliveryP99Us',
  'latencyBasis',
  'latencyP50Us',
  'latencyP90Us',
  'latencyP99Us',
  'latencyP999Us',
  'sendLagP50Us',
  'hostFloorP50Us',
  'hostFloorP99Us',
  'hostFloorP999Us',
  'waited',
  'arrivals',
  'pushes',
  'reorderedReplies',
  'unknownReplies',
  'lateReplies',
  'droppedInFlight',
  'replyId',
] as const;

export function csvRow(r: ResultDocument): Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null> {
  const s = r.summary;
  return {
    name: r.name,
    startedAt: r.startedAt,
    url: r.config.url,
    clients: r.config.clients,
    ratePerClient: r.config.ratePerClient,
    durationS: r.config.durationS,
    warmupS: r.config.warmupS,
    payloadBytes: r.config.payloadBytes,
    threads: r.config.threads,
    processes: r.config.processes,
    established: s.connections.established,
    failed: s.connections.failed,
    sent: s.messages.sent,
    received: s.messages.received,
    lost: s.messages.lost,
    messagesPerSec: s.messages.ratePerSec,
    rttP50Us: s.rttUs.p50,
    rttP90Us: s.rttUs.p90,
    rttP99Us: s.rttUs.p99,
    rttP999Us: s.rttUs.p999,
    rttMaxUs: s.rttUs.max,
    rttRawP50Us: s.rttRawUs.p50,
    rttRawP99Us: s.rttRawUs.p99,
    sendLagP99Us: s.sendLagUs.p99,
    connectP50Us: s.connectUs.p50,
    connectP99Us: s.connectUs.p99,
    serverRssPeakKb: s.server?.rssPeakKb ?? null,
    serverRssPerConnectionKb: s.server?.rssPerConnectionKb ?? null,
    serverCpuPercentMean: s.server?.cpuPercentMean ?? null,
    clientRssPeakKb: s.client.rssPeakKb,
    clientRssPerConnectionKb: s.client.rssPerConnectionKb,
    clientCpuPercentMean: s.client.cpuPercentMean,
    clientEventLoopDelayP99Us: s.client.eventLoopDelayP99Us,
    verdict: s.verdict,
    interrupted: r.interrupted,
    badReplies: s.messages.badReplies,
    // Empty cell, not 0, for a result written before the sequence checks existed.
    duplicateReplies: s.messages.duplicateReplies ?? null,
    outOfOrderReplies: s.messages.outOfOrderReplies ?? null,
    crossedReplies: s.messages.crossedReplies ?? null,
    pattern: r.config.pattern ?? 'echo',
    format: r.config.format ?? 'plain',
    senders: r.config.senders ?? null,
    deliveriesExpected: s.deliveries?.expected ?? null,
    deliveriesReceived: s.deliveries?.received ?? null,
    deliveriesMissing: s.deliveries?.missing ?? null,
    lastDeliveryP50Us: s.deliveries?.lastDeliveryUs.p50 ?? null,
    lastDeliveryP99Us: s.deliveries?.lastDeliveryUs.p99 ?? null,
    // Empty cells for results written before the headline, the host floor and the waited count.
    latencyBasis: s.latencyBasis ?? null,
    latencyP50Us: s.latencyUs?.p50 ?? null,
    latencyP90Us: s.latencyUs?.p90 ?? null,
    latencyP99Us: s.latencyUs?.p99 ?? null,
    latencyP999Us: s.latencyUs?.p999 ?? null,
    sendLagP50Us: s.sendLagUs.p50,
    hostFloorP50Us: s.hostFloorUs?.p50 ?? null,
    hostFloorP99Us: s.hostFloorUs?.p99 ?? null,
    hostFloorP999Us: s.hostFloorUs?.p999 ?? null,
    waited: s.messages.waited ?? null,
    arrivals: r.config.arrivals ?? 'grid',
    // Templated runs only (empty for the probe): server pushes are its messages without an id.
    pushes: r.config.message ? s.messages.otherMessages : null,
    reorderedReplies: s.messages.reorderedReplies ?? null,
    unknownReplies: s.messages.unknownReplies ?? null,
    lateReplies: s.messages.lateReplies ?? null,
    droppedInFlight: s.messages.droppedInFlight ?? null,
    replyId: r.config.message?.replyId ?? null,
  };
}

/** One CSV cell: empty for null, quoted when it holds a quote, comma or newline. */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(results: ResultDocument[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of results) {
    const row = csvRow(r);
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return lines.join('\n') + '\n';
}
