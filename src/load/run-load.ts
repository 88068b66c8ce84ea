import { monotonicOriginUs, nowUs, sharedNowMs, sleep } from '../core/clock.js';
import { WsbError } from '../core/errors.js';
import { runConformance, type ConformanceReport } from '../check/conformance.js';
import type { Logger } from '../core/logger.js';
import type { LoadConfig } from '../profile/load-config.js';
import { encodeHistogram, mergeValueCounts } from '../metrics/histograms.js';
import type { ValueCounts } from '../metrics/bucket-recorder.js';
import { ResourceMonitor } from '../metrics/resource-monitor.js';
import type { SeriesEntry } from '../report/result-schema.js';
import { preflight } from './preflight.js';
import { probeTarget, type TargetProbe } from './probe-target.js';
import type { WorkerSlice } from './plan.js';
import { planRun, type RunPlan } from './run-plan.js';
import { readFdLimit, readPortRange } from '../core/limits.js';
import os from 'node:os';
import { WorkerPool, requireAllReady } from './worker-pool.js';
import { AnsweringWindow, type AnsweringBasis } from './answering-window.js';
import { addCounters, emptyCounters, type WorkerConfig, type WorkerCounters } from './messages.js';

/** Pause between the ramp's end and the first send: lets the "connected" memory sample settle. */
const SETTLE_MS = 500;
const START_DELAY_MS = 200;
const RESULT_TIMEOUT_MS = 15_000;
/** The run's zero on the host's monotonic clock: probe times are small numbers from here on. */
const RUN_CLOCK_BASE_US = Math.floor(monotonicOriginUs() + nowUs()) - 1_000_000;
/** How long after a schedule second's end its series entry is taken: the workers' reports are in. */
const SERIES_DELAY_MS = 150;

/** Receives one series entry per second (the live line or periodic log lines). */
export interface ProgressSink {
  update(entry: SeriesEntry, target: number): void;
  stop(): void;
}

/** Everything a finished (or interrupted) run measured, before it becomes a result document. */
export interface LoadOutcome {
  config: LoadConfig;
  target: TargetProbe;
  conformance: ConformanceReport | null;
  plan: RunPlan;
  slices: WorkerSlice[];
  counters: WorkerCounters;
  histograms: { rtt: string; rttRaw: string; sendLag: string; connect: string; lastDelivery: string };
  eventLoopDelayP99Us: number;
  /** The window up to the target's first failure: what saturation is judged on (answering-window.ts). */
  answering: AnsweringBasis;
  /** How much of the measured window ran (less than configured when a signal ended the run). */
  windowRanMs: number;
  monitor: ResourceMonitor;
  series: SeriesEntry[];
  interrupted: boolean;
  workerErrors: string[];
  startedAt: Date;
  finishedAt: Date;
}

/**
 * The orchestrator: preflight → trial probe → workers → connect ramp → warm-up → measured window →
 * grace → graceful close → merge. `abort` (a signal) stops sending and still returns what was
 * measured, marked interrupted.
 */
