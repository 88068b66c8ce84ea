/**
 * The measured part of a result's summary and its verdict, from counters, histograms and the
 * answering window. One function for a single run (build-result.ts) and for shards merged back
 * into one (merge-results.ts), so a merged verdict follows exactly the rules of a single run's.
 */
import { createHistogram, decodeHistogram, encodeHistogram, summarize as percentiles } from '../metrics/histograms.js';
import { decideVerdict } from './verdict.js';
import type { AnsweringWindowRecord, ResultDocument } from '../contract/result.js';
import type { WorkerCounters } from '../load/worker/messages.js';

type Summary = ResultDocument['summary'];

const EMPTY_HISTOGRAM = (() => {
  const h = createHistogram();
  const encoded = encodeHistogram(h);
  h.destroy();
  return encoded;
})();

/**
 * The counters a run is judged on: the workers' own, summed (or the shards', summed by merge). Shards
 * written before port retries were counted lack them; `open` is a live figure, not a result.
 */
export type RunCounters = Omit<WorkerCounters, 'portRetries' | 'open' | TemplatedCounter> & { portRetries?: number } & Partial<
    Pick<WorkerCounters, TemplatedCounter>
  >;

/** Counters only a templated run keeps (absent from a probe run's result and from results before templates). */
type TemplatedCounter = 'reorderedReplies' | 'unknownReplies' | 'lateReplies' | 'droppedInFlight';

export interface MeasuredRun {
  /** Clients the run (or the merged shards together) set out to connect. */
  clientsTarget: number;
  pattern: 'echo' | 'broadcast';
  /** Sent message templates (--message) and matched replies by --reply-id, instead of the probe. */
  templated: boolean;
  counters: RunCounters;
  /** Encoded HdrHistograms of the window (connect: the ramp); lastDelivery: broadcast only. */
  histograms: { rtt: string; rttRaw: string; sendLag: string; connect: string; lastDelivery: string | null; hostFloor: string | null };
  /** Replies per second over the window. */
  ratePerSec: number;
  /** Client event-loop delay p99 over the whole window. */
  eventLoopDelayP99Us: number;
  /** The window before the target failed; null when it never did. */
  answering: AnsweringWindowRecord | null;
  selfCheck: { maxSendLagP99Ms: number; maxEventLoopDelayP99Ms: number };
  interrupted: boolean;
  /** Reasons the verdict does not weigh but the reader should see (worker errors). */
  notes: string[];
}

/** The summary's measured fields, in the order the result document lists them. */
export type MeasuredSummary = Pick<
  Summary,
  | 'connections'
  | 'messages'
  | 'unexpectedClosesByCode'
  | 'errorsByCode'
  | 'deliveries'
  | 'latencyBasis'
  | 'latencyUs'
  | 'rttUs'
  | 'rttRawUs'
  | 'sendLagUs'
  | 'hostFloorUs'
  | 'connectUs'
>;

export interface RunSummary {
  measured: MeasuredSummary;
  judgement: Pick<Summary, 'verdict' | 'verdictReasons'>;
}

function percentilesOf(encoded: string): Summary['rttUs'] {
  const h = decodeHistogram(encoded);
  const s = percentiles(h);
  h.destroy();
  return s;
}

/** The counters a verdict weighs. */
type JudgedCounters = Pick<
  RunCounters,
  | 'established'
  | 'failed'
  | 'sent'
  | 'received'
  | 'skipped'
  | 'badReplies'
  | 'duplicateReplies'
  | 'outOfOrderReplies'
  | 'crossedReplies'
  | 'unknownReplies'
  | 'unexpectedClosesByCode'
>;

/**
 * What a verdict is decided on: a finished run (summarize) or a running one so far (the live
 * dashboard), so both follow the same rules in the same order.
 */
export interface JudgedRun {
  clientsTarget: number;
  pattern: 'echo' | 'broadcast';
  /** `sent`: the sends whose reply is due; once the grace period is over, every send of the window. */
  counters: JudgedCounters;
  /** Send lag and event-loop delay p99 of the window, or of its seconds before the target failed (answeringS then says how many). */
  saturation: { sendLagP99Us: number; eventLoopDelayP99Us: number; answeringS: number | null };
  selfCheck: { maxSendLagP99Ms: number; maxEventLoopDelayP99Ms: number };
  interrupted: boolean;
}

/** Echo: a message without its reply is lost. Broadcast: every broadcast is due once on every connected client (the sender included). */
function deliveryAccounting(pattern: JudgedRun['pattern'], c: JudgedCounters): { lost: number; expectedDeliveries: number; missingDeliveries: number } {
  if (pattern !== 'broadcast') return { lost: Math.max(0, c.sent - c.received), expectedDeliveries: 0, missingDeliveries: 0 };
  const expectedDeliveries = c.sent * c.established;
  return { lost: 0, expectedDeliveries, missingDeliveries: Math.max(0, expectedDeliveries - c.received) };
}

