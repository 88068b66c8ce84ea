import { Option } from 'commander';
import type { Logger } from '../../core/logger.js';
import type { CliContext } from './context.js';
import type { ResultDocument } from '../../contract/result.js';
import { intOption } from './parse.js';

/** The flags load, compare and capacity share for watching a run (docs/live.md). */
export interface LiveFlags {
  metricsPort?: number;
  metricsHost: string;
  /** true: the flag without a port. */
  dashboard?: number | true;
  dashboardHost: string;
}

/** `--dashboard` without a port: k6's dashboard port, easy to remember. */
export const DEFAULT_DASHBOARD_PORT = 5665;

export function metricsPortOption(): Option {
  return new Option('--metrics-port <port>', 'serve Prometheus metrics of the running load on this port (0: a free one), at /metrics').argParser(
    intOption(0, 65535),
  );
}

export function metricsHostOption(): Option {
  return new Option('--metrics-host <host>', 'address for --metrics-port; 0.0.0.0 exposes it').default('127.0.0.1');
}

export function dashboardOption(): Option {
  return new Option(
    '--dashboard [port]',
    `a live web page of the run (Server-Sent Events; the final HTML report when done) on this port (default ${DEFAULT_DASHBOARD_PORT}; 0: a free one)`,
  ).argParser(intOption(0, 65535));
}

export function dashboardHostOption(): Option {
  return new Option('--dashboard-host <host>', 'address for --dashboard; 0.0.0.0 exposes it').default('127.0.0.1');
}

/**
 * Starts the live view (terminal bar, endpoints) for this command and hands its progress sinks to
 * the runs through ctx.live. Bad ports fail here, before any load (exit 4).
 */
export async function startLiveView(
  ctx: CliContext,
  log: Logger,
  flags: LiveFlags,
  command: { title: string; plannedRuns?: number },
): Promise<{ finish(final: { docs?: ResultDocument[]; htmlFile?: string }): Promise<void> }> {
  const { LiveView } = await import('../../live/live-view.js');
  const view = await LiveView.start(
    {
      metrics: flags.metricsPort === undefined ? undefined : { host: flags.metricsHost, port: flags.metricsPort },
      dashboard:
        flags.dashboard === undefined ? undefined : { host: flags.dashboardHost, port: flags.dashboard === true ? DEFAULT_DASHBOARD_PORT : flags.dashboard },
      ...command,
    },
    { stderr: ctx.stderr, isCI: ctx.isCI, log },
  );
  ctx.live = view;
  return view;
}
