/**
 * The opening conversation of one worker's connections (`--on-open`, `--await`): after the
 * handshake each connection sends its opening messages and waits for the awaited server messages;
 * only then is it ready (it joins the schedule and counts as established). A connection that does
 * not finish within --connect-timeout fails with the cause `opening-timeout`; one the server closes
 * meanwhile fails with `opening-closed`. Per connection: its step and deadline in typed arrays; one
 * sweep timer per worker while any connection is in its opening, no timer per connection.
 */
import { nowUs } from '../../core/clock.js';
import { OPENING_CLOSED, OPENING_TIMEOUT } from '../../client/failure-cause.js';
import type { Opening } from '../../protocol/opening.js';
import type { Conn, WorkerState } from './worker-state.js';

const SWEEP_MS = 100;

export interface OpeningOutcome {
  ready(index: number, conn: Conn): void;
  failed(err: Error & { code: string }): void;
}

export class OpeningConversation {
  private readonly opening: Opening;
  private readonly state: WorkerState;
  private readonly outcome: OpeningOutcome;
  /** The step each connection waits on (-1: not in its opening). */
  private readonly step: Int32Array;
  private readonly deadlineUs: Float64Array;
  private readonly conns: (Conn | undefined)[];
  /** Connections in the order they began: their deadlines are in the same order, so the sweep reads from the head. */
  private readonly queue: Int32Array;
  private head = 0;
  private tail = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(opening: Opening, state: WorkerState, outcome: OpeningOutcome) {
    this.opening = opening;
    this.state = state;
    this.outcome = outcome;
    const count = state.config.slice.count;
    this.step = new Int32Array(count).fill(-1);
    this.deadlineUs = new Float64Array(count);
    this.conns = new Array<Conn | undefined>(count).fill(undefined);
    this.queue = new Int32Array(count);
  }

  /** The handshake of connection `index` completed: start its conversation. */
  begin(index: number, conn: Conn): void {
    const step = this.opening.advance(0, this.state.globalId(index), (m) => conn.send(Buffer.from(m), { binary: false }));
    if (step === this.opening.length) return this.outcome.ready(index, conn);
    this.step[index] = step;
    this.conns[index] = conn;
    this.deadlineUs[index] = nowUs() + this.state.config.connectTimeoutMs * 1000;
    // A retried attempt (a taken local port) begins only once it has its handshake: one entry per index.
    if (this.tail < this.queue.length) this.queue[this.tail++] = index;
    this.timer ??= setInterval(() => this.sweep(), SWEEP_MS);
  }

  /** A message on connection `index`: true if its opening took it (the recorder must not see it). */
  message(index: number, data: Buffer): boolean {
    const at = this.step[index];
    if (at < 0) return false;
    if (!this.opening.matches(at, data)) return true;
    const conn = this.conns[index]!;
    const next = this.opening.advance(at + 1, this.state.globalId(index), (m) => conn.send(Buffer.from(m), { binary: false }));
    if (next < this.opening.length) {
      this.step[index] = next;
      return true;
    }
    this.end(index);
    this.outcome.ready(index, conn);
    return true;
  }

  /** A connection closed: true if it was still in its opening (then it failed, with `opening-closed`). */
  closed(index: number, conn: Conn, code: number): boolean {
    if (this.step[index] < 0 || this.conns[index] !== conn) return false;
    this.end(index);
    this.outcome.failed(Object.assign(new Error(`the server closed the connection (${code}) during the opening conversation`), { code: OPENING_CLOSED }));
    return true;
  }

  /** The attempt failed otherwise (a socket error): its conversation ends without an outcome of its own. */
  forget(index: number, conn: Conn): void {
    if (this.step[index] >= 0 && this.conns[index] === conn) this.end(index);
  }

  /** The run is ending: connections still in their opening are dropped (they never became ready). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (let i = this.head; i < this.tail; i++) {
      const index = this.queue[i];
      if (this.step[index] < 0) continue;
      const conn = this.conns[index]!;
      this.end(index);
      conn.terminate();
    }
    this.head = this.tail;
  }

  private sweep(): void {
    const now = nowUs();
    while (this.head < this.tail) {
      const index = this.queue[this.head];
      if (this.step[index] >= 0) {
        if (this.deadlineUs[index] > now) break;
        const waited = this.opening.describe(this.step[index]);
        const conn = this.conns[index]!;
        this.end(index);
        conn.terminate();
        this.outcome.failed(
          Object.assign(new Error(`no answer to ${waited} within --connect-timeout (${this.state.config.connectTimeoutMs} ms)`), { code: OPENING_TIMEOUT }),
        );
      }
      this.head++;
    }
    if (this.head === this.tail && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private end(index: number): void {
    this.step[index] = -1;
    this.conns[index] = undefined;
  }
}
