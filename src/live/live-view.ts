import type { Logger } from '../core/logger.js';
import type { ProgressSink } from '../core/progress.js';
import fs from 'node:fs';
import type { ResultDocument } from '../contract/result.js';
import { renderHtmlReport } from '../report/html-report.js';
import { DashboardState } from './dashboard-state.js';
import { startDashboard, type DashboardEndpoint } from './dashboard-server.js';
import { fanOut } from './fan-out.js';
import { LoadMetrics } from './load-metrics.js';
import { startMetricsEndpoint, type LiveEndpoint } from './metrics-endpoint.js';
import { logProgress } from './progress.js';
import { RunPosition } from './run-position.js';
import { terminalBar } from './terminal-bar.js';

export interface LiveOptions {
  /** `--metrics-port` (0: a free one) and `--metrics-host`. */
  metrics?: { host: string; port: number };
  /** `--dashboard [port]` and `--dashboard-host`. */
  dashboard?: { host: string; port: number };
  /** What the dashboard calls the command: wsbench load, wsbench compare, … */
  title: string;
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
  private readonly dashboard: { state: DashboardState; endpoint: DashboardEndpoint } | undefined;

  private constructor(
    io: LiveIo,
    position: RunPosition,
    metrics: LoadMetrics | undefined,
    endpoints: LiveEndpoint[],
    dashboard: { state: DashboardState; endpoint: DashboardEndpoint } | undefined,
  ) {
    this.io = io;
    this.position = position;
    this.metrics = metrics;
    this.endpoints = endpoints;
    this.dashboard = dashboard;
  }

  static async start(opts: LiveOptions, io: LiveIo): Promise<LiveView> {
    const endpoints: LiveEndpoint[] = [];
    let metrics: LoadMetrics | undefined;
    let dashboard: { state: DashboardState; endpoint: DashboardEndpoint } | undefined;
    try {
      if (opts.metrics) {
        metrics = new LoadMetrics();
        const endpoint = await startMetricsEndpoint(metrics, opts.metrics.host, opts.metrics.port);
        endpoints.push(endpoint);
        io.stderr.write(`metrics: ${endpoint.url}\n`);
      }
      if (opts.dashboard) {
        const state = new DashboardState(opts.title, opts.plannedRuns);
        const endpoint = await startDashboard(state, opts.dashboard.host, opts.dashboard.port);
        endpoints.push(endpoint);
        dashboard = { state, endpoint };
        io.stderr.write(`dashboard: ${endpoint.url}\n`);
      }
    } catch (err) {
      await Promise.all(endpoints.map((e) => e.close()));
      throw err;
    }
    return new LiveView(io, new RunPosition(opts.plannedRuns), metrics, endpoints, dashboard);
  }

  /** The progress sink for the next run: what the terminal shows, and the endpoints' feed. */
  sink(): ProgressSink {
    const shown = this.io.stderr.isTTY && !this.io.isCI ? terminalBar(this.io.stderr, this.position) : logProgress(this.io.log);
    const sinks = [shown];
    if (this.metrics) sinks.push(this.metrics.sink());
    if (this.dashboard) sinks.push(this.dashboard.state.sink());
    return sinks.length === 1 ? shown : fanOut(sinks);
  }

  /**
   * The command is done: the dashboard becomes the final report (the results' own, or the one the
   * command wrote), open pages are sent it, and the endpoints stop (nothing waits for a scraper or a
   * browser).
   */
  async finish(final: { docs?: ResultDocument[]; htmlFile?: string }): Promise<void> {
    if (this.dashboard) {
      const html = final.htmlFile ? fs.readFileSync(final.htmlFile, 'utf8') : renderHtmlReport(final.docs ?? [], this.dashboard.state.snapshot().title);
      await this.dashboard.endpoint.finish(html);
    }
    await Promise.all(this.endpoints.map((e) => e.close()));
  }
}
