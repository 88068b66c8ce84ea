import { CLIENT_MAX_PAYLOAD_BYTES } from '../core/defaults.js';
import { decodeHistogram, summarize } from '../metrics/histograms.js';
import type { LoadOutcome } from '../load/run-load.js';
import { environmentFingerprint } from './environment.js';
import { decideVerdict } from './verdict.js';
import { RESULT_SCHEMA_VERSION, type ResultDocument } from '../contract/result.js';

/** Turns what a run measured into the versioned result document (the contract CI jobs read). */
export function buildResult(o: LoadOutcome, tool: { name: string; version: string }, argv: readonly string[]): ResultDocument {
  const c = o.counters;
  const cfg = o.config;
  const summaryOf = (encoded: string) => {
    const h = decodeHistogram(encoded);
    const s = summarize(h);
    h.destroy();
    return s;
  };
  const rttUs = summaryOf(o.histograms.rtt);
  const sendLagUs = summaryOf(o.histograms.sendLag);
  // Broadcast: every broadcast is due once on every connected client (the sender included).
  const broadcast = cfg.pattern === 'broadcast';
  const expectedDeliveries = broadcast ? c.sent * c.established : 0;
  const missingDeliveries = Math.max(0, expectedDeliveries - c.received);
  const lost = broadcast ? 0 : Math.max(0, c.sent - c.received);
  const unexpectedCloses = Object.values(c.unexpectedClosesByCode).reduce((a, b) => a + b, 0);
  // A target that failed mid-run: the client is judged on the seconds before it failed (answering-window.ts).
  const targetFailed = o.answering.targetFailedAtMs !== null;
  const saturationBasis = targetFailed
    ? { sendLagP99Us: summaryOf(o.answering.sendLag).p99, eventLoopDelayP99Us: o.answering.loopDelayP99Us }
    : { sendLagP99Us: sendLagUs.p99, eventLoopDelayP99Us: o.eventLoopDelayP99Us };
  const { verdict, reasons } = decideVerdict({
    clientsTarget: o.plan.clients,
    established: c.established,
    failed: c.failed,
    lost,
    missingDeliveries,
    skipped: c.skipped,
    badReplies: c.badReplies,
    duplicateReplies: c.duplicateReplies,
    outOfOrderReplies: c.outOfOrderReplies,
    crossedReplies: c.crossedReplies,
    unexpectedCloses,
    ...saturationBasis,
    maxSendLagP99Ms: cfg.maxSendLagP99Ms,
    maxEventLoopDelayP99Ms: cfg.maxEventLoopDelayP99Ms,
    interrupted: o.interrupted,
  });
  if (targetFailed) reasons.push(`the target failed during the run: client saturation was judged on the ${o.answering.answeringS} s of the window before`);
  if (o.workerErrors.length > 0) reasons.push(...o.workerErrors);
  const m = o.monitor;
  const clientCpuMs = m.windowCpuMs('client');
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool,
    name: cfg.name,
    startedAt: o.startedAt.toISOString(),
    finishedAt: o.finishedAt.toISOString(),
    config: {
      url: cfg.url,
      clients: cfg.clients,
      ratePerClient: cfg.ratePerClient,
      durationS: cfg.durationMs / 1000,
      warmupS: cfg.warmupMs / 1000,
      payloadBytes: cfg.payloadBytes,
      pattern: cfg.pattern,
      senders: broadcast ? cfg.senders : null,
      format: cfg.format,
      threads: o.plan.threadsPerProcess,
      processes: o.plan.processes,
      workers: o.slices.length,
      sourceAddresses: o.plan.localAddresses.length ? o.plan.localAddresses : ['(kernel default)'],
      localPortBase: o.plan.localPortBase,
      connectRate: cfg.connectRate,
      graceS: cfg.graceMs / 1000,
      protocols: cfg.protocols,
      deflate: cfg.deflate,
      profile: cfg.profileName ?? null,
      selfCheck: { maxSendLagP99Ms: cfg.maxSendLagP99Ms, maxEventLoopDelayP99Ms: cfg.maxEventLoopDelayP99Ms },
      shard: cfg.shard ?? null,
      startAt: cfg.startAtMs === undefined ? null : new Date(cfg.startAtMs).toISOString(),
      client: cfg.client,
      sendClock: o.sendClock,
      clientSettings: { maxPayloadBytes: CLIENT_MAX_PAYLOAD_BYTES, handshakeTimeoutMs: cfg.connectTimeoutMs, perMessageDeflate: cfg.deflate },
    },
    environment: environmentFingerprint(argv, o.cpuAffinity),
    conformance: o.conformance ? { ok: o.conformance.ok, checks: o.conformance.checks } : null,
    target: o.target,
    summary: {
      connections: { target: o.plan.clients, established: c.established, failed: c.failed, failuresByCause: c.failuresByCause, portRetries: c.portRetries },
      messages: {
        sent: c.sent,
        received: c.received,
        lost,
        ratePerSec: o.windowRanMs > 0 ? Math.round((c.received / (o.windowRanMs / 1000)) * 100) / 100 : 0,
        skipped: c.skipped,
        badReplies: c.badReplies,
        duplicateReplies: c.duplicateReplies,
        outOfOrderReplies: c.outOfOrderReplies,
        crossedReplies: c.crossedReplies,
        otherMessages: c.otherMessages,
        sentTotal: c.sentTotal,
        receivedTotal: c.receivedTotal,
        bytesSent: c.bytesSent,
        bytesReceived: c.bytesReceived,
      },
      unexpectedClosesByCode: c.unexpectedClosesByCode,
      errorsByCode: c.errorsByCode,
      rttUs,
      ...(broadcast
        ? {
            deliveries: {
              expected: expectedDeliveries,
              received: c.received,
              missing: missingDeliveries,
              lastDeliveryUs: summaryOf(o.histograms.lastDelivery),
            },
          }
        : {}),
      rttRawUs: summaryOf(o.histograms.rttRaw),
      sendLagUs,
      connectUs: summaryOf(o.histograms.connect),
      server:
        cfg.serverPid === undefined
          ? null
          : {
              pid: cfg.serverPid,
              rssPeakKb: m.serverRssPeakKb,
              pssPeakKb: m.serverPssPeakKb,
              rssPerConnectionKb: m.rssPerConnectionKb('server', c.established),
              cpuPercentMean: m.windowCpuPercent('server') ?? 0,
              rssBeforeKb: m.rssAt('baseline', 'server'),
              rssConnectedKb: m.rssAt('connected', 'server'),
            },
      client: {
        rssPeakKb: m.clientRssPeakKb,
        pssPeakKb: m.clientPssPeakKb,
        rssPerConnectionKb: m.rssPerConnectionKb('client', c.established),
        cpuPercentMean: m.windowCpuPercent('client') ?? 0,
        eventLoopDelayP99Us: o.eventLoopDelayP99Us,
        cpuUsPerMessage: clientCpuMs !== null && c.received > 0 ? Math.round((clientCpuMs * 1000 * 100) / c.received) / 100 : null,
        rssBeforeKb: m.rssAt('baseline', 'client'),
        rssConnectedKb: m.rssAt('connected', 'client'),
      },
      kernel: {
        socketMemoryKbBefore: m.socketMemKb('baseline'),
        socketMemoryKbConnected: m.socketMemKb('connected'),
        socketMemoryKbPeak: m.socketMemPeakKb,
      },
      verdict,
      verdictReasons: reasons,
    },
    series: o.series,
    histograms: { rttUs: o.histograms.rtt, rttRawUs: o.histograms.rttRaw, sendLagUs: o.histograms.sendLag, connectUs: o.histograms.connect },
    interrupted: o.interrupted,
  };
}
