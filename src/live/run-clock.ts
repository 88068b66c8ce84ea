import type { SeriesEntry } from '../contract/result.js';
import type { ProgressStart } from '../core/progress.js';

/**
 * A run's elapsed and total seconds as its entries arrive: the total is planned from the start
 * (ramp + warm-up + window + grace) and re-planned once the schedule starts, since the ramp's real
 * length is known only then.
 */
export class RunClock {
  private totalS: number;
  private readonly afterRampS: number;
  private scheduled = false;
  elapsedS = 0;

  constructor(start: ProgressStart) {
    this.afterRampS = start.warmupS + start.durationS + start.graceS;
    this.totalS = start.rampS + this.afterRampS;
  }

  update(e: SeriesEntry): void {
    this.elapsedS = e.tS;
    if (!this.scheduled && e.phase !== 'ramp') {
      // The first schedule entry closes the schedule's first second.
      this.scheduled = true;
      this.totalS = Math.max(0, e.tS - 1) + this.afterRampS;
    }
    if (this.elapsedS > this.totalS) this.totalS = this.elapsedS;
  }

  /** The run is over: elapsed is its length, whatever was planned. */
  finish(): void {
    this.totalS = this.elapsedS;
  }

  get total(): number {
    return this.totalS;
  }

  get etaS(): number {
    return Math.max(0, this.totalS - this.elapsedS);
  }
}

/** 0:07, 1:30, 1:02:03 */
export function clockText(s: number): string {
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
