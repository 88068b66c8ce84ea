import { addValueCounts, createHistogram, encodeHistogram, type Histogram } from '../../metrics/histograms.js';
import type { ValueCounts } from '../../metrics/bucket-recorder.js';
import type { SaturationSoFar } from '../../core/progress.js';

/** What the saturation check may use when the target failed during the run. */
export interface AnsweringBasis {
  /** Shared ms of the schedule second in which the target first failed; null if it never did. */
  targetFailedAtMs: number | null;
  /** Seconds of the measured window before that second (the basis of the saturation check). */
  answeringS: number;
  /** Send lag of the window's sends before that second (encoded HdrHistogram). */
  sendLag: string;
  /** Client event-loop delay p99 of the window up to that second. */
  loopDelayP99Us: number;
}

/**
 * The part of the measured window in which the target was still answering. A target that dies
 * mid-window closes every connection at once, and the client's burst of close handling (or a stall
 * that happened earlier, now weighed against half the samples) can push the window's send-lag p99
 * over the saturation limit: the run would blame the load generator for the server's death. So the
 * orchestrator keeps the per-second send lag of the window until the first second with a new
 * target error (failed connection, unexpected close, socket error), and the verdict judges
 * saturation on those seconds only. A stalled load generator (no target error) is judged on the
 * whole window as before.
 */
export class AnsweringWindow {
  private baselineErrors: number | undefined;
  private failedAtMs: number | null = null;
  private seconds = 0;
  private readonly sendLag: Histogram = createHistogram();
  private loopDelayP99Us = 0;

  /** The target-error count when the schedule starts (errors of the ramp are judged elsewhere). */
  start(targetErrors: number): void {
    this.baselineErrors = targetErrors;
  }

  /**
   * One schedule second closed: its in-window send lag, the cumulative loop-delay p99 of the window
   * so far, and the target-error count at its end. A second with a new error is not kept.
   */
  add(secondStartMs: number, inWindow: boolean, targetErrors: number, sendLag: ValueCounts[], loopDelayP99Us: number): void {
    if (this.baselineErrors === undefined || this.failedAtMs !== null) return;
    if (targetErrors > this.baselineErrors) {
      this.failedAtMs = secondStartMs;
      return;
    }
    for (const vc of sendLag) addValueCounts(this.sendLag, vc);
    if (inWindow) {
      this.seconds++;
      this.loopDelayP99Us = loopDelayP99Us;
    }
  }

  /** The basis so far, for the live verdict (the result's is basis(), at the end). */
  soFar(): SaturationSoFar {
    return {
      targetFailed: this.failedAtMs !== null,
      answeringS: this.seconds,
      sendLagP99Us: this.sendLag.totalCount > 0 ? this.sendLag.getValueAtPercentile(99) : 0,
      eventLoopDelayP99Us: this.loopDelayP99Us,
    };
  }

  basis(): AnsweringBasis {
    const out = { targetFailedAtMs: this.failedAtMs, answeringS: this.seconds, sendLag: encodeHistogram(this.sendLag), loopDelayP99Us: this.loopDelayP99Us };
    this.sendLag.destroy();
    return out;
  }
}
