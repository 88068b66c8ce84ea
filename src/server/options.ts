/** What `wsbench serve` runs with, validated by the CLI before it gets here. */
export interface ServeOptions {
  host: string;
  port: number;
  /** Only this path upgrades; undefined = every path (the seed greets with whatever path was asked). */
  path: string | undefined;
  /**
   * pong: the seed's greeting and `Pong: <msg>`; echo: the message back; broadcast: every text
   * message to every connected client (the sender included), across workers.
   */
  mode: 'pong' | 'echo' | 'broadcast';
  /** plain: the modes above; shootout: the websocket-shootout JSON protocol (`echo` and `broadcast` messages). */
  format: 'plain' | 'shootout';
  protocols: string[];
  deflate: boolean;
  maxPayloadBytes: number;
  /** Upgrades beyond this many open connections (whole server) get HTTP 503. 0 = no limit. */
  maxConnections: number;
  /** Heartbeat period; 0 disables. Peers that miss one ping are terminated. */
  pingIntervalMs: number;
  certPath: string | undefined;
  keyPath: string | undefined;
  /** Number of processes sharing the port (node:cluster). 1 = this process only. */
  workers: number;
  logLevel: string;
  /** How long a graceful shutdown waits for close handshakes before terminating sockets. */
  shutdownTimeoutMs: number;
  /**
   * Bytes that may wait to be sent on one connection. Past it the server stops reading from that
   * client until its replies drain (a client that never reads cannot make the server buffer forever).
   */
  maxSendBufferBytes: number;
  /** A connection whose reading stays paused this long (it does not read its replies) is closed with 1008. */
  sendBufferTimeoutMs: number;
  /** Time from TCP accept (TLS included) to a complete request header block; slower clients get 408. */
  handshakeTimeoutMs: number;
  /** Milliseconds (fractions allowed) to wait before each reply: a known difference for calibration. 0 = none. */
  replyDelayMs: number;
}

/** The limits a server runs with, as recorded at start-up, in /healthz and in /metrics. */
export interface ServerLimits {
  maxSendBufferBytes: number;
  sendBufferTimeoutMs: number;
  handshakeTimeoutMs: number;
  maxPayloadBytes: number;
  maxConnections: number;
}

export function limitsOf(opts: ServeOptions): ServerLimits {
  return {
    maxSendBufferBytes: opts.maxSendBufferBytes,
    sendBufferTimeoutMs: opts.sendBufferTimeoutMs,
    handshakeTimeoutMs: opts.handshakeTimeoutMs,
    maxPayloadBytes: opts.maxPayloadBytes,
    maxConnections: opts.maxConnections,
  };
}

/** A running server, whatever its layout (one process, or a cluster primary and its workers). */
export interface ServerHandle {
  port: number;
  pid: number;
  workers: number;
  shutdown(): Promise<void>;
}
