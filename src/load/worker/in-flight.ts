/**
 * The messages in flight of a templated run, per connection, keyed by their sequence number (the
 * reply's id maps back to it): a ring of `cap` slots per connection in typed arrays, so memory is
 * bounded and nothing is allocated per message. Sending into an occupied slot drops its message
 * (counted lost once: it is never received). Beside the ring, a bit per recent sequence number says
 * whether it was answered, which tells a duplicate (answered within the last 32 sends) from a late
 * reply (its message was dropped) and from an unknown id.
 */

/** What a reply's sequence number is, on its connection (small integers: compared in the hot path). */
export const REPLY = { MATCHED: 0, DUPLICATE: 1, LATE: 2, UNKNOWN: 3 } as const;
export type ReplyClass = (typeof REPLY)[keyof typeof REPLY];

/** An id answered again within this many sends of its connection is a duplicate (older: unknown). */
const DUPLICATE_WINDOW = 32;

export class InFlight {
  private readonly cap: number;
  /** Bits of answered-state per connection: the sends remembered (a multiple of 32, at least 2 × cap and 64). */
  private readonly memory: number;
  private readonly words: number;
  /** Per slot (connection × cap + seq % cap): the sequence number in flight there (-1: none) and its times (µs). */
  private readonly seqs: Int32Array;
  private readonly intendedUs: Float64Array;
  private readonly sentUs: Float64Array;
  /** Highest sequence number sent (or skipped) per connection; -1: none yet. */
  private readonly lastSeq: Int32Array;
  /** Bit seq % memory: the message was answered (or never went out). */
  private readonly settled: Uint32Array;
  /** The times of the message matched last (read them right after reply() returned MATCHED). */
  matchedIntendedUs = 0;
  matchedSentUs = 0;

  constructor(connections: number, cap: number) {
    this.cap = cap;
    this.memory = Math.max(64, Math.ceil((2 * cap) / 32) * 32);
    this.words = this.memory / 32;
    this.seqs = new Int32Array(connections * cap).fill(-1);
    this.intendedUs = new Float64Array(connections * cap);
    this.sentUs = new Float64Array(connections * cap);
    this.lastSeq = new Int32Array(connections).fill(-1);
    this.settled = new Uint32Array(connections * this.words);
  }

  /** A message went out; returns 1 if it pushed out an unanswered one (dropped: lost), else 0. */
  sent(index: number, seq: number, intendedUs: number, sentUs: number): number {
    const slot = index * this.cap + (seq % this.cap);
    const dropped = this.seqs[slot] >= 0 ? 1 : 0;
    this.seqs[slot] = seq;
    this.intendedUs[slot] = intendedUs;
    this.sentUs[slot] = sentUs;
    this.mark(index, seq, false);
    return dropped;
  }

  /** A scheduled message that did not go out: a reply naming it is not late (it cannot be ours). */
  skipped(index: number, seq: number): void {
    this.mark(index, seq, true);
  }

  /** Classifies a reply to sequence number `seq`; on MATCHED its times are in matchedIntendedUs / matchedSentUs. */
  reply(index: number, seq: number): ReplyClass {
    const last = this.lastSeq[index];
    if (seq > last) return REPLY.UNKNOWN;
    const slot = index * this.cap + (seq % this.cap);
    if (this.seqs[slot] === seq) {
      this.seqs[slot] = -1;
      this.matchedIntendedUs = this.intendedUs[slot];
      this.matchedSentUs = this.sentUs[slot];
      this.setBit(index, seq);
      return REPLY.MATCHED;
    }
    const age = last - seq;
    // Beyond what is remembered: a reply that late is likelier than a duplicate that late.
    if (age >= this.memory) return REPLY.LATE;
    if (this.isSet(index, seq)) return age < DUPLICATE_WINDOW ? REPLY.DUPLICATE : REPLY.UNKNOWN;
    // Sent, never answered, no longer in its slot: the cap dropped it.
    return REPLY.LATE;
  }

  private mark(index: number, seq: number, settled: boolean): void {
    const last = this.lastSeq[index];
    if (seq > last) {
      // The bits of the numbers skipped over are stale (left by seq − memory): clear them.
      for (let s = Math.max(last + 1, seq - this.memory + 1); s < seq; s++) this.clearBit(index, s);
      this.lastSeq[index] = seq;
    }
    if (settled) this.setBit(index, seq);
    else this.clearBit(index, seq);
  }

  private setBit(index: number, seq: number): void {
    const bit = seq % this.memory;
    this.settled[index * this.words + (bit >>> 5)] |= 1 << (bit & 31);
  }

  private clearBit(index: number, seq: number): void {
    const bit = seq % this.memory;
    this.settled[index * this.words + (bit >>> 5)] &= ~(1 << (bit & 31));
  }

  private isSet(index: number, seq: number): boolean {
    const bit = seq % this.memory;
    return (this.settled[index * this.words + (bit >>> 5)] & (1 << (bit & 31))) !== 0;
  }
}
