/**
 * One load worker: connects its slice of the clients, sends on the open-model schedule, records
 * into histograms, and reports to the orchestrator once per second and at the end. It runs in a
 * worker thread (fleet/thread-main.ts) or, in a load child process with one slice, on that
 * process's main thread (saving an isolate's memory per process). Its state is one WorkerState,
 * handed to the connector, the recorder and the scheduler: nothing at module level.
 */
import { nowUs, sharedMsToLocalUs } from '../../core/clock.js';
import { LoopHealth } from '../../metrics/loop-health.js';
import type { FromWorker, ToWorker, WorkerConfig } from './messages.js';
import { WorkerState } from './worker-state.js';
import { ReplyRecorder } from './reply-recorder.js';
import { Connector } from './connector.js';
import { SendScheduler } from './send-scheduler.js';

const INTERVAL_MS = 1000;
const CLOSE_TIMEOUT_MS = 3000;

/** How a worker talks to whoever hosts it. */
export interface WorkerPort {
  post(msg: FromWorker): void;
  onMessage(listener: (msg: ToWorker) => void): void;
  /** Called once the result has been posted. */
  close(): void;
}

/** What the host of a running worker can do with it. */
export interface RunningWorker {
  /**
   * An exception nothing caught on the worker's thread (its host's 'uncaughtException'): the
   * worker reports it, stops sending and finishes, so the run ends with this worker's result.
   */
  fail(err: unknown): void;
}

export function startWorker(config: WorkerConfig, port: WorkerPort): RunningWorker {
  const workerIndex = config.slice.workerIndex;
  const state = new WorkerState(config);
  const scheduler = new SendScheduler(state, (second) => report(second));
  // One monitor per worker (each is a timer waking the loop): reset when the window starts, so the
  // interval reports show the delay so far and the result the window's.
  const loop = new LoopHealth();
  let windowTimer: NodeJS.Timeout | undefined;
  let finishing = false;

  const recorder = new ReplyRecorder(state);
  const connector = new Connector(state, recorder);

  function post(msg: FromWorker): void {
    port.post(msg);
  }

  /** One interval report: during the ramp every second, then at the end of each schedule second. */
  function report(second: number | null): void {
    post({
      type: 'interval',
      workerIndex,
      second,
      counters: state.counters,
      rtt: state.intervalRtt.valueCounts(),
      latency: state.intervalLatency.valueCounts(),
      sendLag: state.intervalSendLag.valueCounts(),
      windowRtt: config.liveHistograms ? state.hist.rtt.growthSinceLastCall() : [],
      windowRttRaw: config.liveHistograms ? state.hist.rttRaw.growthSinceLastCall() : [],
      loopDelayP99Us: loop.read().p99Us,
      sendLagMaxUs: state.sendLagMaxIntervalUs,
    });
    state.intervalRtt.reset();
    state.intervalLatency.reset();
    state.intervalSendLag.reset();
    state.sendLagMaxIntervalUs = 0;
  }

  // Ramp reports; from 'go' on the scheduler reports on the schedule's seconds instead.
  let rampReporter: NodeJS.Timeout | undefined = setInterval(() => report(null), INTERVAL_MS);

  async function finish(): Promise<void> {
    if (finishing) return;
    finishing = true;
    scheduler.stop();
    if (windowTimer) clearTimeout(windowTimer);
    clearInterval(rampReporter);
    const delay = loop.read();
    await connector.closeAll(CLOSE_TIMEOUT_MS);
    recorder.flushDeliveries();
    post({
      type: 'result',
      workerIndex,
      counters: state.counters,
      hist: {
        rtt: state.hist.rtt.valueCounts(),
        rttRaw: state.hist.rttRaw.valueCounts(),
        sendLag: state.hist.sendLag.valueCounts(),
        connect: state.hist.connect.valueCounts(),
        lastDelivery: state.hist.lastDelivery.valueCounts(),
      },
      loopDelayP99Us: delay.p99Us,
      sendClock: scheduler.clockKind,
    });
    loop.stop();
    port.close();
  }

  port.onMessage((msg: ToWorker) => {
    switch (msg.type) {
      case 'connect':
        void connector.startRamp(() => post({ type: 'ramp-done', workerIndex, counters: state.counters }));
        break;
      case 'go': {
        state.windowStartUs = sharedMsToLocalUs(msg.windowStartMs);
        state.windowEndUs = sharedMsToLocalUs(msg.windowEndMs);
        clearInterval(rampReporter);
        rampReporter = undefined;
        scheduler.start(sharedMsToLocalUs(msg.startMs), state.windowEndUs);
        // The loop-delay self-check covers the measured window only, like the latency figures.
        windowTimer = setTimeout(() => loop.reset(), Math.max(0, (state.windowStartUs - nowUs()) / 1000));
        break;
      }
      case 'finish':
        finish().catch((err: Error) => post({ type: 'fatal', workerIndex, message: err.stack ?? err.message }));
        break;
    }
  });

  let failed = false;
  function fail(err: unknown): void {
    if (failed) return;
    failed = true;
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    post({ type: 'failed', workerIndex, message, stack: err instanceof Error ? err.stack : undefined });
    finish().catch((e: Error) => post({ type: 'fatal', workerIndex, message: e.message }));
  }

  post({ type: 'ready', workerIndex });
  return { fail };
}
