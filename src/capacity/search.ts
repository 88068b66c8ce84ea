/**
 * The capacity search as a pure state machine: which client count to try next, given what the
 * steps so far said. Grows from --from by a step (added, or multiplied: `x2`), and once a step
 * fails, bisects between the last passing and the first failing count down to --resolution.
 * A step where the load generator was the limit ends the search: past it, wsbench would measure
 * itself, not the server.
 */

export type StepOutcome = 'pass' | 'fail' | 'client-limit';

export interface SearchSettings {
  from: number;
  to: number;
  /** `add`: from, from+n, …; `mul`: from, from×f, … (capped at `to`). */
  step: { kind: 'add'; n: number } | { kind: 'mul'; factor: number };
  bisect: boolean;
  /** Bisection stops when first failing − last passing ≤ this fraction of the last passing count. */
  resolution: number;
}

/** How the search ended, in the user's terms. */
export type AnswerKind = 'found' | 'at-least' | 'below-from' | 'client-limit';

export interface CapacityAnswer {
  kind: AnswerKind;
  /** The largest count that met the SLO (null when none did). */
  lastPassing: number | null;
  /** The smallest count that did not (null when none failed). */
  firstFailing: number | null;
  /** Where the load generator was the limit (kind 'client-limit'). */
  clientLimitAt: number | null;
  message: string;
}

export class CapacitySearch {
  private readonly s: SearchSettings;
  private lastPass: number | null = null;
  private firstFail: number | null = null;
  private clientLimit: number | null = null;
  private upcoming: number | undefined;

  constructor(settings: SearchSettings) {
    this.s = settings;
    this.upcoming = settings.from;
  }

  /** The next client count to run, or undefined when the search is over. */
  next(): number | undefined {
    return this.upcoming;
  }

  record(clients: number, outcome: StepOutcome): void {
    if (outcome === 'client-limit') {
      this.clientLimit = clients;
      this.upcoming = undefined;
      return;
    }
    if (outcome === 'pass') this.lastPass = Math.max(this.lastPass ?? 0, clients);
    else this.firstFail = Math.min(this.firstFail ?? Number.POSITIVE_INFINITY, clients);
    this.upcoming = this.firstFail === null ? this.grow(clients) : this.bisect();
  }

  private grow(clients: number): number | undefined {
    if (clients >= this.s.to) return undefined;
    const next = this.s.step.kind === 'add' ? clients + this.s.step.n : Math.ceil(clients * this.s.step.factor);
    return Math.min(this.s.to, Math.max(clients + 1, next));
  }

  private bisect(): number | undefined {
    const pass = this.lastPass;
    const fail = this.firstFail!;
    if (!this.s.bisect || pass === null) return undefined;
    const gap = fail - pass;
    if (gap <= Math.max(1, this.s.resolution * pass)) return undefined;
    const mid = roundNice((pass + fail) / 2, gap);
    return mid > pass && mid < fail ? mid : undefined;
  }

  answer(): CapacityAnswer {
    const pass = this.lastPass;
    const fail = this.firstFail;
    const base = { lastPassing: pass, firstFailing: fail, clientLimitAt: this.clientLimit };
    const n = (x: number) => x.toLocaleString('en-US');
    if (this.clientLimit !== null) {
      return {
        ...base,
        kind: 'client-limit',
        message: `the load generator is the limit at ${n(this.clientLimit)} clients${pass !== null ? `; the server met the SLO at ${n(pass)}` : ''}: not the server's capacity`,
      };
    }
    if (pass === null) return { ...base, kind: 'below-from', message: `the SLO failed already at --from ${n(fail ?? this.s.from)} clients` };
    if (fail === null) return { ...base, kind: 'at-least', message: `at least ${n(pass)} clients (the SLO held up to --to)` };
    return { ...base, kind: 'found', message: `${n(pass)} clients (met the SLO; ${n(fail)} did not)` };
  }
}

/** Rounds to one significant digit below the gap's magnitude, so steps read like 48 000, not 47 913. */
function roundNice(value: number, gap: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(gap)) - 1);
  return Math.round(value / unit) * unit;
}