export async function runLoad(config: LoadConfig, deps: { log: Logger; abort: AbortSignal; progress: ProgressSink }): Promise<LoadOutcome> {
  const { log, abort, progress } = deps;
  const startedAt = new Date();
  const fd = readFdLimit();
  const plan = planRun(
    {
      clients: config.clients,
      ratePerClient: config.ratePerClient,
      connectRate: config.connectRate,
      targetHost: new URL(config.url).hostname,
      processes: config.processes,
      threadsPerProcess: config.threads,
      localAddresses: config.localAddresses.length ? config.localAddresses : undefined,
      shard: config.shard,
    },
    { fdSoft: fd.soft, portRangeSize: readPortRange().size, portRangeLow: readPortRange().low, cores: os.availableParallelism() },
  );
  const pre = preflight(plan);
  for (const w of pre.warnings) log.warn(w);
  const target = await beforeAbort(probeTarget(config, plan.localAddresses[0]), abort);
  log.debug({ target }, 'target answered the trial probe');
  let conformance: ConformanceReport | null = null;
  if (config.check) {
    // The gate requires what this run uses: text probes of its size (binary echo only warns while the load sends text).
    conformance = await beforeAbort(
      runConformance(config.url, { protocols: config.protocols, headers: config.headers, origin: config.origin, localAddress: plan.localAddresses[0], payloadBytes: config.payloadBytes, requireBinary: false, pattern: config.pattern, format: config.format }),
      abort,
    );
    if (!conformance.ok) {
      const failed = conformance.checks.filter((c) => !c.ok && c.severity === 'fail').map((c) => `${c.name}: ${c.detail}`);
      throw new WsbError('WSB_ERR_CONFORMANCE', `${config.url} failed the conformance check (${failed.join('; ')})`, 'run `wsbench check <url>` for the details, or --no-check to measure it anyway');
    }
    for (const c of conformance.checks) if (!c.ok) log.warn({ check: c.name }, `conformance warning: ${c.name}: ${c.detail}`);
  }
  log.info(
    { processes: plan.processes, threadsPerProcess: plan.threadsPerProcess, sourceAddresses: plan.localAddresses.length || 1, client: config.client },
    `plan: ${plan.clients} clients${config.shard ? ` (shard ${config.shard.index}/${config.shard.count} of ${config.clients})` : ''} over ${plan.processes} process(es) x ${plan.threadsPerProcess} thread(s), ${plan.localAddresses.length || 1} source address(es)`,
  );

  const slices = plan.slices;
  const pool = new WorkerPool(slices.map((slice) => workerConfig(config, slice, plan)), log);
  await pool.waitAll('ready');
  requireAllReady(pool);

  const monitor = new ResourceMonitor(process.pid, config.serverPid);
  monitor.mark('baseline');
  const runStartMs = sharedNowMs();
  let phase: SeriesEntry['phase'] = 'ramp';
  let scheduleStartMs = Number.POSITIVE_INFINITY;
  let windowStartMs = Number.POSITIVE_INFINITY;
  let windowEndMs = Number.POSITIVE_INFINITY;
  const series: SeriesEntry[] = [];
  let lastTotals = emptyCounters();
  const answering = new AnsweringWindow();
  let windowRanMs = 0;

  /** One series entry; `secondStartMs` is the schedule second it closes (undefined during the ramp). */
  const tick = (secondStartMs?: number) => {
    const now = sharedNowMs();
    if (phase !== 'ramp' && phase !== 'closing' && secondStartMs !== undefined) {
      phase = secondStartMs < windowStartMs ? 'warmup' : secondStartMs < windowEndMs ? 'measure' : 'grace';
    }
    const snap = monitor.sample();
    const cpu = monitor.recentCpu();
    const totals = sumCounters(pool.latestCounters);
    const rtt = mergeValueCounts(pool.drainIntervalRtt());
    const intervals = pool.latestIntervals.filter((m) => m !== undefined);
    const errors = targetErrors(totals);
    const loopDelayP99Us = Math.max(0, ...intervals.map((m) => m.loopDelayP99Us));
    const sendLag = pool.drainIntervalSendLag();
    if (secondStartMs !== undefined) answering.add(secondStartMs, secondStartMs >= windowStartMs && secondStartMs < windowEndMs, errors, sendLag, loopDelayP99Us);
    const entry: SeriesEntry = {
      tS: Math.round(((secondStartMs === undefined ? now : secondStartMs + 1000) - runStartMs) / 100) / 10,
      phase,
      connected: totals.open,
      sentPerSec: totals.sentTotal - lastTotals.sentTotal,
      receivedPerSec: totals.receivedTotal - lastTotals.receivedTotal,
      rttP50Us: rtt.totalCount ? rtt.getValueAtPercentile(50) : 0,
      rttP99Us: rtt.totalCount ? rtt.getValueAtPercentile(99) : 0,
      errors: errors + totals.badReplies + totals.duplicateReplies + totals.outOfOrderReplies + totals.crossedReplies,
      clientRssKb: snap.client?.rssKb ?? 0,
      clientCpuPercent: Math.round(cpu.client),
      serverRssKb: snap.server?.rssKb ?? null,
      serverCpuPercent: cpu.server === null ? null : Math.round(cpu.server),
      loopDelayP99Us,
      sendLagMaxUs: Math.max(0, ...intervals.map((m) => m.sendLagMaxUs)),
    };
    rtt.destroy();
    lastTotals = totals;
    series.push(entry);
    progress.update(entry, plan.clients);
  };
  // During the ramp: once a second. From the schedule's start on, the series follows its seconds:
  // workers report at the end of each schedule second (send-scheduler.ts), and the entry for that
  // second is taken a little later, so that a second never shows 0 sent and the next twice as many.
  let rampTicker: NodeJS.Timeout | undefined = setInterval(() => tick(), 1000);
  let secondTimer: NodeJS.Timeout | undefined;
  const followSchedule = (startMs: number) => {
    clearInterval(rampTicker);
    rampTicker = undefined;
    scheduleStartMs = startMs;
    let second = 0;
    const arm = () => {
      const at = scheduleStartMs + (second + 1) * 1000 + SERIES_DELAY_MS;
      secondTimer = setTimeout(() => {
        // After a stall of this process, one entry covers the seconds it missed.
        const now = sharedNowMs();
        const closed = Math.max(second, Math.floor((now - SERIES_DELAY_MS - scheduleStartMs) / 1000) - 1);
        tick(scheduleStartMs + closed * 1000);
        second = closed + 1;
        arm();
      }, Math.max(0, at - sharedNowMs()));
    };
    arm();
  };

  const aborted = new Promise<void>((resolve) => (abort.aborted ? resolve() : abort.addEventListener('abort', () => resolve(), { once: true })));
  try {
    pool.broadcast({ type: 'connect' });
    await Promise.race([pool.waitAll('ramp-done'), aborted]);
    if (!abort.aborted) {
      await Promise.race([sleep(SETTLE_MS), aborted]);
      monitor.mark('connected');
      const startMs = scheduleStart(config, log);
      windowStartMs = startMs + config.warmupMs;
      windowEndMs = windowStartMs + config.durationMs;
      phase = 'warmup';
      answering.start(targetErrors(sumCounters(pool.latestCounters)));
      pool.broadcast({ type: 'go', startMs, windowStartMs, windowEndMs });
      followSchedule(startMs);
      log.info({ connected: sumCounters(pool.latestCounters).established, target: plan.clients }, 'connect ramp done; sending');
      await Promise.race([sleep(windowStartMs - sharedNowMs()), aborted]);
      monitor.mark('windowStart');
      await Promise.race([sleep(windowEndMs - sharedNowMs()), aborted]);
      monitor.mark('windowEnd');
      await Promise.race([sleep(config.graceMs), aborted]);
    }
    phase = 'closing';
    // The part of the window that ran (all of it, unless a signal ended the run early).
    windowRanMs = Number.isFinite(windowStartMs) ? Math.max(0, Math.min(sharedNowMs(), windowEndMs) - windowStartMs) : 0;
    pool.broadcast({ type: 'finish' });
    await Promise.race([pool.waitAll('result'), sleep(RESULT_TIMEOUT_MS)]);
  } finally {
    clearInterval(rampTicker);
    clearTimeout(secondTimer);
    progress.stop();
    await pool.terminate();
  }

  const results = pool.results.filter((r) => r !== undefined);
  const counters = sumCounters(results.map((r) => r.counters));
  return {
    config,
    target,
    conformance,
    plan,
    slices,
    counters,
    histograms: {
      rtt: encodeMerged(results.map((r) => r.hist.rtt)),
      rttRaw: encodeMerged(results.map((r) => r.hist.rttRaw)),
      sendLag: encodeMerged(results.map((r) => r.hist.sendLag)),
      connect: encodeMerged(results.map((r) => r.hist.connect)),
      lastDelivery: encodeMerged(results.map((r) => r.hist.lastDelivery)),
    },
    eventLoopDelayP99Us: Math.max(0, ...results.map((r) => r.loopDelayP99Us)),
    answering: answering.basis(),
    windowRanMs,
    monitor,
    series,
    interrupted: abort.aborted,
    workerErrors: pool.errors,
    startedAt,
    finishedAt: new Date(),
  };
}

