import { bump, ServerCounters } from '../contract/server-counters.js';

export type { TerminationCause } from '../contract/server-counters.js';

/**
 * Per-process server counters. Plain numbers on the hot path (one increment per message);
 * prom-client reads them only when /metrics is scraped, so serving costs nothing extra per message.
 */
export class ServerStats extends ServerCounters {
  bytesIn = 0;
  bytesOut = 0;
  /** Connections whose reading is paused right now because their unsent bytes passed --max-send-buffer. */
  connectionsPaused = 0;
  /** Times reading from a connection was paused for that reason. */
  backpressurePauses = 0;
  /** Socket-level errors (ECONNRESET, EPIPE, protocol errors from ws) by error code. */
  readonly errorsByCode = new Map<string, number>();
  /** Plain HTTP answers ≥ 400 and requests the parser refused (400, 405, 408, 426, 431, 503), by status. */
  readonly httpRejectedByStatus = new Map<number, number>();
  /** Connections the peer reset (RST), by phase: request (before the headers), handshake, open. */
  readonly resetsByPhase = new Map<string, number>();

  countError(code: string): void {
    bump(this.errorsByCode, code);
  }

  countHttpRejected(status: number): void {
    bump(this.httpRejectedByStatus, status);
  }

  countReset(phase: ResetPhase): void {
    bump(this.resetsByPhase, phase);
  }
}

export type ResetPhase = 'request' | 'handshake' | 'open';
