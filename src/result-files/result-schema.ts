import { z } from 'zod';
import { RESULT_SCHEMA_VERSION, type ResultDocument } from '../contract/result.js';

/**
 * The zod twin of ResultDocument (src/contract/result.ts), checked when a result is read back by
 * `report`, `merge` and the gate. Two rules keep old and future files readable:
 * - every object is loose: a field a later wsbench adds (without bumping schemaVersion, as the
 *   contract allows) passes through untouched instead of failing an older reader;
 * - a field the contract documents as absent in results written before it is optional here, and so
 *   are the few that results from before src/contract existed lack (test/fixtures/results holds
 *   files written by those versions; the fixture test reads every one of them).
 * The type checks at the bottom keep the schema and the contract from drifting apart.
 */

const count = z.number().int().nonnegative();
const num = z.number();
const countsByKey = z.record(z.string(), z.number());
const shard = z.looseObject({ index: count, count: count }).nullable();

const latency = z.looseObject({
  count: num,
  min: num,
  mean: num,
  p50: num,
  p90: num,
  p99: num,
  p999: num,
  p9999: num,
  max: num,
});

const cpuAffinity = z.looseObject({ cpus: z.string(), uniform: z.boolean(), processes: num, threads: num }).nullable();

const config = z.looseObject({
  url: z.string(),
  clients: count,
  ratePerClient: num,
  durationS: num,
  warmupS: num,
  payloadBytes: num,
  threads: count,
  processes: count,
  workers: count,
  sourceAddresses: z.array(z.string()),
  localPortBase: num,
  connectRate: num,
  graceS: num,
  protocols: z.array(z.string()),
  deflate: z.boolean(),
  profile: z.string().nullable(),
  selfCheck: z.looseObject({ maxSendLagP99Ms: num, maxEventLoopDelayP99Ms: num }),
  shard,
  startAt: z.string().nullable(),
  client: z.enum(['lean', 'ws']),
  pattern: z.enum(['echo', 'broadcast']).optional(),
  senders: count.nullable().optional(),
  format: z.enum(['plain', 'shootout']).optional(),
  arrivals: z.enum(['grid', 'spread', 'poisson']).optional(),
  arrivalSeed: num.nullable().optional(),
  hostFloorRatePerSec: num.optional(),
  sendClock: z.enum(['timerfd', 'thread', 'mixed']).nullable().optional(),
  sendClockFallback: z.string().optional(),
  message: z.looseObject({ template: z.string(), encoding: z.enum(['utf8', 'base64']), replyId: z.string(), maxInFlight: count }).optional(),
  opening: z.array(z.union([z.looseObject({ send: z.string() }), z.looseObject({ await: z.string() })])).optional(),
  clientSettings: z.looseObject({ maxPayloadBytes: num, handshakeTimeoutMs: num, perMessageDeflate: z.boolean() }),
});

const environment = z.looseObject({
  cpuModel: z.string(),
  cores: count,
  memTotalBytes: num,
  kernel: z.string(),
  os: z.string(),
  node: z.string(),
  fdLimit: z.looseObject({ soft: num, hard: num }),
  portRange: z.looseObject({ low: num, high: num }),
  commandLine: z.string(),
  hostname: z.string(),
  cpuAffinity: z.looseObject({ load: cpuAffinity, server: cpuAffinity }).optional(),
});

const conformance = z
  .looseObject({
    ok: z.boolean(),
    checks: z.array(z.looseObject({ name: z.string(), ok: z.boolean(), severity: z.enum(['fail', 'warning']).optional(), detail: z.string() })),
  })
  .nullable();

const target = z
  .looseObject({
    replyStyle: z.enum(['pong', 'echo', 'shootout', 'reply-id']),
    greeting: z.string().nullable(),
    protocol: z.string(),
    extensions: z.string(),
  })
  .nullable();

