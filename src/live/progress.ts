import { createLogUpdate } from 'log-update';
import type { Logger } from '../core/logger.js';
import type { SeriesEntry } from '../contract/result.js';
import type { ProgressSink } from '../core/progress.js';
import { int } from '../report/format.js';
import { msFromUs as ms } from '../core/ms-text.js';

function line(e: SeriesEntry, target: number): string {
  return (
    `[${e.tS.toFixed(0).padStart(4)}s] ${e.phase.padEnd(7)} ${int(e.connected)}/${int(target)} connected  ` +
    `sent ${int(e.sentPerSec)}/s  recv ${int(e.receivedPerSec)}/s  p50 ${ms(e.latencyP50Us ?? e.rttP50Us)} ms  p99 ${ms(e.latencyP99Us ?? e.rttP99Us)} ms  errors ${int(e.errors)}`
  );
}

/** A live line redrawn each second on a terminal (stderr, so stdout stays clean for --json). */
export function terminalProgress(stream: NodeJS.WriteStream): ProgressSink {
  const update = createLogUpdate(stream);
  return {
    update: (e, target) => update(line(e, target)),
    stop: () => update.done(),
  };
}

/** Not a terminal (CI, pipes): a log line every few seconds instead of redrawing. */
export function logProgress(log: Logger, everyS = 5): ProgressSink {
  let n = 0;
  return {
    update: (e, target) => {
      if (n++ % everyS === 0) log.info({ ...e, target }, line(e, target));
    },
    stop: () => {},
  };
}
