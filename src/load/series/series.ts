import { sharedNowMs } from '../../core/clock.js';
import { valueCountPercentiles } from '../../metrics/bucket-recorder.js';
import type { ResourceMonitor } from '../../metrics/resource-monitor.js';
import type { HostFloor } from '../../metrics/host-floor.js';
import type { SeriesEntry } from '../../contract/result.js';
import type { ProgressSink } from '../../core/progress.js';
import type { Fleet } from '../fleet/fleet.js';
import { emptyCounters, targetErrors, type WorkerCounters } from '../worker/messages.js';
import { AnsweringWindow } from './answering-window.js';

/** How long after a schedule second's end its series entry is taken: the workers' reports are in. */
const SERIES_DELAY_MS = 150;

/**
 * The run's per-second series (`series` in the result, and the live progress). During the connect
 * ramp: one entry a second. From the schedule's start on, the series follows the schedule's seconds:
 * workers report at the end of each schedule second (worker/send-scheduler.ts) and the entry for
 * that second is taken a little later, so that a second never shows 0 sent and the next twice as
 * many. Each schedule second also feeds the answering window (saturation judged before a target
 * failure). Samples the resource monitor once per entry.
 */
export class SeriesRecorder {
  readonly entries: SeriesEntry[] = [];
  readonly answering = new AnsweringWindow();
  private readonly fleet: Fleet;
  private readonly monitor: ResourceMonitor;
  private readonly progress: ProgressSink;
  private readonly clientsTarget: number;
  private readonly hostFloor: HostFloor | null;
  private readonly runStartMs = sharedNowMs();
  private phase: SeriesEntry['phase'] = 'ramp';
  private windowStartMs = Number.POSITIVE_INFINITY;
  private windowEndMs = Number.POSITIVE_INFINITY;
  private lastTotals: WorkerCounters = emptyCounters();
  private rampTicker: NodeJS.Timeout | undefined;
  private secondTimer: NodeJS.Timeout | undefined;

  constructor(fleet: Fleet, monitor: ResourceMonitor, progress: ProgressSink, clientsTarget: number, hostFloor: HostFloor | null) {
    this.fleet = fleet;
    this.hostFloor = hostFloor;
    this.monitor = monitor;
    this.progress = progress;
    this.clientsTarget = clientsTarget;
    this.rampTicker = setInterval(() => this.tick(), 1000);
  }

  /** From now on, one entry per schedule second of the schedule starting at `startMs` (shared ms). */
  followSchedule(startMs: number, windowStartMs: number, windowEndMs: number): void {
    clearInterval(this.rampTicker);
    this.rampTicker = undefined;
    this.phase = 'warmup';
    this.windowStartMs = windowStartMs;
    this.windowEndMs = windowEndMs;
    this.answering.start(targetErrors(this.fleet.snapshot().totals));
    let second = 0;
    const arm = () => {
      const at = startMs + (second + 1) * 1000 + SERIES_DELAY_MS;
      this.secondTimer = setTimeout(
        () => {
          // After a stall of this process, one entry covers the seconds it missed.
          const closed = Math.max(second, Math.floor((sharedNowMs() - SERIES_DELAY_MS - startMs) / 1000) - 1);
          this.tick(startMs + closed * 1000);
          second = closed + 1;
          arm();
        },
        Math.max(0, at - sharedNowMs()),
      );
    };
    arm();
  }

  /** The connections are being closed: no more entries. */
  stop(): void {
    if (this.phase === 'closing') return;
    this.phase = 'closing';
    clearInterval(this.rampTicker);
    clearTimeout(this.secondTimer);
    this.progress.stop();
  }

  /** One series entry; `secondStartMs` is the schedule second it closes (undefined during the ramp). */
  private tick(secondStartMs?: number): void {
    const now = sharedNowMs();
    if (this.phase !== 'ramp' && this.phase !== 'closing' && secondStartMs !== undefined) {
      this.phase = secondStartMs < this.windowStartMs ? 'warmup' : secondStartMs < this.windowEndMs ? 'measure' : 'grace';
    }
    const snap = this.monitor.sample();
    const cpu = this.monitor.recentCpu();
    const { totals, loopDelayP99Us, sendLagMaxUs } = this.fleet.snapshot();
    const drained = this.fleet.drainIntervals();
    const [rttP50Us, rttP99Us] = valueCountPercentiles(drained.rtt, [50, 99]);
    const [latencyP50Us, latencyP99Us] = valueCountPercentiles(drained.latency, [50, 99]);
    const errors = targetErrors(totals);
    if (secondStartMs !== undefined) {
      this.answering.add(secondStartMs, secondStartMs >= this.windowStartMs && secondStartMs < this.windowEndMs, errors, drained.sendLag, loopDelayP99Us);
    }
    const entry: SeriesEntry = {
      tS: Math.round(((secondStartMs === undefined ? now : secondStartMs + 1000) - this.runStartMs) / 100) / 10,
      phase: this.phase,
      connected: totals.open,
      sentPerSec: totals.sentTotal - this.lastTotals.sentTotal,
      receivedPerSec: totals.receivedTotal - this.lastTotals.receivedTotal,
      rttP50Us,
      rttP99Us,
      latencyP50Us,
      latencyP99Us,
      errors: errors + totals.badReplies + totals.duplicateReplies + totals.outOfOrderReplies + totals.crossedReplies + totals.unknownReplies,
      clientRssKb: snap.client?.rssKb ?? 0,
      clientCpuPercent: Math.round(cpu.client),
      serverRssKb: snap.server?.rssKb ?? null,
      serverCpuPercent: cpu.server === null ? null : Math.round(cpu.server),
      loopDelayP99Us,
      sendLagMaxUs,
    };
    this.lastTotals = totals;
    this.entries.push(entry);
    this.progress.detail?.({
      rttUs: drained.windowRtt,
      rttRawUs: drained.windowRttRaw,
      sendLagUs: drained.sendLag,
      counters: totals,
      hostFloor: this.hostFloor?.soFar() ?? null,
      saturation: this.answering.soFar(),
    });
    this.progress.update(entry, this.clientsTarget);
  }
}
