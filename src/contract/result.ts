/**
 * The result document every `wsbench load` writes (results/*.json and --json), and the per-second
 * series entry the live progress reads: the contract CI jobs and other tools read. No imports.
 * What a live view is handed in-process while a run goes on is not part of it (core/progress.ts).
 */

/** Percentile summary of one histogram, all values in integer microseconds. */
export interface LatencySummaryUs {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

/** The CPUs a process tree's threads may run on, as the kernel reports them. */
export interface CpuAffinity {
  /** Every CPU any of its threads may use, in Linux's list form (`0-1`, `1`). */
  cpus: string;
  /** True when every thread has that same list (false: some threads were placed differently). */
  uniform: boolean;
  processes: number;
  threads: number;
}

/** Bumped only when a field changes meaning or disappears; new fields do not bump it. */
export const RESULT_SCHEMA_VERSION = 1;

export type Verdict = 'valid' | 'client-saturated' | 'target-errors';

/**
 * When each client's messages are due (`--arrivals`): `grid` (each client at its own phase, rounded
 * to a 1–2 ms grid, the sends of one instant back to back), `spread` (each at its own phase,
 * unrounded), `poisson` (independent exponential gaps, seeded). Results before it are `grid`.
 */
export type ArrivalPattern = 'grid' | 'spread' | 'poisson';

/**
 * A templated run's messages (`--message` / `--message-file`, `--reply-id`): enough to repeat it.
 * `template` is the text, or with `encoding: "base64"` the bytes of a file that is not UTF-8 (sent
 * as binary messages).
 */
export interface MessageTemplateConfig {
  template: string;
  encoding: 'utf8' | 'base64';
  /** Where a reply carries the id: a JSON path (`$.id`) or a regular expression with one capture group. */
  replyId: string;
  /** Messages awaiting their reply per connection; the oldest beyond it is dropped and counted lost. */
  maxInFlight: number;
}

/** One step of the opening conversation: a message sent (a template), or a server message waited for (a regular expression). */
export type OpeningStep = { send: string } | { await: string };

/**
 * What `summary.latencyUs`, the headline, is measured from. `raw`: from just before the write to the
 * reply's read (socket queueing included, the client's lateness before the write excluded). Results
 * without the field were written when the headline was `rttUs`, the corrected figure.
 */
export type LatencyBasis = 'raw';

export interface SeriesEntry {
  /** Seconds since the run started (the connect ramp). */
  tS: number;
  phase: 'ramp' | 'warmup' | 'measure' | 'grace' | 'closing';
  connected: number;
  sentPerSec: number;
  receivedPerSec: number;
  /** Corrected round trip (from the intended send) of the second's replies. */
  rttP50Us: number;
  rttP99Us: number;
  /** The headline (raw round trip, from just before the write) of the second's replies; absent in results before it. */
  latencyP50Us?: number;
  latencyP99Us?: number;
  errors: number;
  clientRssKb: number;
  clientCpuPercent: number;
  serverRssKb: number | null;
  serverCpuPercent: number | null;
  /** Client event-loop delay p99 so far (since the window started, once it has). */
  loopDelayP99Us: number;
  sendLagMaxUs: number;
}

/**
 * The part of the measured window in which the target still answered, when it failed mid-run:
 * client saturation is judged on it (src/load/series/answering-window.ts says why). Kept in the
 * result so that `merge` judges shards by the same rule as a single run.
 */
export interface AnsweringWindowRecord {
  /** Start (ISO) of the schedule second in which the target first failed. */
  targetFailedAt: string;
  /** Seconds of the measured window before that second. */
  seconds: number;
  /** Send lag of the window's sends before that second (encoded HdrHistogram, µs). */
  sendLagUs: string;
  /** Client event-loop delay p99 of the window up to that second. */
  eventLoopDelayP99Us: number;
}

/** The versioned result document: results/<timestamp>-<name>.json and `--json`. */
export interface ResultDocument {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  name: string;
  /** Set by `compare`: which server and tier this run measured, and which repeat it was. */
  label?: { server: string; tier: string; repeat: number };
  startedAt: string;
  finishedAt: string;
  config: {
    url: string;
    clients: number;
    ratePerClient: number;
    durationS: number;
    warmupS: number;
    payloadBytes: number;
    /** Worker threads per load process, load processes, and their product. */
    threads: number;
    processes: number;
    workers: number;
    sourceAddresses: string[];
    /** First explicit local port for bound addresses (0: the kernel picks). */
    localPortBase: number;
    connectRate: number;
    graceS: number;
    protocols: string[];
    deflate: boolean;
    profile: string | null;
    /** Limits of the self-check: above either, the verdict is client-saturated. */
    selfCheck: { maxSendLagP99Ms: number; maxEventLoopDelayP99Ms: number };
    /** This result's slice of a sharded run (`--shard i/n`), or null for a whole run. */
    shard: { index: number; count: number } | null;
    /** Shared schedule start (ISO), when given with --start-at. */
    startAt: string | null;
    client: 'lean' | 'ws';
    /** Traffic pattern and wire format (absent in results written before them: echo, plain). */
    pattern?: 'echo' | 'broadcast';
    /** Clients that sent in the broadcast pattern (null for echo). */
    senders?: number | null;
    format?: 'plain' | 'shootout';
    /** Arrival pattern, and the poisson pattern's seed (null otherwise); absent in results before it: grid. */
    arrivals?: ArrivalPattern;
    arrivalSeed?: number | null;
    /** Deadlines per second of the host-floor thread (absent in results before it). */
    hostFloorRatePerSec?: number;
    /**
     * What woke the sends: `timerfd` (the native timer on the worker's own loop, Linux) or `thread`
     * (a clock thread; on small hosts it costs the raw round trip). Absent in results before it.
     */
    sendClock?: 'timerfd' | 'thread' | 'mixed' | null;
    /** Why the run fell back to the clock thread: the native timer was missing or did not load (absent otherwise). */
    sendClockFallback?: string;
    /** A templated run's messages and reply rule (absent: the probe, and in results before templates). */
    message?: MessageTemplateConfig;
    /** The opening conversation each connection had before it counted as ready (absent: none). */
    opening?: OpeningStep[];
    /** Library settings recorded so runs stay comparable. */
    clientSettings: { maxPayloadBytes: number; handshakeTimeoutMs: number; perMessageDeflate: boolean };
  };
  environment: {
    cpuModel: string;
    cores: number;
    memTotalBytes: number;
    kernel: string;
    os: string;
    node: string;
    fdLimit: { soft: number; hard: number };
    portRange: { low: number; high: number };
    commandLine: string;
    hostname: string;
    /**
     * CPU placement in force during the run, read back from /proc at the connected mark (absent in
     * results written before it; null where it could not be read, e.g. not Linux).
     */
    cpuAffinity?: { load: CpuAffinity | null; server: CpuAffinity | null };
  };
  /** The conformance check run before the load (null with --no-check). */
  conformance: {
    ok: boolean;
    /** severity: what a failed check means (`warning` leaves `ok` true); absent in results written before it, read as `fail`. */
    checks: { name: string; ok: boolean; severity?: 'fail' | 'warning'; detail: string }[];
  } | null;
  target: { replyStyle: 'pong' | 'echo' | 'shootout' | 'reply-id'; greeting: string | null; protocol: string; extensions: string } | null;
  summary: {
    connections: { target: number; established: number; failed: number; failuresByCause: Record<string, number>; portRetries?: number };
    messages: {
      sent: number;
      received: number;
      lost: number;
      ratePerSec: number;
      skipped: number;
      /** Sends written behind unsent bytes of their socket (backpressure, not an error; absent in results before it). */
      waited?: number;
      badReplies: number;
      /**
       * Sequence checks over the whole run (optional: results written before them lack them).
       * Duplicates and crossed replies (another connection's probe) are not measured; out-of-order
       * replies are, and are in `received`.
       */
      duplicateReplies?: number;
      outOfOrderReplies?: number;
      crossedReplies?: number;
      /**
       * Templated runs (absent otherwise): replies answered after a later message's reply (normal
       * for such protocols, measured, not an error); replies whose id was never sent or not in
       * flight (an error); replies to messages the in-flight cap had dropped (already lost, not
       * measured); and the messages that cap dropped (in `lost`). Server pushes (no id) are
       * `otherMessages`.
       */
      reorderedReplies?: number;
      unknownReplies?: number;
      lateReplies?: number;
      droppedInFlight?: number;
      otherMessages: number;
      sentTotal: number;
      receivedTotal: number;
      bytesSent: number;
      bytesReceived: number;
    };
    unexpectedClosesByCode: Record<string, number>;
    errorsByCode: Record<string, number>;
    /**
     * Broadcast pattern only (absent otherwise): deliveries of the window's broadcasts, expected =
     * broadcasts sent × clients connected (the sender included); `lastDeliveryUs`: per broadcast, the
     * latest of its deliveries in one load worker (exact with one worker; with several, each worker's).
     * In this pattern `rttUs`/`rttRawUs` are delivery latencies, from the intended / actual send.
     */
    deliveries?: { expected: number; received: number; missing: number; lastDeliveryUs: LatencySummaryUs };
    /**
     * The headline: what the summary, compare, capacity, the dashboard and the CI gate rank on
     * (`latency.*`), measured as `latencyBasis` says. Absent in results written before it, whose
     * headline was `rttUs`.
     */
    latencyBasis?: LatencyBasis;
    latencyUs?: LatencySummaryUs;
    /** Corrected round trip, from the intended send time: the headline plus the client's send lag. */
    rttUs: LatencySummaryUs;
    rttRawUs: LatencySummaryUs;
    /** The client's own lateness: actual − intended send time (how well the load kept its schedule). */
    sendLagUs: LatencySummaryUs;
    /**
     * The host's floor: how late an idle thread of the load's host woke for deadlines in the window
     * (src/metrics/host-floor.ts). Tail differences smaller than its p99 may be the host's. Absent in
     * results before it; null when it recorded nothing (a run interrupted before its window).
     */
    hostFloorUs?: LatencySummaryUs | null;
    connectUs: LatencySummaryUs;
    server: {
      pid: number;
      rssPeakKb: number;
      /** Peak PSS summed over the server's processes (shared pages counted once; sampled every 5 s). */
      pssPeakKb: number;
      rssPerConnectionKb: number | null;
      cpuPercentMean: number;
      /** RSS before connecting and with every client connected (RSS per connection is their difference / connections). */
      rssBeforeKb: number | null;
      rssConnectedKb: number | null;
    } | null;
    client: {
      /** Peak RSS summed over every load process (shared pages of each process counted in each). */
      rssPeakKb: number;
      /** Peak PSS summed over every load process (shared pages counted once; sampled every 5 s). */
      pssPeakKb: number;
      rssPerConnectionKb: number | null;
      cpuPercentMean: number;
      eventLoopDelayP99Us: number;
      cpuUsPerMessage: number | null;
      rssBeforeKb: number | null;
      rssConnectedKb: number | null;
    };
    kernel: { socketMemoryKbBefore: number | null; socketMemoryKbConnected: number | null; socketMemoryKbPeak: number | null };
    verdict: Verdict;
    verdictReasons: string[];
  };
  series: SeriesEntry[];
  /** Encoded HdrHistograms (hdr-histogram-js compressed base64), measured window only (connect: the ramp). */
  histograms: {
    rttUs: string;
    rttRawUs: string;
    sendLagUs: string;
    connectUs: string;
    /** Broadcast only: per broadcast, its latest delivery in one worker (absent in echo runs and in results before it). */
    lastDeliveryUs?: string;
    /** The host floor's lateness over the window (absent in results before it and when it recorded nothing). */
    hostFloorUs?: string;
  };
  /** Present only when the target failed during the measured window (absent in results before it). */
  answeringWindow?: AnsweringWindowRecord;
  interrupted: boolean;
  /** Set by `merge`: the shard results this one was merged from. */
  mergedFrom?: { name: string; shard: { index: number; count: number } | null; startedAt: string }[];
}
