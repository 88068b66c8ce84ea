import { nowUs } from '../../core/clock.js';
import { createProbeBuffer, writeProbe } from '../../protocol/probe.js';
import { phaseUs } from '../plan.js';
import type { WorkerState } from './worker-state.js';

/** A socket with more than this waiting to be written is not fed more (the send counts as skipped). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * The open-model send loop: one timer per worker, re-armed to the next intended send time.
 * Intended time of send k on local connection j = start + phase(j) + k × period; a late tick sends
 * everything that is due at once (recording the lag) and never shifts the schedule.
 */
export class SendScheduler {
  private readonly state: WorkerState;
  private readonly periodUs: number;
  /** Phase of each local connection, ascending because global ids ascend with the local index. */
  private readonly phases: Float64Array;
  private readonly probe: Buffer;
  private readonly sendOpts: { binary: boolean; compress: boolean };
  private startUs = 0;
  private endUs = 0;
  private round = 0;
  private index = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(state: WorkerState) {
    this.state = state;
    const cfg = state.config;
    this.periodUs = 1e6 / cfg.ratePerClient;
    const count = cfg.slice.count;
    this.phases = new Float64Array(count);
    for (let j = 0; j < count; j++) this.phases[j] = phaseUs(state.globalId(j), cfg.totalClients, this.periodUs);
    this.probe = createProbeBuffer(cfg.payloadBytes);
    this.sendOpts = { binary: false, compress: cfg.deflate };
  }

  /** Sends with intended times in [startUs, endUs). */
  start(startUs: number, endUs: number): void {
    this.startUs = startUs;
    this.endUs = endUs;
    if (this.phases.length === 0) return;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private nextIntendedUs(): number {
    return this.startUs + this.phases[this.index] + this.round * this.periodUs;
  }

  private arm(): void {
    const next = this.nextIntendedUs();
    if (next >= this.endUs || this.stopped) return;
    this.timer = setTimeout(this.tick, Math.max(0, (next - nowUs()) / 1000));
  }

  private readonly tick = (): void => {
    const count = this.phases.length;
    let intended = this.nextIntendedUs();
    let now = nowUs();
    // One clock read per send: the same instant decides that a send is due and is its send time.
    while (intended <= now && intended < this.endUs) {
      this.sendOne(this.index, Math.round(intended), now);
      if (++this.index === count) {
        this.index = 0;
        this.round++;
      }
      intended = this.nextIntendedUs();
      now = nowUs();
    }
    this.arm();
  };

  private sendOne(index: number, intendedUs: number, now: number): void {
    const s = this.state;
    const c = s.counters;
    const ws = s.sockets[index];
    if (ws === undefined || ws.readyState !== 1 || ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      c.skipped++;
      return;
    }
    writeProbe(this.probe, s.globalId(index), this.round, intendedUs, now);
    // ws copies the bytes while masking unless it must queue them (deflate): then give it its own copy.
    ws.send(this.sendOpts.compress ? Buffer.from(this.probe) : this.probe, this.sendOpts);
    c.sentTotal++;
    c.bytesSent += this.probe.length;
    const lag = now - intendedUs;
    if (lag > s.sendLagMaxIntervalUs) s.sendLagMaxIntervalUs = lag;
    if (s.inWindow(intendedUs)) {
      c.sent++;
      s.hist.sendLag.record(lag);
    }
  }
}
