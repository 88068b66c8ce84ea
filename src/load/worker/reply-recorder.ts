import { nowUs } from '../../core/clock.js';
import { senderIndex } from '../plan/slices.js';
import { PROBE_MAX_SEQ, probeOffset, readProbeConnId, readProbeIntendedUs, readProbeSentUs, readProbeSeq } from '../../protocol/probe.js';
import type { WorkerState } from './worker-state.js';
import { FOREIGN_ID, NO_ID, parseReplyIdRule, ReplyIdExtractor } from '../../protocol/reply-id.js';
import { compileMessage } from '../../protocol/template.js';
import { REPLY } from './in-flight.js';

/** Sequence numbers wrap here (the probe's 7-digit field); differences are taken modulo it. */
const SEQ_SPACE = PROBE_MAX_SEQ + 1;
const HALF_SEQ_SPACE = SEQ_SPACE / 2;
/** How far below the highest sequence a duplicate can still be told from a late reply. */
const SEQ_WINDOW = 32;

/** What the sequence check made of a reply (small integers: compared in the hot path). */
export const SEQ = { IN_ORDER: 0, OUT_OF_ORDER: 1, DUPLICATE: 2 } as const;
export type SeqClass = (typeof SEQ)[keyof typeof SEQ];

/**
 * Sequence check of connection `index` (anti-replay window, RFC 4303 §3.4.3): the highest sequence
 * seen plus a 32-bit map of the ones just below it, in typed arrays, so nothing is allocated.
 * A reply more than 32 sends older than the highest is counted out of order and measured: it cannot
 * be told from a duplicate any more, and a late reply is the likelier story.
 */
export function classifySeq(s: WorkerState, index: number, seq: number): SeqClass {
  const highest = s.seqHighest[index];
  if (highest < 0) {
    s.seqHighest[index] = seq;
    s.seqSeen[index] = 1;
    return SEQ.IN_ORDER;
  }
  let ahead = seq - highest;
  // Serial-number arithmetic: 9 999 999 → 0 is one step forward, not ten million back.
  if (ahead > HALF_SEQ_SPACE) ahead -= SEQ_SPACE;
  else if (ahead < -HALF_SEQ_SPACE) ahead += SEQ_SPACE;
  if (ahead > 0) {
    s.seqHighest[index] = seq;
    s.seqSeen[index] = ahead >= SEQ_WINDOW ? 1 : (s.seqSeen[index] << ahead) | 1;
    return SEQ.IN_ORDER;
  }
  const behind = -ahead;
  if (behind >= SEQ_WINDOW) return SEQ.OUT_OF_ORDER;
  const bit = 1 << behind;
  if ((s.seqSeen[index] & bit) !== 0) return SEQ.DUPLICATE;
  s.seqSeen[index] |= bit;
  return SEQ.OUT_OF_ORDER;
}

/**
 * The reply path of one worker: every received message is matched and timed from its payload
 * alone (no lookup, no allocation). One instance per worker, holding that worker's state: nothing
 * at module level, so a test or a second worker in the same thread gets its own.
 */
export class ReplyRecorder {
  private readonly state: WorkerState;
  /** A templated run: where replies carry their id, and whether it is {id} (seq × clients + conn) or {seq}. */
  private readonly extractor: ReplyIdExtractor | undefined;
  private readonly idIsRunWide: boolean;

  constructor(state: WorkerState) {
    this.state = state;
    const message = state.config.message;
    this.extractor = message ? new ReplyIdExtractor(parseReplyIdRule(message.replyId)) : undefined;
    this.idIsRunWide = message ? compileMessage(message).hasId : false;
  }

  /**
   * The reply path (one call per message received). Everything needed is in the payload: no lookup,
   * no allocation. `Pong: <probe>` (the seed server) and `<probe>` (any echo server) both match.
   */
  record(index: number, buf: Buffer): void {
    const state = this.state;
    // A templated reply's times are on this thread's clock (in-flight.ts), the probe's on the run's.
    const threadNow = nowUs();
    const c = state.counters;
    c.bytesReceived += buf.length;
    if (this.extractor !== undefined) return this.recordTemplated(index, buf, threadNow);
    // On the run's clock, like the probe's times (worker-state.ts: probeClockOffsetUs).
    const now = threadNow + state.probeClockOffsetUs;
    const at = probeOffset(buf);
    if (at < 0) {
      c.otherMessages++;
      return;
    }
    const connId = readProbeConnId(buf, at);
    const seq = readProbeSeq(buf, at);
    const intendedUs = readProbeIntendedUs(buf, at);
    const sentUs = readProbeSentUs(buf, at);
    if (connId < 0 || seq < 0 || intendedUs < 0 || sentUs < 0) {
      c.badReplies++;
      return;
    }
    if (state.config.pattern === 'broadcast') return this.recordDelivery(connId, seq, intendedUs, sentUs, now);
    // Another connection's probe: its own connection never gets it, so it is not measured here.
    if (connId !== state.globalId(index)) {
      c.crossedReplies++;
      return;
    }
    const seqClass = classifySeq(state, index, seq);
    if (seqClass === SEQ.DUPLICATE) {
      c.duplicateReplies++;
      return;
    }
    if (seqClass === SEQ.OUT_OF_ORDER) c.outOfOrderReplies++;
    c.receivedTotal++;
    // Corrected for coordinated omission: measured from when the message should have left.
    state.intervalRtt.record(now - intendedUs);
    state.intervalLatency.record(now - sentUs);
    if (state.inWindow(intendedUs - state.probeClockOffsetUs)) {
      c.received++;
      state.hist.rtt.record(now - intendedUs);
      state.hist.rttRaw.record(now - sentUs);
    }
  }

