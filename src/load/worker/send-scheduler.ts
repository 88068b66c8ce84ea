import { nowUs } from '../../core/clock.js';
import { createProbeBuffer, probeFraming, writeProbe } from '../../protocol/probe.js';
import { phaseUs, senderIndex } from '../plan/slices.js';
import { PeriodicArrivals, PoissonArrivals, sendGridUs, type Arrivals } from './arrivals.js';
import { createSendClock } from './pick-send-clock.js';
import type { SendClock } from './send-clock.js';
import type { Conn, WorkerState } from './worker-state.js';
import { compileMessage, TemplateWriter } from '../../protocol/template.js';
import type { InFlight } from './in-flight.js';

/** A socket with more than this waiting to be written is not fed more (the send counts as skipped). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * The open-model send loop: one wake-up per worker (a SendClock, finer than setTimeout), re-armed
 * to the next intended send time of the arrival pattern (arrivals.ts); a late wake-up sends
 * everything that is due at once (recording the lag) and never shifts the schedule.
 */
export class SendScheduler {
  private readonly state: WorkerState;
  /**
   * The schedule's slots: the local connection of each. Every connection in the echo pattern; only
   * the senders in the broadcast pattern.
   */
  private readonly slots: Int32Array;
  private readonly arrivals: Arrivals;
  /** Where the probe starts in the message (after the shootout JSON prefix, if any). */
  private readonly probeBase: number;
  private readonly probe: Buffer;
  private readonly sendOpts: { binary: boolean; compress: boolean };
  /** A templated run (--message): its writer and the template's needs; undefined: the probe. */
  private readonly writer: TemplateWriter | undefined;
  private readonly writesNow: boolean;
  private startUs = 0;
  private endUs = 0;
  /** The schedule second the next report closes, and where it ends (µs). */
  private second = 0;
  private secondEndUs = Number.POSITIVE_INFINITY;
  private readonly onSecond: (second: number) => void;
  private readonly clock: SendClock;
  private stopped = false;
  /** Test hook WSBENCH_TEST_TICK_THROW=<n>: the n-th tick throws (0: never). Read once, here. */
  private readonly throwAtTick = Number(process.env.WSBENCH_TEST_TICK_THROW ?? 0) || 0;
  private ticks = 0;

  /**
   * `onSecond(k)` is called at the end of each schedule second k (from start), before any send of
   * second k + 1: the series then counts each second's sends exactly, whatever the reports' delay.
   */
  constructor(state: WorkerState, onSecond: (second: number) => void) {
    this.state = state;
    this.onSecond = onSecond;
    const cfg = state.config;
    const periodUs = 1e6 / cfg.ratePerClient;
    const slots: number[] = [];
    const phases: number[] = [];
    for (let j = 0; j < cfg.slice.count; j++) {
      const id = state.globalId(j);
      if (cfg.pattern === 'echo') {
        slots.push(j);
        phases.push(phaseUs(id, cfg.totalClients, periodUs));
        continue;
      }
      const sender = senderIndex(id, cfg.totalClients, cfg.senders);
      if (sender < 0) continue;
      slots.push(j);
      phases.push(phaseUs(sender, cfg.senders, periodUs));
    }
    this.slots = Int32Array.from(slots);
    this.arrivals =
      cfg.arrivals === 'poisson'
        ? new PoissonArrivals(slots.length, cfg.ratePerClient, cfg.arrivalSeed, cfg.slice.workerIndex)
        : new PeriodicArrivals(Float64Array.from(phases), periodUs, cfg.arrivals === 'spread' ? 1 : sendGridUs(slots.length * cfg.ratePerClient));
    const framing = probeFraming(cfg.format, cfg.pattern);
    this.probe = createProbeBuffer(cfg.payloadBytes, framing);
    this.probeBase = framing.prefix.length;
    const message = cfg.message;
    const template = message ? compileMessage(message) : undefined;
    this.writer = template ? new TemplateWriter(template) : undefined;
    this.writesNow = template?.hasNow ?? false;
    // A template that is not UTF-8 (--message-file) goes out as binary messages.
    this.sendOpts = { binary: message?.encoding === 'base64', compress: cfg.deflate };
    // Started with the worker, so its thread is part of the "before connecting" memory baseline.
    this.clock = createSendClock(this.tick);
  }

