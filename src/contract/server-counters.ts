/**
 * The counters every wsbench server keeps, whatever its runtime: plain numbers and maps on the hot
 * path (one increment per event), read only when /metrics or /healthz is asked. The Node server
 * extends them (src/server/stats.ts); the Bun, Deno and uWebSockets.js servers use
 * them as they are.
 *
 * Behaviour, not only an agreement: it stays in src/contract because servers/* may import nothing
 * else of src (Bun and Deno run them as TypeScript from the package), and the metric names below
 * mean the same on every runtime only if every server counts with the same class.
 */
export class ServerCounters {
  connectionsCurrent = 0;
  connectionsTotal = 0;
  messagesIn = 0;
  messagesOut = 0;
  /** Close codes seen from peers or sent by us (1000, 1001, 1006 for abrupt disconnects, …). */
  readonly closesByCode = new Map<number, number>();
  /** Upgrade requests refused, by HTTP status (400 bad handshake, 404 wrong path, 426 bad version, 503 full). */
  readonly rejectedByStatus = new Map<number, number>();
  /** Connections the server ended on its own, by cause (send-buffer, ping-flood, heartbeat, open-file-limit). */
  readonly terminatedByCause = new Map<string, number>();

  countClose(code: number): void {
    bump(this.closesByCode, code);
  }

  countRejected(status: number): void {
    bump(this.rejectedByStatus, status);
  }

  countTerminated(cause: TerminationCause): void {
    bump(this.terminatedByCause, cause);
  }
}

export type TerminationCause = 'send-buffer' | 'ping-flood' | 'heartbeat' | 'open-file-limit';

export function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Names and help of the server metrics all runtimes expose, so one dashboard reads them all. */
export const SERVER_METRICS = {
  connectionsCurrent: { name: 'wsbench_connections_current', help: 'Open WebSocket connections' },
  connectionsTotal: { name: 'wsbench_connections_total', help: 'WebSocket connections accepted' },
  messagesIn: { name: 'wsbench_messages_received_total', help: 'Messages received from clients' },
  messagesOut: { name: 'wsbench_messages_sent_total', help: 'Messages sent to clients (greetings included)' },
  closes: { name: 'wsbench_closes_total', help: 'Closed connections by close code (1006: abrupt disconnect)' },
  upgradesRejected: { name: 'wsbench_upgrades_rejected_total', help: 'Upgrade requests refused, by HTTP status' },
  terminated: {
    name: 'wsbench_connections_terminated_total',
    help: 'Connections the server ended, by cause (send-buffer, ping-flood, heartbeat, open-file-limit: closed at accept)',
  },
  maxSendBuffer: { name: 'wsbench_max_send_buffer_bytes', help: 'Per-connection limit of unsent bytes (--max-send-buffer)' },
} as const;
