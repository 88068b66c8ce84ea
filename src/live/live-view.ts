import type { Logger } from '../core/logger.js';
import type { ProgressSink } from '../contract/result.js';
import { fanOut } from './fan-out.js';
import { LoadMetrics } from './load-metrics.js';
import { startMetricsEndpoint, type LiveEndpoint } from './metrics-endpoint.js';
import { logProgress } from './progress.js';
import { RunPosition } from './run-position.js';
import { terminalBar } from './terminal-bar.js';

export interface LiveOptions {
  /** `--metrics-port` (0: a free one) and `--metrics-host`. */
  metrics?: { host: string; port: number };
  /** Runs the command plans (compare: servers × tiers × repeats); undefined when open (capacity). */
  plannedRuns?: number;
}

export interface LiveIo {
  stderr: NodeJS.WriteStream;
  isCI: boolean;
  log: Logger;
}

/**
 * Everything a running measurement shows, for one command (load, compare or capacity): the terminal
 * bar or log lines, and the endpoints it was asked for, served by this process (the orchestrator),
 * never by a load worker. Endpoints listen before the first load starts, so a bad port fails first.
 */
export class LiveView {
  private readonly io: LiveIo;
  private readonly position: RunPosition;
  private readonly metrics: LoadMetrics | undefined;
  private readonly endpoints: LiveEndpoint[];

  private constructor(io: LiveIo, position: RunPosition, metrics: LoadMetrics | undefined, endpoints: LiveEndpoint[]) {
    this.io = io;
    this.position = position;
    this.metrics = metrics;
    this.endpoints = endpoints;
  }

  static async start(opts: LiveOptions, io: LiveIo): Promise<LiveView> {
    const endpoints: LiveEndpoint[] = [];
    let metrics: LoadMetrics | undefined;
    if (opts.metrics) {
      metrics = new LoadMetrics();
      const endpoint = await startMetricsEndpoint(metrics, opts.metrics.host, opts.metrics.port);
      endpoints.push(endpoint);
      io.stderr.write(`metrics: ${endpoint.url}\n`);
    }
    return new LiveView(io, new RunPosition(opts.plannedRuns), metrics, endpoints);
  }

  /** The progress sink for the next run: what the terminal shows, and the endpoints' feed. */
  sink(): ProgressSink {
    const shown = this.io.stderr.isTTY && !this.io.isCI ? terminalBar(this.io.stderr, this.position) : logProgress(this.io.log);
    const sinks = [shown];
    if (this.metrics) sinks.push(this.metrics.sink());
    return sinks.length === 1 ? shown : fanOut(sinks);
  }

  /** The command is done: the endpoints stop (nothing waits for a scraper or a browser). */
  async finish(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.close()));
  }
}