const messages = z.looseObject({
  sent: count,
  received: count,
  lost: num,
  ratePerSec: num,
  skipped: count,
  waited: count.optional(),
  badReplies: count,
  duplicateReplies: count.optional(),
  outOfOrderReplies: count.optional(),
  crossedReplies: count.optional(),
  reorderedReplies: count.optional(),
  unknownReplies: count.optional(),
  lateReplies: count.optional(),
  droppedInFlight: count.optional(),
  otherMessages: count,
  sentTotal: count,
  receivedTotal: count,
  bytesSent: num,
  bytesReceived: num,
});

const kb = num.nullable();

const summary = z.looseObject({
  connections: z.looseObject({
    target: count,
    established: count,
    failed: count,
    failuresByCause: countsByKey,
    portRetries: count.optional(),
  }),
  messages,
  unexpectedClosesByCode: countsByKey,
  errorsByCode: countsByKey,
  deliveries: z.looseObject({ expected: num, received: num, missing: num, lastDeliveryUs: latency }).optional(),
  latencyBasis: z.enum(['raw']).optional(),
  latencyUs: latency.optional(),
  rttUs: latency,
  rttRawUs: latency,
  sendLagUs: latency,
  hostFloorUs: latency.nullable().optional(),
  connectUs: latency,
  server: z
    .looseObject({
      pid: num,
      rssPeakKb: num,
      pssPeakKb: num,
      rssPerConnectionKb: kb,
      cpuPercentMean: num,
      rssBeforeKb: kb,
      rssConnectedKb: kb,
    })
    .nullable(),
  client: z.looseObject({
    rssPeakKb: num,
    pssPeakKb: num,
    rssPerConnectionKb: kb,
    cpuPercentMean: num,
    eventLoopDelayP99Us: num,
    cpuUsPerMessage: kb,
    rssBeforeKb: kb,
    rssConnectedKb: kb,
  }),
  kernel: z.looseObject({ socketMemoryKbBefore: kb, socketMemoryKbConnected: kb, socketMemoryKbPeak: kb }),
  verdict: z.enum(['valid', 'client-saturated', 'target-errors']),
  verdictReasons: z.array(z.string()),
});

const seriesEntry = z.looseObject({
  tS: num,
  phase: z.enum(['ramp', 'warmup', 'measure', 'grace', 'closing']),
  connected: num,
  sentPerSec: num,
  receivedPerSec: num,
  rttP50Us: num,
  rttP99Us: num,
  latencyP50Us: num.optional(),
  latencyP99Us: num.optional(),
  errors: num,
  clientRssKb: num,
  clientCpuPercent: num,
  serverRssKb: kb,
  serverCpuPercent: kb,
  loopDelayP99Us: num,
  sendLagMaxUs: num,
});

const histograms = z.looseObject({
  rttUs: z.string(),
  rttRawUs: z.string(),
  sendLagUs: z.string(),
  connectUs: z.string(),
  lastDeliveryUs: z.string().optional(),
  hostFloorUs: z.string().optional(),
});

const answeringWindow = z.looseObject({
  targetFailedAt: z.string(),
  seconds: num,
  sendLagUs: z.string(),
  eventLoopDelayP99Us: num,
});

export const resultSchema = z.looseObject({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
  name: z.string(),
  label: z.looseObject({ server: z.string(), tier: z.string(), repeat: num }).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  config,
  environment,
  conformance,
  target,
  summary,
  series: z.array(seriesEntry),
  histograms,
  answeringWindow: answeringWindow.optional(),
  interrupted: z.boolean(),
  mergedFrom: z.array(z.looseObject({ name: z.string(), shard, startedAt: z.string() })).optional(),
});

/** A loose object's type without its `[key: string]: unknown` (interfaces have none to match it). */
type Declared<T> = T extends readonly (infer U)[] ? Declared<U>[] : T extends object ? { [K in keyof T as string extends K ? never : K]: Declared<T[K]> } : T;

/** Every document today's writer can produce is accepted by the schema… */
export const writtenIsAccepted = (doc: ResultDocument): Declared<z.input<typeof resultSchema>> => doc;
/** …and what the schema lets through has every field the contract promises, typed as it says. */
export const acceptedIsResult = (doc: z.output<typeof resultSchema>): ResultDocument => doc;
