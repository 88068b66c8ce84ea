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
  /** Close codes seen from peers or sent by us (1000, 1001, 1006 for abrupt disconnects, …). */
  readonly closesByCode = new Map<number, number>();
  /** Socket-level errors (ECONNRESET, EPIPE, protocol errors from ws) by error code. */
  readonly errorsByCode = new Map<string, number>();
  /** Upgrade requests we refused, by HTTP status (404 wrong path, 426 bad version, 503 full). */
  readonly rejectedByStatus = new Map<number, number>();

  countClose(code: number): void {
    this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
  }

  countError(code: string): void {
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
  }

  countRejected(status: number): void {
    this.rejectedByStatus.set(status, (this.rejectedByStatus.get(status) ?? 0) + 1);
  }
}
