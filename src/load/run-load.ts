import { monotonicOriginUs, nowUs, sharedNowMs, sleep } from '../core/clock.js';
import { WsbError } from '../core/errors.js';
import type { ConformanceReport } from '../check/conformance-report.js';
import type { Logger } from '../core/logger.js';
import type { LoadConfig } from '../profile/load-config.js';
import { encodeHistogram, mergeValueCounts } from '../metrics/histograms.js';
import type { ValueCounts } from '../metrics/bucket-recorder.js';
import { ResourceMonitor } from '../metrics/resource-monitor.js';
import { HostFloor } from '../metrics/host-floor.js';
import { readTreeAffinity } from '../metrics/affinity-reading.js';
import { readProcessLinks } from '../metrics/process-sampler.js';
import type { CpuAffinity, SeriesEntry } from '../contract/result.js';
import type { ProgressSink } from '../core/progress.js';
import { preflight, readMachineLimits } from './plan/preflight.js';
import { tryTarget, type TrialResult } from './trial/trial-connection.js';
import type { WorkerSlice } from './plan/slices.js';
import { planRun, type RunPlan } from './plan/run-plan.js';
import os from 'node:os';
import { Fleet } from './fleet/fleet.js';
import type { AnsweringBasis } from './series/answering-window.js';
import { SeriesRecorder } from './series/series.js';
import { sumCounters, type WorkerConfig, type WorkerCounters } from './worker/messages.js';
import { sendClockFallback } from './worker/pick-send-clock.js';

/** Pause between the ramp's end and the first send: lets the "connected" memory sample settle. */
const SETTLE_MS = 500;
const START_DELAY_MS = 200;
const RESULT_TIMEOUT_MS = 15_000;
/** The run's zero on the host's monotonic clock: probe times are small numbers from here on. */
const RUN_CLOCK_BASE_US = Math.floor(monotonicOriginUs() + nowUs()) - 1_000_000;

/** Everything a finished (or interrupted) run measured, before it becomes a result document. */
export interface LoadOutcome {
  config: LoadConfig;
  target: TrialResult;
  conformance: ConformanceReport | null;
  plan: RunPlan;
  slices: WorkerSlice[];
  counters: WorkerCounters;
  histograms: { rtt: string; rttRaw: string; sendLag: string; connect: string; lastDelivery: string; hostFloor: string | null };
  /** Deadlines per second of the host-floor thread. */
  hostFloorRatePerSec: number;
  eventLoopDelayP99Us: number;
  /** What woke the workers' sends: one kind, or 'mixed' when workers differed (null: no worker reported). */
  sendClock: 'timerfd' | 'thread' | 'mixed' | null;
  /** Why the workers fell back to the clock thread (undefined: they did not, or were told to use it). */
  sendClockFallback?: string;
  /** The window up to the target's first failure: what saturation is judged on (answering-window.ts). */
  answering: AnsweringBasis;
  /** How much of the measured window ran (less than configured when a signal ended the run). */
  windowRanMs: number;
  monitor: ResourceMonitor;
  /** CPU placement read back from /proc with every load process and the server up (null: not read). */
  cpuAffinity: { load: CpuAffinity | null; server: CpuAffinity | null };
  series: SeriesEntry[];
  /** A signal or a failed worker ended the run before its window and grace were over. */
  interrupted: boolean;
  workerErrors: string[];
  startedAt: Date;
  finishedAt: Date;
}

/**
 * The conformance check, run after the trial connection and before any worker starts
 * (src/session/conformance-check.ts): resolves with the report, or throws when the target fails it.
 * Given the load's first source address.
 */
export type ConformanceCheck = (localAddress: string | undefined) => Promise<ConformanceReport>;

/**
 * The orchestrator, through src/load in the order of a run: the plan and its preflight (plan/) →
 * the trial connection (trial/) → the conformance check (when given) → the workers (fleet/ of
 * worker/) → connect ramp → warm-up → measured window → grace → graceful close → the per-second
 * series (series/) and the merge, here. `abort` (a signal) stops sending and still returns what was
 * measured, marked interrupted.
 */
