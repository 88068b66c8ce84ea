import type { SeriesEntry } from '../contract/result.js';
import type { ProgressDetail, ProgressSink, ProgressStart } from '../core/progress.js';
import { BucketRecorder, valueCountPercentiles } from '../metrics/bucket-recorder.js';
import { RunClock } from './run-clock.js';
import { hostFloorText } from '../result/headline.js';
import { judgeRun } from '../result/summarize.js';

/** One second on the dashboard: the series entry and what the window histograms add to it. */
export interface DashboardPoint {
  tS: number;
  phase: SeriesEntry['phase'];
  connected: number;
  sentPerSec: number;
  receivedPerSec: number;
  errors: number;
  /** The headline (raw round trip, from just before the write) of the second's replies. */
  p50Us: number;
  p99Us: number;
  /** Corrected, from the intended send; only in the measured window (null outside it). */
  correctedP50Us: number | null;
  correctedP99Us: number | null;
  sendLagP99Us: number | null;
  clientRssKb: number;
  clientCpuPercent: number;
  serverRssKb: number | null;
  serverCpuPercent: number | null;
}

export interface DashboardRun {
  index: number;
  name: string;
  target: string;
  shard: string | null;
  clients: number;
  phase: SeriesEntry['phase'] | 'done';
  elapsedS: number;
  totalS: number;
  /** The result's verdict rules (result/summarize.ts) on the counters so far. */
  verdictSoFar: string;
  verdictReasonsSoFar: string[];
  /** Over the measured window so far (the headline). */
  windowP50Us: number | null;
  windowP99Us: number | null;
  /** The host's floor over the window so far, one line: tail differences below it may be the host's. */
  hostFloorText: string | null;
  points: DashboardPoint[];
}

export interface DashboardSnapshot {
  title: string;
  plannedRuns: number | null;
  runs: DashboardRun[];
}

export type DashboardEvent = { type: 'run'; run: DashboardRun } | { type: 'point'; index: number; run: DashboardRun; point: DashboardPoint };

/**
 * What the live dashboard shows, kept on the orchestrator from the per-second progress: every run
 * of the command (compare: one per server × tier × repeat) with its seconds, and listeners told of
 * each change (the SSE streams).
 */
export class DashboardState {
  private readonly snapshotData: DashboardSnapshot;
  private readonly listeners = new Set<(e: DashboardEvent) => void>();

  constructor(title: string, plannedRuns: number | undefined) {
    this.snapshotData = { title, plannedRuns: plannedRuns ?? null, runs: [] };
  }

  snapshot(): DashboardSnapshot {
    return this.snapshotData;
  }

  listen(fn: (e: DashboardEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A progress sink for the next run. */
  sink(): ProgressSink {
    let run: DashboardRun | undefined;
    let start: ProgressStart | undefined;
    let clock: RunClock | undefined;
    let pending: ProgressDetail | undefined;
    const sentSoFar: { tS: number; sent: number }[] = [];
    const window = new BucketRecorder();
    const emit = (e: DashboardEvent) => this.listeners.forEach((fn) => fn(e));
    return {
      begin: (s) => {
        start = s;
        clock = new RunClock(s);
        run = {
          index: this.snapshotData.runs.length + 1,
          name: s.name,
          target: s.url,
          shard: s.shard ? `${s.shard.index}/${s.shard.count}` : null,
          clients: s.clients,
          phase: 'ramp',
          elapsedS: 0,
          totalS: clock.total,
          verdictSoFar: 'valid',
          verdictReasonsSoFar: [],
          windowP50Us: null,
          windowP99Us: null,
          hostFloorText: null,
          points: [],
        };
        this.snapshotData.runs.push(run);
        emit({ type: 'run', run });
      },
      detail: (d) => {
        pending = d;
      },
      update: (e) => {
        if (!run || !start || !clock) return;
        clock.update(e);
        const d = pending;
        pending = undefined;
        const corrected = d ? quantiles(d.rttUs) : null;
        const lag = d ? quantiles(d.sendLagUs) : null;
        if (d) for (const vc of d.rttRawUs) window.addValueCounts(vc);
        const floor = d?.hostFloor;
        if (floor) run.hostFloorText = hostFloorText(floor);
        const point: DashboardPoint = {
          tS: e.tS,
          phase: e.phase,
          connected: e.connected,
          sentPerSec: e.sentPerSec,
          receivedPerSec: e.receivedPerSec,
          errors: e.errors,
          p50Us: e.latencyP50Us ?? e.rttP50Us,
          p99Us: e.latencyP99Us ?? e.rttP99Us,
          correctedP50Us: corrected?.p50 ?? null,
          correctedP99Us: corrected?.p99 ?? null,
          sendLagP99Us: lag?.p99 ?? null,
          clientRssKb: e.clientRssKb,
          clientCpuPercent: e.clientCpuPercent,
          serverRssKb: e.serverRssKb,
          serverCpuPercent: e.serverCpuPercent,
        };
        run.points.push(point);
        run.phase = e.phase;
        run.elapsedS = clock.elapsedS;
        run.totalS = clock.total;
        if (d) {
          sentSoFar.push({ tS: e.tS, sent: d.counters.sent });
          ({ verdict: run.verdictSoFar, verdictReasons: run.verdictReasonsSoFar } = verdictSoFar(start, e, d, sentSoFar));
        }
        if (window.count > 0) [run.windowP50Us, run.windowP99Us] = window.percentiles([50, 99]);
        emit({ type: 'point', index: run.index, run: { ...run, points: [] }, point });
      },
      stop: () => {
        if (!run || !clock) return;
        clock.finish();
        run.phase = 'done';
        run.elapsedS = clock.elapsedS;
        run.totalS = clock.total;
        window.reset();
        emit({ type: 'run', run });
      },
    };
  }
}

function quantiles(list: number[][]): { p50: number; p99: number } | null {
  if (!list.some((vc) => vc.length > 0)) return null;
  const [p50, p99] = valueCountPercentiles(list, [50, 99]);
  return { p50, p99 };
}

/**
 * The verdict so far, by the result's own rules on the same counters (judgeRun). What is not known
 * yet is not held against the run: during the connect ramp a client not yet connected has not
 * failed, and a send counts as lost only once its reply is later than the grace period (the sends
 * made a grace period ago that have no reply now: a lower bound until the run ends, when it is the
 * result's count).
 */
function verdictSoFar(
  start: ProgressStart,
  e: SeriesEntry,
  d: ProgressDetail,
  sentSoFar: readonly { tS: number; sent: number }[],
): ReturnType<typeof judgeRun> {
  const c = d.counters;
  let due = 0;
  for (let i = sentSoFar.length - 1; i >= 0 && due === 0; i--) if (sentSoFar[i].tS <= e.tS - start.graceS) due = sentSoFar[i].sent;
  return judgeRun({
    clientsTarget: e.phase === 'ramp' ? c.established + c.failed : start.clients,
    pattern: start.pattern,
    counters: { ...c, sent: due },
    saturation: { ...d.saturation, answeringS: d.saturation.targetFailed ? d.saturation.answeringS : null },
    selfCheck: { maxSendLagP99Ms: start.maxSendLagP99Ms, maxEventLoopDelayP99Ms: start.maxEventLoopDelayP99Ms },
    interrupted: false,
  });
}
