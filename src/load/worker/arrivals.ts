/**
 * When each message of one worker is due (`--arrivals`), and on which of its connections. Every
 * pattern gives each client `--rate` messages per second on average; they differ in how the
 * server sees them arrive:
 *   - grid: every client at its own phase in the period, rounded up to a 1 ms (2 ms) grid, so the
 *     sends of one grid instant leave back to back (sendGridUs: at most 1 000 wake-ups a second);
 *   - spread: every client at its own phase, unrounded: what periodic independent clients send;
 *   - poisson: independent exponential gaps per client (seeded): what unsynchronised clients send.
 * The superposition of independent Poisson clients of rate r is one Poisson stream of rate n·r whose
 * arrivals each belong to a uniformly chosen client, so one stream per worker is the same traffic
 * as a stream per client, with no per-client timer and no heap.
 */
import type { ArrivalPattern } from '../../contract/result.js';

export const ARRIVAL_PATTERNS: readonly ArrivalPattern[] = ['grid', 'spread', 'poisson'];

/**
 * Intended send times of the grid pattern lie on this grid. With a wake-up for every distinct
 * instant, 10 000 msg/s per worker would wake the sender 10 000 times a second (+20 % of a core,
 * bench/send-timer.js); on a 1 ms grid it wakes at most 1 000 times a second, and the sends of one
 * grid instant leave back to back (a few µs apart). Above 5 000 sends per second per worker the grid
 * is 2 ms: with 10 000 clients × 1 msg/s that cost 1.09× the client CPU per round trip of the
 * millisecond timer it replaced (load-client-cost, medians of 3, back to back); the price is bursts
 * of ~20 sends (docs/measurement.md, "The arrival pattern").
 */
export function sendGridUs(sendsPerSecond: number): number {
  return sendsPerSecond > 5000 ? 2000 : 1000;
}

/** One worker's schedule: the next send's intended time (µs from the schedule start) and slot. */
export interface Arrivals {
  /** Intended time of the next send, µs after the schedule's start (+Infinity: none left). */
  readonly nextOffsetUs: number;
  /** The slot (index into the scheduler's slots) of the next send. */
  readonly nextSlot: number;
  /** Its sequence number on its connection. */
  readonly nextSeq: number;
  /** Moves to the send after this one. */
  advance(): void;
  /** How often the sender should expect to wake (µs), a hint for the thread clock. */
  readonly wakeHintUs: number;
}

/** grid and spread: slot k of round r is due at phase(k) + r × period, rounded up to the grid (1 µs for spread). */
export class PeriodicArrivals implements Arrivals {
  private readonly phases: Float64Array;
  private readonly periodUs: number;
  private readonly gridUs: number;
  private index = 0;
  private round = 0;
  nextOffsetUs: number;
  readonly wakeHintUs: number;

  constructor(phases: Float64Array, periodUs: number, gridUs: number) {
    this.phases = phases;
    this.periodUs = periodUs;
    this.gridUs = gridUs;
    this.wakeHintUs = Math.max(gridUs, 1000);
    this.nextOffsetUs = this.offsetOf();
  }

  get nextSlot(): number {
    return this.index;
  }

  get nextSeq(): number {
    return this.round;
  }

  advance(): void {
    if (++this.index === this.phases.length) {
      this.index = 0;
      this.round++;
    }
    this.nextOffsetUs = this.offsetOf();
  }

  private offsetOf(): number {
    if (this.phases.length === 0) return Number.POSITIVE_INFINITY;
    return Math.ceil((this.phases[this.index] + this.round * this.periodUs) / this.gridUs) * this.gridUs;
  }
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, as in PractRand): seeded, 32-bit
 * state words, good enough statistics for gaps and picks. Hand-written because it runs once per send
 * and must be reproducible from the recorded seed alone.
 */
export function seededRandom(seed: number, stream: number): () => number {
  let a = seed >>> 0;
  let b = (stream * 0x9e3779b9) >>> 0;
  let c = (seed ^ 0xdeadbeef) >>> 0;
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** poisson: one exponential stream of rate slots × rate per worker, each arrival on a uniformly chosen slot. */
export class PoissonArrivals implements Arrivals {
  private readonly random: () => number;
  private readonly meanGapUs: number;
  private readonly slots: number;
  private readonly seqs: Int32Array;
  private slot = 0;
  nextOffsetUs = 0;
  readonly wakeHintUs = 1000;

  constructor(slots: number, ratePerClient: number, seed: number, stream: number) {
    this.slots = slots;
    this.random = seededRandom(seed, stream);
    this.meanGapUs = slots > 0 ? 1e6 / (slots * ratePerClient) : Number.POSITIVE_INFINITY;
    this.seqs = new Int32Array(slots);
    if (slots === 0) this.nextOffsetUs = Number.POSITIVE_INFINITY;
    else this.draw();
  }

  get nextSlot(): number {
    return this.slot;
  }

  get nextSeq(): number {
    return this.seqs[this.slot];
  }

  advance(): void {
    this.seqs[this.slot]++;
    this.draw();
  }

  private draw(): void {
    // 1 − u is in (0, 1]: the logarithm is finite.
    this.nextOffsetUs += Math.round(-Math.log(1 - this.random()) * this.meanGapUs);
    this.slot = Math.min(this.slots - 1, Math.floor(this.random() * this.slots));
  }
}
