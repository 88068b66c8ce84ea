/**
 * What a running load hands its live views (the progress line, live metrics, the dashboard) each
 * second: an in-process interface of the Node tool, not part of the result document, so it lives
 * here rather than in src/contract (which holds what other runtimes and tools read).
 */
import type { SeriesEntry } from '../contract/result.js';

/** What a live view learns when a run's load starts: its labels and the length of each phase. */
export interface ProgressStart {
  name: string;
  url: string;
  shard: { index: number; count: number } | null;
  clients: number;
  /** The connect ramp's planned length (clients / connect rate), then the schedule's phases. */
  rampS: number;
  warmupS: number;
  durationS: number;
  graceS: number;
  maxSendLagP99Ms: number;
  maxEventLoopDelayP99Ms: number;
  pattern: 'echo' | 'broadcast';
}

/** The run's counters so far, summed over the workers (the part of the workers' own counters a live view shows). */
export interface ProgressCounters {
  established: number;
  failed: number;
  failuresByCause: Record<string, number>;
  /** Whole run (warm-up and window). */
  sentTotal: number;
  receivedTotal: number;
  /** Sends whose intended time fell in the measured window, and their replies. */
  sent: number;
  received: number;
  /** Scheduled sends that could not happen: the connection was closed or its buffer was full. */
  skipped: number;
  /**
   * Sends written while their socket still held unsent bytes (backpressure): they went out, and
   * their wait is inside the raw round trip. Not an error; past the 1 MiB cap a send is `skipped`.
   */
  waited: number;
  /** Replies that did not parse as our probe (a field is not a number). */
  badReplies: number;
  /** Whole run, from the probe's sequence number (see reply-recorder.ts): a reply seen before… */
  duplicateReplies: number;
  /** …one older than a reply already seen on its connection (still measured)… */
  outOfOrderReplies: number;
  /** …and one carrying another connection's id. */
  crossedReplies: number;
  /** Templated runs (--reply-id): replies whose id is not in flight on their connection (an error). */
  unknownReplies?: number;
  unexpectedClosesByCode: Record<string, number>;
  errorsByCode: Record<string, number>;
  /** Connections open now. */
  open: number;
}

/**
 * Beside each series entry, for live metrics: the histograms that arrived since the previous one,
 * as the workers shipped them (non-empty buckets as [value µs, count, value, count, …], one array
 * per worker report). All three cover the measured window only, like the result's histograms.
 */
export interface ProgressDetail {
  rttUs: number[][];
  rttRawUs: number[][];
  sendLagUs: number[][];
  counters: ProgressCounters;
  /** The host's floor over the window so far (µs; null before the window or without one). */
  hostFloor: { p50Us: number; p99Us: number; p999Us: number } | null;
  /** What client saturation is judged on so far, by the result's rule (the window before a target failure). */
  saturation: SaturationSoFar;
}

/** The window's send lag and event-loop delay so far, up to the target's first failure when it failed. */
export interface SaturationSoFar {
  targetFailed: boolean;
  /** Seconds of the window judged (before the failure). */
  answeringS: number;
  sendLagP99Us: number;
  eventLoopDelayP99Us: number;
}

/** Receives one series entry per second (the live line or periodic log lines). */
export interface ProgressSink {
  update(entry: SeriesEntry, target: number): void;
  stop(): void;
  /** Called once, when the workers are up and the connect ramp is about to start. */
  begin?(run: ProgressStart): void;
  /**
   * A sink that has this receives the histograms each second, just before `update`. Only then do
   * the workers ship their window histograms' growth each second (a scan of their buckets once a
   * second, nothing per message).
   */
  detail?(detail: ProgressDetail): void;
}
