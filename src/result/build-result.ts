import { CLIENT_MAX_PAYLOAD_BYTES } from '../core/defaults.js';
import type { LoadOutcome } from '../load/run-load.js';
import { environmentFingerprint } from './environment.js';
import { summarize, type MeasuredRun } from './summarize.js';
import { RESULT_SCHEMA_VERSION, type AnsweringWindowRecord, type ResultDocument } from '../contract/result.js';

type Summary = ResultDocument['summary'];

/** Turns what a run measured into the versioned result document (the contract CI jobs read). */
export function buildResult(o: LoadOutcome, tool: { name: string; version: string }, argv: readonly string[]): ResultDocument {
  const { measured, judgement } = summarize(measuredRunOf(o));
  const answeringWindow = answeringWindowOf(o);
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool,
    name: o.config.name,
    startedAt: o.startedAt.toISOString(),
    finishedAt: o.finishedAt.toISOString(),
    config: configOf(o),
    environment: environmentFingerprint(argv, o.cpuAffinity),
    conformance: o.conformance ? { ok: o.conformance.ok, checks: o.conformance.checks } : null,
    target: o.target,
    summary: { ...measured, ...resourcesOf(o), ...judgement },
    series: o.series,
    histograms: histogramsOf(o),
    ...(answeringWindow ? { answeringWindow } : {}),
    interrupted: o.interrupted,
  };
}

/** What summarize() judges: the run's counters, histograms and the window before a target failure. */
function measuredRunOf(o: LoadOutcome): MeasuredRun {
  const h = o.histograms;
  return {
    clientsTarget: o.plan.clients,
    pattern: o.config.pattern,
    templated: o.config.message !== undefined,
    counters: o.counters,
    histograms: {
      rtt: h.rtt,
      rttRaw: h.rttRaw,
      sendLag: h.sendLag,
      connect: h.connect,
      lastDelivery: o.config.pattern === 'broadcast' ? h.lastDelivery : null,
      hostFloor: h.hostFloor,
    },
    ratePerSec: o.windowRanMs > 0 ? Math.round((o.counters.received / (o.windowRanMs / 1000)) * 100) / 100 : 0,
    eventLoopDelayP99Us: o.eventLoopDelayP99Us,
    answering: answeringWindowOf(o) ?? null,
    selfCheck: { maxSendLagP99Ms: o.config.maxSendLagP99Ms, maxEventLoopDelayP99Ms: o.config.maxEventLoopDelayP99Ms },
    interrupted: o.interrupted,
    notes: o.workerErrors,
  };
}

/** The window before the target's first failure, when it failed (answering-window.ts). */
function answeringWindowOf(o: LoadOutcome): AnsweringWindowRecord | undefined {
  const a = o.answering;
  if (a.targetFailedAtMs === null) return undefined;
  return { targetFailedAt: new Date(a.targetFailedAtMs).toISOString(), seconds: a.answeringS, sendLagUs: a.sendLag, eventLoopDelayP99Us: a.loopDelayP99Us };
}

function histogramsOf(o: LoadOutcome): ResultDocument['histograms'] {
  const h = o.histograms;
  const broadcast = o.config.pattern === 'broadcast' ? { lastDeliveryUs: h.lastDelivery } : {};
  const floor = h.hostFloor === null ? {} : { hostFloorUs: h.hostFloor };
  return { rttUs: h.rtt, rttRawUs: h.rttRaw, sendLagUs: h.sendLag, connectUs: h.connect, ...broadcast, ...floor };
}

/** The run's configuration as the result records it (seconds, not ms; what the plan chose). */
function configOf(o: LoadOutcome): ResultDocument['config'] {
  const cfg = o.config;
  return {
    url: cfg.url,
    clients: cfg.clients,
    ratePerClient: cfg.ratePerClient,
    durationS: cfg.durationMs / 1000,
    warmupS: cfg.warmupMs / 1000,
    payloadBytes: cfg.payloadBytes,
    pattern: cfg.pattern,
    senders: cfg.pattern === 'broadcast' ? cfg.senders : null,
    format: cfg.format,
    arrivals: cfg.arrivals,
    arrivalSeed: cfg.arrivals === 'poisson' ? cfg.arrivalSeed : null,
    ...(o.hostFloorRatePerSec > 0 ? { hostFloorRatePerSec: o.hostFloorRatePerSec } : {}),
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
    ...(cfg.message ? { message: cfg.message } : {}),
    ...(cfg.opening.length > 0 ? { opening: cfg.opening } : {}),
    ...(o.sendClockFallback === undefined ? {} : { sendClockFallback: o.sendClockFallback }),
    clientSettings: { maxPayloadBytes: CLIENT_MAX_PAYLOAD_BYTES, handshakeTimeoutMs: cfg.connectTimeoutMs, perMessageDeflate: cfg.deflate },
  };
}

/** Memory and CPU of the server, the load generator and the kernel's socket buffers, from the resource monitor. */
function resourcesOf(o: LoadOutcome): Pick<Summary, 'server' | 'client' | 'kernel'> {
  const m = o.monitor;
  const established = o.counters.established;
  const clientCpuMs = m.windowCpuMs('client');
  const received = o.counters.received;
  return {
    server:
      o.config.serverPid === undefined
        ? null
        : {
            pid: o.config.serverPid,
            rssPeakKb: m.serverRssPeakKb,
            pssPeakKb: m.serverPssPeakKb,
            rssPerConnectionKb: m.rssPerConnectionKb('server', established),
            cpuPercentMean: m.windowCpuPercent('server') ?? 0,
            rssBeforeKb: m.rssAt('baseline', 'server'),
            rssConnectedKb: m.rssAt('connected', 'server'),
          },
    client: {
      rssPeakKb: m.clientRssPeakKb,
      pssPeakKb: m.clientPssPeakKb,
      rssPerConnectionKb: m.rssPerConnectionKb('client', established),
      cpuPercentMean: m.windowCpuPercent('client') ?? 0,
      eventLoopDelayP99Us: o.eventLoopDelayP99Us,
      cpuUsPerMessage: clientCpuMs !== null && received > 0 ? Math.round((clientCpuMs * 1000 * 100) / received) / 100 : null,
      rssBeforeKb: m.rssAt('baseline', 'client'),
      rssConnectedKb: m.rssAt('connected', 'client'),
    },
    kernel: { socketMemoryKbBefore: m.socketMemKb('baseline'), socketMemoryKbConnected: m.socketMemKb('connected'), socketMemoryKbPeak: m.socketMemPeakKb },
  };
}
