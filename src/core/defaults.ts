/**
 * Every default and fixed limit of wsbench in one place: the code, the profiles and the help text
 * read them from here (help shows them through src/cli/help.ts), so a default is never written twice.
 */
import { fileURLToPath } from 'node:url';

/** The package root (a clone or an installed package alike): dist/src/core/ → ../../../ */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `load`, `merge`, `demo`, `compare` and `capacity` write unless told otherwise (--out). */
export const RESULTS_DIR = 'results';

/** Open files a process keeps for itself (listening socket, stdio, IPC, libuv, logs): server and load alike. */
export const FD_RESERVE = 100;

/** Ephemeral ports left to the rest of the machine when planning source addresses. */
export const PORT_RESERVE = 1000;

/** Largest message the load's clients accept: replies are probe-sized, more means a misbehaving server. */
export const CLIENT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** `wsbench load` (flags and profiles). */
export const LOAD_DEFAULTS = {
  url: 'ws://127.0.0.1:8080/',
  clients: 100,
  ratePerClient: 1,
  durationMs: 30_000,
  warmupMs: 5_000,
  connectRate: 2_000,
  payloadBytes: 64,
  protocols: [] as string[],
  deflate: false,
  client: 'lean' as 'lean' | 'ws',
  headers: {} as Record<string, string>,
  origin: undefined,
  graceMs: 2_000,
  connectTimeoutMs: 10_000,
  pattern: 'echo' as 'echo' | 'broadcast',
  format: 'plain' as 'plain' | 'shootout',
  arrivals: 'grid' as 'grid' | 'spread' | 'poisson',
  maxSendLagP99Ms: 20,
  maxEventLoopDelayP99Ms: 50,
  /**
   * Templated messages (--message) awaiting their reply, per connection, at least: the default is
   * what a connection sends in the grace period and 1 s more (maxInFlightFor), so a message is
   * dropped mid-run (lost) about when it would count as lost at the end. 20 bytes each per
   * connection: 16 cost 32 MB at 100 000 clients.
   */
  maxInFlight: 16,
} as const;

/** The default --max-in-flight of a run: its sends in the grace period and 1 s more, at least LOAD_DEFAULTS.maxInFlight. */
export function maxInFlightFor(ratePerClient: number, graceMs: number): number {
  return Math.max(LOAD_DEFAULTS.maxInFlight, Math.ceil(ratePerClient * (graceMs / 1000 + 1)));
}

/** `wsbench serve` (flags and the servers on every runtime). */
export const SERVE_DEFAULTS = {
  runtime: 'node' as 'node' | 'bun' | 'deno' | 'uws',
  host: '0.0.0.0',
  port: 8080,
  mode: 'pong' as 'pong' | 'echo' | 'broadcast',
  format: 'plain' as 'plain' | 'shootout',
  protocols: ['chat', 'superchat'] as string[],
  deflate: false,
  maxPayloadBytes: 64 * 1024,
  /** 0 = no limit. */
  maxConnections: 0,
  workers: 1,
  logLevel: 'info',
  shutdownTimeoutMs: 5_000,
  maxSendBufferBytes: 1024 * 1024,
  sendBufferTimeoutMs: 30_000,
  handshakeTimeoutMs: 10_000,
  readyJson: false,
  /** No delay: replies go out as soon as the message is read. */
  replyDelayMs: 0,
} as const;

/** `wsbench capacity`: the search and the load of each of its runs. */
export const CAPACITY_DEFAULTS = {
  /** What a step must meet when no --slo is given. */
  slo: 'latency.p99<100ms',
  ratePerClient: 1,
  from: 1000,
  to: 100_000,
  /** Growth until the first failure: multiply by 2 (shown as x2). */
  step: { kind: 'mul', factor: 2 } as { kind: 'add'; n: number } | { kind: 'mul'; factor: number },
  /** Bisect until first failing − last passing is at most this share of the last passing count. */
  resolution: 0.05,
  durationMs: 20_000,
  warmupMs: 5_000,
  repeat: 1,
  pattern: 'echo' as 'echo' | 'broadcast',
  format: 'plain' as 'plain' | 'shootout',
  logLevel: 'warn',
} as const;
