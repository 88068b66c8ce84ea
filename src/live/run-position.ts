/**
 * Where a command is in its runs (compare: servers × tiers × repeats; capacity: its steps), for
 * "run 2/6" and the ETA of the whole. The planned count is unknown for a capacity search.
 */
export class RunPosition {
  readonly planned: number | undefined;
  private started = 0;
  private readonly finishedLengthsS: number[] = [];
  private currentTotalS = 0;
  private currentElapsedS = 0;

  constructor(planned: number | undefined) {
    this.planned = planned;
  }

  /** A run begins; returns its 1-based index. */
  next(plannedTotalS: number): number {
    this.currentTotalS = plannedTotalS;
    this.currentElapsedS = 0;
    return ++this.started;
  }

  progress(elapsedS: number, totalS: number): void {
    this.currentElapsedS = elapsedS;
    this.currentTotalS = totalS;
  }

  finish(): void {
    this.finishedLengthsS.push(this.currentElapsedS);
  }

  get index(): number {
    return this.started;
  }

  /** "2/6" (or "2" when the count is open), empty for a single run. */
  label(): string {
    if (this.planned === 1) return '';
    return this.planned === undefined ? `${this.started}` : `${this.started}/${this.planned}`;
  }

  /** Seconds left of every planned run: this one's rest, then the others at the mean length so far. */
  overallEtaS(): number | null {
    if (this.planned === undefined) return null;
    const thisLeft = Math.max(0, this.currentTotalS - this.currentElapsedS);
    const done = this.finishedLengthsS;
    const perRun = done.length ? done.reduce((a, b) => a + b, 0) / done.length : this.currentTotalS;
    return thisLeft + Math.max(0, this.planned - this.started) * perRun;
  }
}
