/** What `wsbench serve` runs with, validated by the CLI before it gets here. */
export interface ServeOptions {
  host: string;
  port: number;
  /** Only this path upgrades; undefined = every path (the seed greets with whatever path was asked). */
  path: string | undefined;
  mode: 'pong' | 'echo';
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
}

/** Header on every 101 answer, so clients (and tests) can see which process holds them. */
export const WORKER_PID_HEADER = 'X-Wsbench-Pid';

/** Open files a process keeps for itself (listening socket, stdio, IPC, libuv, logs). */
export const FD_RESERVE = 100;