export async function runLoad(
  config: LoadConfig,
  deps: { log: Logger; abort: AbortSignal; progress: ProgressSink; conformanceCheck?: ConformanceCheck },
): Promise<LoadOutcome> {
  const { log, abort, progress } = deps;
  const startedAt = new Date();
  const { plan, target, conformance } = await prepare(config, log, abort, deps.conformanceCheck);
  const slices = plan.slices;
  const clockFallback = sendClockFallback();
  if (clockFallback !== undefined) noticeFallback(clockFallback, log);
  const fleet = new Fleet(
    slices.map((slice) => workerConfig(config, slice, plan, progress.detail !== undefined)),
    log,
  );
  await fleet.waitAll('ready');
  fleet.requireAllReady();

  // Before the baseline memory sample: the floor's thread is part of the load's fixed cost.
  // WSBENCH_HOST_FLOOR=off is for measuring what the floor itself costs (bench/load-client-cost.ts).
  const hostFloor = process.env.WSBENCH_HOST_FLOOR === 'off' ? null : new HostFloor();
  const monitor = new ResourceMonitor(process.pid, config.serverPid);
  monitor.mark('baseline');
  progress.begin?.({
    name: config.name,
    url: config.url,
    shard: config.shard ?? null,
    clients: plan.clients,
    rampS: plan.clients / config.connectRate,
    warmupS: config.warmupMs / 1000,
    durationS: config.durationMs / 1000,
    graceS: config.graceMs / 1000,
    maxSendLagP99Ms: config.maxSendLagP99Ms,
    maxEventLoopDelayP99Ms: config.maxEventLoopDelayP99Ms,
    pattern: config.pattern,
  });
  const series = new SeriesRecorder(fleet, monitor, progress, plan.clients, hostFloor);
  let windowStartMs = Number.POSITIVE_INFINITY;
  let windowEndMs = Number.POSITIVE_INFINITY;
  let windowRanMs = 0;
  let cpuAffinity: LoadOutcome['cpuAffinity'] = { load: null, server: null };

  let floor: ValueCounts | null = null;
  const signalled = new Promise<void>((resolve) => (abort.aborted ? resolve() : abort.addEventListener('abort', () => resolve(), { once: true })));
  // A signal or a failed worker ends the run early; what was measured up to then is still the result.
  let workerFailed = false;
  const stopEarly = Promise.race([signalled, fleet.failed.then(() => void (workerFailed = true))]);
  try {
    fleet.broadcast({ type: 'connect' });
    await Promise.race([fleet.waitAll('ramp-done'), stopEarly]);
    if (!abort.aborted && !workerFailed) {
      await Promise.race([sleep(SETTLE_MS), stopEarly]);
      monitor.mark('connected');
      cpuAffinity = readAffinities(config.serverPid);
      const startMs = scheduleStart(config, log);
      windowStartMs = startMs + config.warmupMs;
      windowEndMs = windowStartMs + config.durationMs;
      fleet.broadcast({ type: 'go', startMs, windowStartMs, windowEndMs });
      hostFloor?.setWindow(windowStartMs, windowEndMs);
      series.followSchedule(startMs, windowStartMs, windowEndMs);
      log.info({ connected: fleet.snapshot().totals.established, target: plan.clients }, 'connect ramp done; sending');
      await Promise.race([sleep(windowStartMs - sharedNowMs()), stopEarly]);
      monitor.mark('windowStart');
      await Promise.race([sleep(windowEndMs - sharedNowMs()), stopEarly]);
      monitor.mark('windowEnd');
      await Promise.race([sleep(config.graceMs), stopEarly]);
    }
    series.stop();
    // The part of the window that ran (all of it, unless a signal ended the run early).
    windowRanMs = Number.isFinite(windowStartMs) ? Math.max(0, Math.min(sharedNowMs(), windowEndMs) - windowStartMs) : 0;
    fleet.broadcast({ type: 'finish' });
    await Promise.race([fleet.waitAll('result'), sleep(RESULT_TIMEOUT_MS)]);
  } finally {
    series.stop();
    await fleet.terminate();
    floor = (await hostFloor?.stop()) ?? null;
  }

  const results = fleet.results();
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
      hostFloor: floor === null ? null : encodeMerged([floor]),
    },
    hostFloorRatePerSec: hostFloor?.ratePerSec ?? 0,
    eventLoopDelayP99Us: Math.max(0, ...results.map((r) => r.loopDelayP99Us)),
    sendClock: oneKind(results.map((r) => r.sendClock)),
    sendClockFallback: clockFallback,
    answering: series.answering.basis(),
    windowRanMs,
    monitor,
    cpuAffinity,
    series: series.entries,
    // A failed worker cut the run short as a signal does: a partial result, not a whole run to judge.
    interrupted: abort.aborted || workerFailed,
    workerErrors: fleet.errors(),
    startedAt,
    finishedAt: new Date(),
  };
}