  /**
   * A reply of a templated run: its id (by the --reply-id rule) names the message it answers, whose
   * times wait in the in-flight table. A reply without an id is a server push (counted, not an error).
   * `now` is on this thread's clock, like the table's times.
   */
  private recordTemplated(index: number, buf: Buffer, now: number): void {
    const s = this.state;
    const c = s.counters;
    const id = this.extractor!.extract(buf);
    if (id === NO_ID) {
      c.otherMessages++;
      return;
    }
    const seq = id === FOREIGN_ID ? -1 : this.seqOf(index, id);
    if (seq < 0) {
      c.unknownReplies++;
      return;
    }
    const inFlight = s.inFlight!;
    const kind = inFlight.reply(index, seq);
    if (kind !== REPLY.MATCHED) {
      if (kind === REPLY.DUPLICATE) c.duplicateReplies++;
      else if (kind === REPLY.LATE) c.lateReplies++;
      else c.unknownReplies++;
      return;
    }
    // Out of order: answered after a later message of its connection (normal for these protocols).
    if (seq < s.seqHighest[index]) c.reorderedReplies++;
    else s.seqHighest[index] = seq;
    c.receivedTotal++;
    const intendedUs = inFlight.matchedIntendedUs;
    const sentUs = inFlight.matchedSentUs;
    s.intervalRtt.record(now - intendedUs);
    s.intervalLatency.record(now - sentUs);
    if (s.inWindow(intendedUs)) {
      c.received++;
      s.hist.rtt.record(now - intendedUs);
      s.hist.rttRaw.record(now - sentUs);
    }
  }

  /** The sequence number an id names on connection `index`; -1 if it is not one this connection sent. */
  private seqOf(index: number, id: number): number {
    let seq = id;
    if (this.idIsRunWide) {
      const clients = this.state.config.totalClients;
      const conn = id % clients;
      if (conn !== this.state.globalId(index)) return -1;
      seq = (id - conn) / clients;
    }
    return seq <= 0x7fffffff ? seq : -1;
  }

  /**
   * One broadcast delivery (any sender's probe, on any connection): its latency from the sender's
   * intended send time, on the host's monotonic clock. The sequence checks are per sender and
   * connection, so they do not apply; what does is that every delivery comes from a sender.
   * The last delivery of each broadcast in this worker is tracked per sender in typed arrays (a new
   * sequence number from a sender closes its previous broadcast), with no state per message.
   */
  private recordDelivery(senderId: number, seq: number, intendedUs: number, sentUs: number, now: number): void {
    const s = this.state;
    const c = s.counters;
    const k = senderIndex(senderId, s.config.totalClients, s.config.senders);
    if (k < 0) {
      c.crossedReplies++;
      return;
    }
    c.receivedTotal++;
    const latency = now - intendedUs;
    s.intervalRtt.record(latency);
    s.intervalLatency.record(now - sentUs);
    if (!s.inWindow(intendedUs - s.probeClockOffsetUs)) return;
    c.received++;
    s.hist.rtt.record(latency);
    s.hist.rttRaw.record(now - sentUs);
    if (s.broadcastSeq[k] === seq) {
      if (latency > s.broadcastLastUs[k]) s.broadcastLastUs[k] = latency;
      return;
    }
    if (s.broadcastSeq[k] >= 0) s.hist.lastDelivery.record(s.broadcastLastUs[k]);
    s.broadcastSeq[k] = seq;
    s.broadcastLastUs[k] = latency;
  }

  /** Records the broadcasts still open (their last delivery so far) at the end of the run. */
  flushDeliveries(): void {
    const s = this.state;
    for (let k = 0; k < s.broadcastSeq.length; k++) {
      if (s.broadcastSeq[k] >= 0) s.hist.lastDelivery.record(s.broadcastLastUs[k]);
      s.broadcastSeq[k] = -1;
    }
  }
}
