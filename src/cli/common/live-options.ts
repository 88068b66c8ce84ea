import { Option } from 'commander';
import type { Logger } from '../../core/logger.js';
import type { CliContext } from './context.js';
import { intOption } from './parse.js';

/** The flags load, compare and capacity share for watching a run (docs/live.md). */
export interface LiveFlags {
  metricsPort?: number;
  metricsHost: string;
}

export function metricsPortOption(): Option {
  return new Option('--metrics-port <port>', 'serve Prometheus metrics of the running load on this port (0: a free one), at /metrics').argParser(
    intOption(0, 65535),
  );
}

export function metricsHostOption(): Option {
  return new Option('--metrics-host <host>', 'address for --metrics-port; 0.0.0.0 exposes it').default('127.0.0.1');
}

/**
 * Starts the live view (terminal bar, endpoints) for this command and hands its progress sinks to
 * the runs through ctx.live. Bad ports fail here, before any load (exit 4).
 */
export async function startLiveView(ctx: CliContext, log: Logger, flags: LiveFlags, plannedRuns?: number): Promise<{ finish(): Promise<void> }> {
  const { LiveView } = await import('../../live/live-view.js');
  const view = await LiveView.start(
    { metrics: flags.metricsPort === undefined ? undefined : { host: flags.metricsHost, port: flags.metricsPort }, plannedRuns },
    { stderr: ctx.stderr, isCI: ctx.isCI, log },
  );
  ctx.live = view;
  return view;
}
