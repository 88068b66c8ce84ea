import type { WebSocket } from 'ws';
import { BucketRecorder } from '../../metrics/bucket-recorder.js';
import { emptyCounters, type WorkerConfig } from './messages.js';
import { monotonicOriginUs } from '../../core/clock.js';
import { InFlight } from './in-flight.js';

/** What the scheduler needs of a connection; both ws's WebSocket and the lean client provide it. */
export interface Conn {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Buffer, opts: { binary: boolean; compress?: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** A ws socket carries its local index (ws listeners find their connection through `this`). */
export const kIndex = Symbol('wsbench.index');
export type LoadSocket = WebSocket & { [kIndex]: number };

/**
 * Everything one worker knows, passed explicitly to its connector, recorder and scheduler (one
 * object each per worker): the hot paths reach it through them, without a closure per connection.
 */
export class WorkerState {
  readonly config: WorkerConfig;
  readonly counters = emptyCounters();
  /** Open connections by local index (undefined: not connected yet, failed, or closed). */
  readonly sockets: (Conn | undefined)[];
  /** When each connection attempt started (µs), for the connect histogram. */
  readonly connectStartUs: Float64Array;
  /** Highest probe sequence number replied to on each connection (-1: none yet). */
  readonly seqHighest: Int32Array;
  /**
   * nowUs() + this = the run's clock (µs since WorkerConfig.clockBaseUs on the host's monotonic
   * clock), the time base of every probe: comparable across the threads and processes of a run.
   */
  readonly probeClockOffsetUs: number;
  /** Broadcast pattern, per sender: the sequence of its open broadcast, and its latest delivery so far (µs). */
  readonly broadcastSeq: Int32Array;
  readonly broadcastLastUs: Float64Array;
  /** Replies seen just below seqHighest: bit i set = seqHighest − i seen (see reply-recorder.ts). */
  readonly seqSeen: Uint32Array;
  /** A templated run's messages awaiting their reply (undefined: the probe, which needs no table). */
  readonly inFlight: InFlight | undefined;
  /** Global connection id of local index j is firstId + j × stride. */
  readonly firstId: number;
  readonly stride: number;

  readonly hist = {
    rtt: new BucketRecorder(),
    rttRaw: new BucketRecorder(),
    sendLag: new BucketRecorder(),
    connect: new BucketRecorder(),
    /** Broadcast pattern: per broadcast, the latest of its deliveries in this worker. */
    lastDelivery: new BucketRecorder(),
  };
  /** RTT of replies since the last interval report (for the live line and the series). */
  readonly intervalRtt = new BucketRecorder();
  /** The headline (raw RTT) of the same replies. */
  readonly intervalLatency = new BucketRecorder();
  /** Send lag of in-window sends since the last interval report (saturation judged per second). */
  readonly intervalSendLag = new BucketRecorder();
  sendLagMaxIntervalUs = 0;

  /** Measured window in this thread's monotonic µs; samples outside it are not in the figures. */
  windowStartUs = Number.POSITIVE_INFINITY;
  windowEndUs = Number.NEGATIVE_INFINITY;
  /** True once `finish` arrived: closes from now on are ours, not the server's. */
  closing = false;
  connectAttemptsDone = 0;

  constructor(config: WorkerConfig) {
    this.config = config;
    this.firstId = config.slice.firstId;
    this.stride = config.slice.stride;
    this.sockets = new Array<Conn | undefined>(config.slice.count).fill(undefined);
    this.connectStartUs = new Float64Array(config.slice.count);
    this.probeClockOffsetUs = Math.round(monotonicOriginUs() - config.clockBaseUs);
    const senders = config.pattern === 'broadcast' ? config.senders : 0;
    this.broadcastSeq = new Int32Array(senders).fill(-1);
    this.broadcastLastUs = new Float64Array(senders);
    this.seqHighest = new Int32Array(config.slice.count).fill(-1);
    this.seqSeen = new Uint32Array(config.slice.count);
    this.inFlight = config.message ? new InFlight(config.slice.count, config.message.maxInFlight) : undefined;
  }

  globalId(index: number): number {
    return this.firstId + index * this.stride;
  }

  inWindow(intendedUs: number): boolean {
    return intendedUs >= this.windowStartUs && intendedUs < this.windowEndUs;
  }

  countError(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }
}
