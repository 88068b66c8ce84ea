/**
 * Per-process server counters. Plain numbers on the hot path (one increment per message);
 * prom-client reads them only when /metrics is scraped, so serving costs nothing extra per message.
 */
export class ServerStats {
  connectionsCurrent = 0;
  connectionsTotal = 0;
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Connections whose reading is paused right now because their unsent bytes passed --max-send-buffer. */
  connectionsPaused = 0;
  /** Times reading from a connection was paused for that reason. */
  backpressurePauses = 0;
  /** Close codes seen from peers or sent by us (1000, 1001, 1006 for abrupt disconnects, …). */
  readonly closesByCode = new Map<number, number>();
  /** Socket-level errors (ECONNRESET, EPIPE, protocol errors from ws) by error code. */
  readonly errorsByCode = new Map<string, number>();
  /** Upgrade requests we refused, by HTTP status (400 bad handshake, 404 wrong path, 426 bad version, 503 full). */
  readonly rejectedByStatus = new Map<number, number>();
  /** Plain HTTP answers ≥ 400 and requests the parser refused (400, 405, 408, 426, 431, 503), by status. */
  readonly httpRejectedByStatus = new Map<number, number>();
  /** Connections the server ended on its own, by cause (send-buffer, ping-flood, heartbeat). */
  readonly terminatedByCause = new Map<string, number>();
  /** Connections the peer reset (RST), by phase: request (before the headers), handshake, open. */
  readonly resetsByPhase = new Map<string, number>();

  countClose(code: number): void {
    bump(this.closesByCode, code);
  }

  countError(code: string): void {
    bump(this.errorsByCode, code);
  }

  countRejected(status: number): void {
    bump(this.rejectedByStatus, status);
  }

  countHttpRejected(status: number): void {
    bump(this.httpRejectedByStatus, status);
  }

  countTerminated(cause: TerminationCause): void {
    bump(this.terminatedByCause, cause);
  }

  countReset(phase: ResetPhase): void {
    bump(this.resetsByPhase, phase);
  }
}

export type TerminationCause = 'send-buffer' | 'ping-flood' | 'heartbeat';
export type ResetPhase = 'request' | 'handshake' | 'open';

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
