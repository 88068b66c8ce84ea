import { createLogUpdate } from 'log-update';
import { setTerminalOverlay } from '../core/logger.js';
import type { SeriesEntry } from '../contract/result.js';
import type { ProgressSink, ProgressStart } from '../core/progress.js';
import { int } from '../report/format.js';
import { msFromUs as ms } from '../core/ms-text.js';
import { RunClock, clockText } from './run-clock.js';
import type { RunPosition } from './run-position.js';

const BAR_WIDTH = 30;

/**
 * The k6-like view on a terminal (stderr, so stdout stays clean for --json): one bar per run, redrawn
 * each second, left on screen when the run ends. First line: the run (and which of how many), the
 * phase, elapsed/total, the bar, the ETA (and the whole command's); second line: the live figures.
 */
export function terminalBar(stream: NodeJS.WriteStream, position: RunPosition): ProgressSink {
  const update = createLogUpdate(stream);
  let frame = '';
  const draw = (text: string) => update((frame = text));
  // Log lines go above the bar: it is cleared before one is written and drawn again after.
  setTerminalOverlay({ clear: () => update.clear(), redraw: () => frame && update(frame) });
  let run: ProgressStart | undefined;
  let clock: RunClock | undefined;
  let index = 0;
  let last: { entry: SeriesEntry; target: number } | undefined;
  return {
    begin: (start) => {
      run = start;
      clock = new RunClock(start);
      index = position.next(clock.total);
      draw(header(run, position.label(), 'ramp', clock, position));
    },
    update: (e: SeriesEntry, target: number) => {
      if (!run || !clock) return;
      clock.update(e);
      last = { entry: e, target };
      position.progress(clock.elapsedS, clock.total);
      draw(`${header(run, position.label(), e.phase, clock, position)}\n${figures(e, target)}`);
    },
    stop: () => {
      if (run && clock && last) {
        // The bar stays on screen as the run's record: full, with its last figures.
        clock.finish();
        position.progress(clock.elapsedS, clock.total);
        draw(`${header(run, position.label(), 'done', clock, position)}\n${figures(last.entry, last.target)}`);
      }
      if (clock && position.index === index) position.finish();
      setTerminalOverlay(undefined);
      update.done();
    },
  };
}

function header(run: ProgressStart, label: string, phase: SeriesEntry['phase'] | 'done', clock: RunClock, position: RunPosition): string {
  const done = clock.total > 0 ? Math.min(1, clock.elapsedS / clock.total) : 0;
  const filled = Math.round(done * BAR_WIDTH);
  const bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(BAR_WIDTH - filled)}]`;
  const overall = position.overallEtaS();
  const who = `${label ? `run ${label} ` : ''}${run.name}${run.shard ? ` shard ${run.shard.index}/${run.shard.count}` : ''}`;
  return (
    `${who}  ${phase.padEnd(7)} ${clockText(clock.elapsedS)}/${clockText(clock.total)} ${bar} ${String(Math.round(done * 100)).padStart(3)}%` +
    `  ETA ${clockText(clock.etaS)}${overall !== null && label ? `  (all runs ${clockText(overall)})` : ''}`
  );
}

function figures(e: SeriesEntry, target: number): string {
  return (
    `  ${int(e.connected)}/${int(target)} connected  sent ${int(e.sentPerSec)}/s  recv ${int(e.receivedPerSec)}/s  ` +
    `p50 ${ms(e.latencyP50Us ?? e.rttP50Us)} ms  p99 ${ms(e.latencyP99Us ?? e.rttP99Us)} ms  errors ${int(e.errors)}  client CPU ${e.clientCpuPercent}%`
  );
}
