import type { ProgressSink } from '../core/progress.js';

/** One progress sink that hands everything to several (the terminal, the metrics, the dashboard). */
export function fanOut(sinks: ProgressSink[]): ProgressSink {
  const wantsDetail = sinks.some((s) => s.detail !== undefined);
  return {
    begin: (run) => sinks.forEach((s) => s.begin?.(run)),
    ...(wantsDetail ? { detail: (d) => sinks.forEach((s) => s.detail?.(d)) } : {}),
    update: (entry, target) => sinks.forEach((s) => s.update(entry, target)),
    stop: () => sinks.forEach((s) => s.stop()),
  };
}
