import { Counter, Gauge, Registry } from 'prom-client';
import type { SeriesEntry } from '../contract/result.js';
import type { ProgressCounters, ProgressDetail, ProgressSink, ProgressStart } from '../core/progress.js';
import { BucketedHistogramMetric } from './bucketed-histogram.js';
import { LiveHistogram } from './log-buckets.js';

const RUN_LABELS = ['run', 'shard', 'target'] as const;
type RunLabels = Record<(typeof RUN_LABELS)[number], string>;
const PHASES: SeriesEntry['phase'][] = ['ramp', 'warmup', 'measure', 'grace', 'closing'];

/** What the load's metrics show of one run (compare and capacity make one per run). */
interface RunState {
  labels: RunLabels;
  clients: number;
  counters: ProgressCounters | null;
  entry: SeriesEntry | null;
  phase: SeriesEntry['phase'];
  /** Window sends never answered, known once the run's sending stopped (null before). */
  lost: number | null;
  /** The host floor p99 over the window so far (µs; null before the window). */
  hostFloorP99Us: number | null;
}

/**
 * The load's Prometheus metrics (`--metrics-port`): one registry for the orchestrator, one label set
 * per run. Values are copied from the per-second progress at scrape time; nothing here runs per
 * message or on a load worker.
 */
export class LoadMetrics {
  readonly registry = new Registry();
  private readonly runs: RunState[] = [];
  private readonly rtt: BucketedHistogramMetric;
  private readonly rttRaw: BucketedHistogramMetric;
  private readonly latency: BucketedHistogramMetric;
  private readonly sendLag: BucketedHistogramMetric;
  /** Bumped by every change; the text of the last scrape serves until then. */
  private version = 0;
  private rendered: { version: number; text: Promise<string> } | undefined;

  constructor() {
    const registers = [this.registry];
    const runs = this.runs;
    const gauge = (name: string, help: string, value: (r: RunState) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: RUN_LABELS,
        registers,
        collect() {
          this.reset();
          for (const r of runs) {
            const v = value(r);
            if (v !== null) this.set(r.labels, v);
          }
        },
      });
    const counter = (name: string, help: string, value: (c: ProgressCounters) => number) =>
      new Counter({
        name,
        help,
        labelNames: RUN_LABELS,
        registers,
        collect() {
          this.reset();
          for (const r of runs) if (r.counters) this.inc(r.labels, value(r.counters));
        },
      });
    const byKey = (name: string, help: string, key: string, map: (c: ProgressCounters) => Record<string, number>) =>
      new Counter({
        name,
        help,
        labelNames: [...RUN_LABELS, key],
        registers,
        collect() {
          this.reset();
          for (const r of runs) if (r.counters) for (const [k, n] of Object.entries(map(r.counters))) this.inc({ ...r.labels, [key]: k }, n);
        },
      });

