/**
 * Messages between the orchestrator (main thread) and load workers: a typed union, batched per
 * interval, never one per sample. Times that cross threads are shared wall-clock ms (see clock.ts).
 */
import type { ValueCounts } from '../../metrics/bucket-recorder.js';
import type { ArrivalPattern, MessageTemplateConfig, OpeningStep } from '../../contract/result.js';
import type { ProgressCounters } from '../../core/progress.js';

/** Fixed for a worker's life, passed as workerData. */
export interface WorkerConfig {
  slice: { workerIndex: number; process: number; firstId: number; stride: number; count: number; connectRate: number };
  totalClients: number;
  /** Source addresses to bind, spread by connection id; empty = the kernel picks. */
  localAddresses: string[];
  /** Explicit local ports for bound addresses (lean client), 0 = the kernel picks (see run-plan.ts). */
  localPortBase: number;
  client: 'lean' | 'ws';
  url: string;
  protocols: string[];
  headers: Record<string, string>;
  origin: string | undefined;
  deflate: boolean;
  payloadBytes: number;
  ratePerClient: number;
  connectTimeoutMs: number;
  pattern: 'echo' | 'broadcast';
  senders: number;
  format: 'plain' | 'shootout';
  /** When each client's messages are due (arrivals.ts), and the seed of the poisson pattern. */
  arrivals: ArrivalPattern;
  arrivalSeed: number;
  /**
   * The run's zero on the host's monotonic clock (µs): probe times are written relative to it, so a
   * delivery sent by one thread or process is timed by another on the same clock.
   */
  clockBaseUs: number;
  /**
   * Live metrics are on (`--metrics-port`, `--dashboard`): each interval report also carries how the
   * window's RTT histograms grew (one scan of their buckets a second, nothing per message).
   */
  liveHistograms: boolean;
  /** What each client sends instead of the probe, and the reply rule (undefined: the probe). */
  message: MessageTemplateConfig | undefined;
  /** The opening conversation before a connection counts as ready (empty: none). */
  opening: OpeningStep[];
}

export type ToWorker =
  | { type: 'connect' }
  | { type: 'go'; startMs: number; windowStartMs: number; windowEndMs: number }
  /** Stop sending now (signal or the end of the grace period), close every connection with 1000, report. */
  | { type: 'finish' };

/** Counters a worker keeps; the orchestrator sums them over workers (live views see the ProgressCounters part). */
export interface WorkerCounters extends ProgressCounters {
  /** Connections whose explicit local port was taken and were retried with a kernel-chosen one. */
  portRetries: number;
  /**
   * Templated runs (summary.messages says more): replies out of order (not an error), unknown ids
   * (an error), late ones whose message the in-flight cap had dropped, and those drops.
   */
  reorderedReplies: number;
  unknownReplies: number;
  lateReplies: number;
  droppedInFlight: number;
  /** Messages that are not replies (greetings, server pushes): counted, not measured. */
  otherMessages: number;
  bytesSent: number;
  bytesReceived: number;
}

export type FromWorker =
  | { type: 'ready'; workerIndex: number }
  | { type: 'ramp-done'; workerIndex: number; counters: WorkerCounters }
  | {
      type: 'interval';
      workerIndex: number;
      counters: WorkerCounters;
      /**
       * Index of the schedule second this report closes (sent at its end, before the next second's
       * first sends); null during the connect ramp, before the schedule started.
       */
      second: number | null;
      /** RTT (corrected) of replies received since the last interval. */
      rtt: ValueCounts;
      /** The headline (raw RTT) of the same replies. */
      latency: ValueCounts;
      /** Send lag of this interval's sends whose intended time is in the measured window. */
      sendLag: ValueCounts;
      /** With liveHistograms: the window's corrected and raw RTT recorded since the last report (else empty). */
      windowRtt: ValueCounts;
      windowRttRaw: ValueCounts;
      loopDelayP99Us: number;
      sendLagMaxUs: number;
    }
  | {
      type: 'result';
      workerIndex: number;
      counters: WorkerCounters;
      hist: { rtt: ValueCounts; rttRaw: ValueCounts; sendLag: ValueCounts; connect: ValueCounts; lastDelivery: ValueCounts };
      loopDelayP99Us: number;
      /** What woke this worker's sends (worker/send-clock.ts). */
      sendClock: 'timerfd' | 'thread';
    }
  /**
   * The worker hit an exception (in a send tick, say): it has stopped sending and is closing its
   * connections; its result follows. `stack` is for the log's debug level, not the terminal.
   */
  | { type: 'failed'; workerIndex: number; message: string; stack?: string }
  | { type: 'fatal'; workerIndex: number; message: string };

export function emptyCounters(): WorkerCounters {
  return {
    established: 0,
    failed: 0,
    failuresByCause: {},
    sentTotal: 0,
    receivedTotal: 0,
    sent: 0,
    received: 0,
    skipped: 0,
    waited: 0,
    portRetries: 0,
    badReplies: 0,
    duplicateReplies: 0,
    outOfOrderReplies: 0,
    crossedReplies: 0,
    reorderedReplies: 0,
    unknownReplies: 0,
    lateReplies: 0,
    droppedInFlight: 0,
    otherMessages: 0,
    unexpectedClosesByCode: {},
    errorsByCode: {},
    bytesSent: 0,
    bytesReceived: 0,
    open: 0,
  };
}

/** Adds `b` into `a` (counts and per-cause maps). */
export function addCounters(a: WorkerCounters, b: WorkerCounters): WorkerCounters {
  for (const key of Object.keys(a) as (keyof WorkerCounters)[]) {
    const av = a[key];
    const bv = b[key];
    if (typeof av === 'number' && typeof bv === 'number') (a[key] as number) = av + bv;
    else if (typeof av === 'object' && typeof bv === 'object') {
      const map = av;
      for (const [k, v] of Object.entries(bv)) map[k] = (map[k] ?? 0) + v;
    }
  }
  return a;
}

/** The counters of several workers added up. */
export function sumCounters(list: Iterable<WorkerCounters | undefined>): WorkerCounters {
  const total = emptyCounters();
  for (const c of list) if (c) addCounters(total, c);
  return total;
}

/** Errors that say the target failed: connections that failed, closed unexpectedly or errored. */
export function targetErrors(c: WorkerCounters): number {
  return c.failed + sum(c.unexpectedClosesByCode) + sum(c.errorsByCode);
}

function sum(map: Record<string, number>): number {
  let total = 0;
  for (const v of Object.values(map)) total += v;
  return total;
}