  /** Sends with intended times in [startUs, endUs); reports every second from startUs until stop(). */
  start(startUs: number, endUs: number): void {
    this.startUs = startUs;
    this.endUs = endUs;
    this.secondEndUs = startUs + 1e6;
    this.arm(Math.min(this.nextIntendedUs(), this.secondEndUs));
  }

  stop(): void {
    this.stopped = true;
    this.clock.stop();
  }

  /** The next send's intended time; +Infinity once the schedule has reached its end. */
  private nextIntendedUs(): number {
    const at = this.startUs + this.arrivals.nextOffsetUs;
    return at < this.endUs ? at : Number.POSITIVE_INFINITY;
  }

  /** Which clock wakes this worker (recorded in the result). */
  get clockKind(): SendClock['kind'] {
    return this.clock.kind;
  }

  private arm(at: number): void {
    // With the pattern's usual gap as period: in a busy grid schedule the next instant is the thread
    // clock's own next one, and re-arming it costs nothing (thread-clock.ts).
    if (!this.stopped) this.clock.wakeAt(at, this.arrivals.wakeHintUs);
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    if (++this.ticks === this.throwAtTick) throw new Error(`the send tick threw (WSBENCH_TEST_TICK_THROW=${this.throwAtTick})`);
    const arrivals = this.arrivals;
    let intended = this.nextIntendedUs();
    let now = nowUs();
    // One clock read per send: the same instant decides that a send is due and is its send time.
    for (;;) {
      if (this.secondEndUs <= now && this.secondEndUs <= intended) {
        this.onSecond(this.second++);
        this.secondEndUs += 1e6;
        now = nowUs();
        continue;
      }
      if (intended > now) break;
      this.sendOne(this.slots[arrivals.nextSlot], arrivals.nextSeq, Math.round(intended), now);
      arrivals.advance();
      intended = this.nextIntendedUs();
      now = nowUs();
    }
    this.arm(Math.min(intended, this.secondEndUs));
  };

  private sendOne(index: number, seq: number, intendedUs: number, now: number): void {
    const s = this.state;
    const c = s.counters;
    const ws = s.sockets[index];
    if (ws === undefined || ws.readyState !== 1) return this.skip(index, seq);
    const buffered = ws.bufferedAmount;
    if (buffered > MAX_BUFFERED_BYTES) return this.skip(index, seq);
    // Written behind bytes the socket has not taken yet: its wait is inside the raw round trip.
    if (buffered > 0) c.waited++;
    if (this.writer !== undefined) return this.sendTemplated(ws, index, seq, intendedUs, now, s.inFlight!);
    // Probe times on the run's clock (the host's monotonic clock): a receiver in another thread or process reads them.
    writeProbe(this.probe, s.globalId(index), seq, intendedUs + s.probeClockOffsetUs, now + s.probeClockOffsetUs, this.probeBase);
    // ws copies the bytes while masking unless it must queue them (deflate): then give it its own copy.
    ws.send(this.sendOpts.compress ? Buffer.from(this.probe) : this.probe, this.sendOpts);
    c.sentTotal++;
    c.bytesSent += this.probe.length;
    this.countSent(intendedUs, now);
  }

  private skip(index: number, seq: number): void {
    this.state.counters.skipped++;
    this.state.inFlight?.skipped(index, seq);
  }

  /**
   * A templated message: {id} is seq × clients + conn (unique in the run, and its connection and
   * sequence number come back out of it); its times wait in the in-flight table for the reply.
   */
  private sendTemplated(ws: Conn, index: number, seq: number, intendedUs: number, now: number, inFlight: InFlight): void {
    const s = this.state;
    const conn = s.globalId(index);
    const message = this.writer!.write(seq, conn, seq * s.config.totalClients + conn, this.writesNow ? Date.now() : 0);
    ws.send(this.sendOpts.compress ? Buffer.from(message) : message, this.sendOpts);
    s.counters.droppedInFlight += inFlight.sent(index, seq, intendedUs, now);
    s.counters.sentTotal++;
    s.counters.bytesSent += message.length;
    this.countSent(intendedUs, now);
  }

  private countSent(intendedUs: number, now: number): void {
    const s = this.state;
    const lag = now - intendedUs;
    if (lag > s.sendLagMaxIntervalUs) s.sendLagMaxIntervalUs = lag;
    if (s.inWindow(intendedUs)) {
      s.counters.sent++;
      s.hist.sendLag.record(lag);
      s.intervalSendLag.record(lag);
    }
  }
}