    gauge('wsbench_load_connections_target', 'Connections this run (or shard) opens', (r) => r.clients);
    gauge('wsbench_load_connections_open', 'Connections open now', (r) => r.counters?.open ?? null);
    counter('wsbench_load_connections_established_total', 'Connections whose handshake succeeded', (c) => c.established);
    byKey('wsbench_load_connections_failed_total', 'Connections that failed to open, by cause', 'cause', (c) => c.failuresByCause);
    counter('wsbench_load_messages_sent_total', 'Probes sent (warm-up and window)', (c) => c.sentTotal);
    counter('wsbench_load_messages_received_total', 'Replies received and measured (warm-up and window)', (c) => c.receivedTotal);
    counter('wsbench_load_messages_skipped_total', 'Scheduled sends that could not happen (connection closed or buffer full)', (c) => c.skipped);
    counter(
      'wsbench_load_messages_waited_total',
      'Sends written behind unsent bytes of their socket (backpressure; their wait is in the latency)',
      (c) => c.waited,
    );
    gauge('wsbench_load_host_floor_p99_seconds', "The host's floor: p99 lateness of an idle thread's wake-ups over the window so far", (r) =>
      r.hostFloorP99Us === null ? null : r.hostFloorP99Us / 1e6,
    );
    byKey('wsbench_load_reply_errors_total', 'Replies that were wrong: bad, duplicate, out-of-order, crossed, unknown (an id not in flight)', 'kind', (c) => ({
      bad: c.badReplies,
      duplicate: c.duplicateReplies,
      'out-of-order': c.outOfOrderReplies,
      crossed: c.crossedReplies,
      unknown: c.unknownReplies ?? 0,
    }));
    byKey('wsbench_load_unexpected_closes_total', 'Connections the target closed, by close code', 'code', (c) => c.unexpectedClosesByCode);
    byKey('wsbench_load_socket_errors_total', 'Socket errors by code', 'code', (c) => c.errorsByCode);
    gauge('wsbench_load_window_messages_unanswered', 'Window probes sent and not (yet) answered', (r) =>
      r.counters ? Math.max(0, r.counters.sent - r.counters.received) : null,
    );
    gauge('wsbench_load_messages_lost', 'Window probes never answered (set when the run stops sending)', (r) => r.lost);
    gauge('wsbench_load_event_loop_delay_p99_seconds', "The workers' worst event-loop delay p99", (r) => (r.entry ? r.entry.loopDelayP99Us / 1e6 : null));
    gauge('wsbench_load_client_resident_memory_bytes', 'RSS of every load process', (r) => (r.entry ? r.entry.clientRssKb * 1024 : null));
    gauge('wsbench_load_client_cpu_percent', 'CPU of every load process (100 = one core)', (r) => r.entry?.clientCpuPercent ?? null);
    gauge('wsbench_load_server_resident_memory_bytes', 'RSS of the sampled server (--server-pid)', (r) =>
      r.entry?.serverRssKb == null ? null : r.entry.serverRssKb * 1024,
    );
    gauge('wsbench_load_server_cpu_percent', 'CPU of the sampled server (100 = one core)', (r) => r.entry?.serverCpuPercent ?? null);
    new Gauge({
      name: 'wsbench_load_phase',
      help: 'The run phase: 1 for the current one',
      labelNames: [...RUN_LABELS, 'phase'],
      registers,
      collect() {
        this.reset();
        for (const r of runs) for (const p of PHASES) this.set({ ...r.labels, phase: p }, r.phase === p ? 1 : 0);
      },
    });
    this.rtt = new BucketedHistogramMetric({
      name: 'wsbench_load_rtt_seconds',
      help: 'Round trip from the intended send time (corrected for coordinated omission), measured window',
      registry: this.registry,
    });
    this.latency = new BucketedHistogramMetric({
      name: 'wsbench_load_latency_seconds',
      help: 'The headline: round trip from just before the write to the reply (socket queueing included, the send lag not), measured window',
      registry: this.registry,
    });
    this.rttRaw = new BucketedHistogramMetric({
      name: 'wsbench_load_rtt_raw_seconds',
      help: 'Round trip from the actual send, measured window',
      registry: this.registry,
    });
    this.sendLag = new BucketedHistogramMetric({
      name: 'wsbench_load_send_lag_seconds',
      help: 'How late each send left after its intended time, measured window',
      registry: this.registry,
    });
  }

  /**
   * The exposition text. Values change once a second (with the progress), so scrapes in between —
   * a second Prometheus, a curl — get the text already rendered instead of a new one.
   */
  text(): Promise<string> {
    if (this.rendered?.version !== this.version) this.rendered = { version: this.version, text: this.registry.metrics() };
    return this.rendered.text;
  }

  /** A progress sink that feeds this run's metrics (its labels come with `begin`). */
  sink(): ProgressSink {
    let run: RunState | undefined;
    const histograms = { rtt: new LiveHistogram(), rttRaw: new LiveHistogram(), sendLag: new LiveHistogram() };
    return {
      begin: (start: ProgressStart) => {
        const labels: RunLabels = {
          run: start.name,
          shard: start.shard ? `${start.shard.index}/${start.shard.count}` : 'all',
          target: start.url,
        };
        run = { labels, clients: start.clients, counters: null, entry: null, phase: 'ramp', lost: null, hostFloorP99Us: null };
        this.version++;
        this.runs.push(run);
        this.rtt.track(labels, histograms.rtt);
        this.rttRaw.track(labels, histograms.rttRaw);
        // The headline is measured as the raw round trip: one histogram, shown under both names.
        this.latency.track(labels, histograms.rttRaw);
        this.sendLag.track(labels, histograms.sendLag);
      },
      detail: (d: ProgressDetail) => {
        histograms.rtt.add(d.rttUs);
        histograms.rttRaw.add(d.rttRawUs);
        histograms.sendLag.add(d.sendLagUs);
        if (run) {
          run.counters = d.counters;
          if (d.hostFloor) run.hostFloorP99Us = d.hostFloor.p99Us;
        }
        this.version++;
      },
      update: (entry: SeriesEntry) => {
        if (!run) return;
        run.entry = entry;
        run.phase = entry.phase;
        this.version++;
      },
      stop: () => {
        if (!run) return;
        run.phase = 'closing';
        if (run.counters) run.lost = Math.max(0, run.counters.sent - run.counters.received);
        this.version++;
      },
    };
  }
}