/**
 * What saturation is judged on: a target that failed mid-run is judged on the seconds before it
 * failed (src/load/series/answering-window.ts says why), any other run on its whole window.
 */
function saturationBasis(run: MeasuredRun, sendLagUs: Summary['sendLagUs']): JudgedRun['saturation'] {
  if (run.answering === null) return { sendLagP99Us: sendLagUs.p99, eventLoopDelayP99Us: run.eventLoopDelayP99Us, answeringS: null };
  return {
    sendLagP99Us: percentilesOf(run.answering.sendLagUs).p99,
    eventLoopDelayP99Us: run.answering.eventLoopDelayP99Us,
    answeringS: run.answering.seconds,
  };
}

function measuredSummary(run: MeasuredRun, lossOf: ReturnType<typeof deliveryAccounting>, sendLagUs: Summary['sendLagUs']): MeasuredSummary {
  const c = run.counters;
  const { lost, expectedDeliveries, missingDeliveries } = lossOf;
  const h = run.histograms;
  const deliveries =
    run.pattern === 'broadcast'
      ? {
          deliveries: {
            expected: expectedDeliveries,
            received: c.received,
            missing: missingDeliveries,
            // Shards written before the encoded histogram was kept have none to merge: an empty summary.
            lastDeliveryUs: percentilesOf(h.lastDelivery ?? EMPTY_HISTOGRAM),
          },
        }
      : {};
  return {
    connections: { target: run.clientsTarget, established: c.established, failed: c.failed, failuresByCause: c.failuresByCause, portRetries: c.portRetries },
    messages: {
      sent: c.sent,
      received: c.received,
      lost,
      ratePerSec: run.ratePerSec,
      skipped: c.skipped,
      waited: c.waited,
      badReplies: c.badReplies,
      duplicateReplies: c.duplicateReplies,
      outOfOrderReplies: c.outOfOrderReplies,
      crossedReplies: c.crossedReplies,
      ...(run.templated
        ? {
            reorderedReplies: c.reorderedReplies ?? 0,
            unknownReplies: c.unknownReplies ?? 0,
            lateReplies: c.lateReplies ?? 0,
            droppedInFlight: c.droppedInFlight ?? 0,
          }
        : {}),
      otherMessages: c.otherMessages,
      sentTotal: c.sentTotal,
      receivedTotal: c.receivedTotal,
      bytesSent: c.bytesSent,
      bytesReceived: c.bytesReceived,
    },
    unexpectedClosesByCode: c.unexpectedClosesByCode,
    errorsByCode: c.errorsByCode,
    ...deliveries,
    // The headline is the raw round trip (docs/measurement.md, "The headline" says why).
    latencyBasis: 'raw',
    latencyUs: percentilesOf(h.rttRaw),
    rttUs: percentilesOf(h.rtt),
    rttRawUs: percentilesOf(h.rttRaw),
    sendLagUs,
    hostFloorUs: h.hostFloor === null ? null : percentilesOf(h.hostFloor),
    connectUs: percentilesOf(h.connect),
  };
}

/** The verdict and its reasons: the one place counters become a VerdictInput. */
export function judgeRun(run: JudgedRun): RunSummary['judgement'] {
  const c = run.counters;
  const lossOf = deliveryAccounting(run.pattern, c);
  const { answeringS, ...saturation } = run.saturation;
  const { verdict, reasons } = decideVerdict({
    clientsTarget: run.clientsTarget,
    established: c.established,
    failed: c.failed,
    lost: lossOf.lost,
    missingDeliveries: lossOf.missingDeliveries,
    skipped: c.skipped,
    badReplies: c.badReplies,
    duplicateReplies: c.duplicateReplies,
    outOfOrderReplies: c.outOfOrderReplies,
    crossedReplies: c.crossedReplies,
    unknownReplies: c.unknownReplies ?? 0,
    unexpectedCloses: Object.values(c.unexpectedClosesByCode).reduce((a, b) => a + b, 0),
    ...saturation,
    ...run.selfCheck,
    interrupted: run.interrupted,
  });
  if (answeringS !== null) reasons.push(`the target failed during the run: client saturation was judged on the ${answeringS} s of the window before`);
  return { verdict, verdictReasons: reasons };
}

/** The summary's measured fields and the verdict, by the one set of rules every result follows. */
export function summarize(run: MeasuredRun): RunSummary {
  const lossOf = deliveryAccounting(run.pattern, run.counters);
  const sendLagUs = percentilesOf(run.histograms.sendLag);
  const judgement = judgeRun({ ...run, saturation: saturationBasis(run, sendLagUs) });
  return { measured: measuredSummary(run, lossOf, sendLagUs), judgement: { ...judgement, verdictReasons: [...judgement.verdictReasons, ...run.notes] } };
}