/**
 * A step before the load (trial probe, conformance gate) that a signal ends at once: nothing has
 * been measured yet, so there is no partial result to write (WSB_ERR_INTERRUPTED, exit 130/143).
 * Its sockets are left to the process's exit.
 */
function beforeAbort<T>(step: Promise<T>, abort: AbortSignal): Promise<T> {
  const interrupted = () => new WsbError('WSB_ERR_INTERRUPTED', 'interrupted before the load started: nothing was measured');
  if (abort.aborted) return Promise.reject(interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted());
    abort.addEventListener('abort', onAbort, { once: true });
    step.then(
      (v) => {
        abort.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        abort.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * When the send schedule starts: the shared --start-at (so shards on different machines begin their
 * phases together), or shortly after this ramp. A --start-at already past is used as given: the
 * schedule stays aligned with the other shards and the first sends count as late (send lag).
 */
function scheduleStart(config: LoadConfig, log: Logger): number {
  if (config.startAtMs === undefined) return sharedNowMs() + START_DELAY_MS;
  const wait = config.startAtMs - sharedNowMs();
  if (wait < 0) log.warn({ lateMs: Math.round(-wait) }, '--start-at passed before the connect ramp finished: the first sends are late');
  else log.info({ waitMs: Math.round(wait) }, 'waiting for --start-at');
  return config.startAtMs;
}

function workerConfig(config: LoadConfig, slice: WorkerSlice, plan: RunPlan): WorkerConfig {
  return {
    slice,
    totalClients: config.clients,
    localAddresses: plan.localAddresses,
    localPortBase: plan.localPortBase,
    client: config.client,
    url: config.url,
    protocols: config.protocols,
    headers: config.headers,
    origin: config.origin,
    deflate: config.deflate,
    payloadBytes: config.payloadBytes,
    ratePerClient: config.ratePerClient,
    connectTimeoutMs: config.connectTimeoutMs,
    pattern: config.pattern,
    senders: config.senders,
    format: config.format,
    clockBaseUs: RUN_CLOCK_BASE_US,
  };
}

function sumCounters(list: (WorkerCounters | undefined)[]): WorkerCounters {
  const total = emptyCounters();
  for (const c of list) if (c) addCounters(total, c);
  return total;
}

/** Errors that say the target failed: connections that failed, closed unexpectedly or errored. */
function targetErrors(c: WorkerCounters): number {
  return c.failed + sumValues(c.unexpectedClosesByCode) + sumValues(c.errorsByCode);
}

function sumValues(map: Record<string, number>): number {
  return Object.values(map).reduce((a, b) => a + b, 0);
}

function encodeMerged(recorded: ValueCounts[]): string {
  const h = mergeValueCounts(recorded);
  const out = encodeHistogram(h);
  h.destroy();
  return out;
}