let fallbackNoticed = false;

/** Once per process (compare and capacity run many loads): the reason goes into every result regardless. */
function noticeFallback(why: string, log: Logger): void {
  if (fallbackNoticed) return;
  fallbackNoticed = true;
  log.warn({ sendClockFallback: why }, `the native send timer is not available (${why}): load workers wake with the clock thread, slower on small hosts`);
}

/** Before any worker starts: the plan, the preflight checks, the trial connection and the conformance check. */
async function prepare(
  config: LoadConfig,
  log: Logger,
  abort: AbortSignal,
  conformanceCheck: ConformanceCheck | undefined,
): Promise<{ plan: RunPlan; target: TrialResult; conformance: ConformanceReport | null }> {
  const limits = readMachineLimits(os.availableParallelism());
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
    { fdSoft: limits.fd.soft, portRangeSize: limits.portRange.size, portRangeLow: limits.portRange.low, cores: limits.cores },
  );
  for (const w of preflight(plan, limits)) log.warn(w);
  const target = await beforeAbort(tryTarget(config, plan.localAddresses[0]), abort);
  log.debug({ target }, 'target answered the trial connection');
  const conformance = conformanceCheck ? await beforeAbort(conformanceCheck(plan.localAddresses[0]), abort) : null;
  log.info(
    { processes: plan.processes, threadsPerProcess: plan.threadsPerProcess, sourceAddresses: plan.localAddresses.length || 1, client: config.client },
    `plan: ${plan.clients} clients${config.shard ? ` (shard ${config.shard.index}/${config.shard.count} of ${config.clients})` : ''} over ${plan.processes} process(es) x ${plan.threadsPerProcess} thread(s), ${plan.localAddresses.length || 1} source address(es)`,
  );

  return { plan, target, conformance };
}

/**
 * A step before the load (trial connection, conformance check) that a signal ends at once: nothing has
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

function workerConfig(config: LoadConfig, slice: WorkerSlice, plan: RunPlan, liveHistograms: boolean): WorkerConfig {
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
    arrivals: config.arrivals,
    // Each shard draws its own gaps from the recorded seed (workers draw their own streams of it).
    arrivalSeed: (config.arrivalSeed + (config.shard?.index ?? 0) * 7919) >>> 0,
    clockBaseUs: RUN_CLOCK_BASE_US,
    liveHistograms,
    message: config.message,
    opening: config.opening,
  };
}

function oneKind<T extends string>(kinds: T[]): T | 'mixed' | null {
  const distinct = [...new Set(kinds)];
  return distinct.length === 0 ? null : distinct.length === 1 ? distinct[0] : 'mixed';
}

/** The placement of the load (this process and its load children) and of the sampled server, from one /proc scan. */
function readAffinities(serverPid: number | undefined): LoadOutcome['cpuAffinity'] {
  const links = readProcessLinks();
  return {
    load: readTreeAffinity(process.pid, serverPid, links),
    server: serverPid === undefined ? null : readTreeAffinity(serverPid, undefined, links),
  };
}

function encodeMerged(recorded: ValueCounts[]): string {
  const h = mergeValueCounts(recorded);
  const out = encodeHistogram(h);
  h.destroy();
  return out;
}
