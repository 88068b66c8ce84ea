/**
 * What `wsbench serve --runtime bun|deno|uws` passes to servers/bun-pong.ts, servers/deno-pong.ts
 * and servers/uws-pong.ts, as one JSON argument: the one shape both sides read
 * (src/targets/runtimes.ts writes it). Part of the contract: no imports, no Node-only API.
 */
export interface RuntimeServerOptions {
  host: string;
  port: number;
  /** Only this path upgrades (others get 404); null = every path. */
  path: string | null;
  /** broadcast: only the uws server implements it (the CLI refuses it for Bun and Deno). */
  mode: 'pong' | 'echo' | 'broadcast';
  protocols: string[];
  maxPayloadBytes: number;
  /**
   * Unsent bytes one connection may hold. None of these runtimes can stop reading from one WebSocket, so
   * past it the connection is closed with 1008 at once (the Node server pauses reading first).
   */
  maxSendBufferBytes: number;
  /** How long SIGINT/SIGTERM waits for close handshakes before exiting anyway. */
  shutdownTimeoutMs: number;
  /** Print the ready announcement as one JSON line instead of the sentence (ready.ts). */
  readyJson: boolean;
  /** serve --reply-delay: milliseconds (fractions allowed) to wait before each reply; 0 = none. */
  replyDelayMs: number;
}

/** Parses and checks the launcher's JSON argument; throws with a readable message. */
export function parseRuntimeServerOptions(arg: string | undefined): RuntimeServerOptions {
  if (!arg) throw new Error('missing options: pass one JSON argument (the wsbench CLI does this)');
  const o = JSON.parse(arg) as Partial<RuntimeServerOptions>;
  const bad = (field: string) => new Error(`bad option ${field} in ${arg}`);
  const whole = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  if (typeof o.host !== 'string' || o.host === '') throw bad('host');
  if (!whole(o.port, 0) || o.port! > 65535) throw bad('port');
  if (o.path !== null && typeof o.path !== 'string') throw bad('path');
  if (o.mode !== 'pong' && o.mode !== 'echo' && o.mode !== 'broadcast') throw bad('mode');
  if (!Array.isArray(o.protocols) || !o.protocols.every((p) => typeof p === 'string')) throw bad('protocols');
  if (!whole(o.maxPayloadBytes, 1)) throw bad('maxPayloadBytes');
  if (!whole(o.maxSendBufferBytes, 1)) throw bad('maxSendBufferBytes');
  if (!whole(o.shutdownTimeoutMs, 0)) throw bad('shutdownTimeoutMs');
  if (typeof o.readyJson !== 'boolean') throw bad('readyJson');
  if (typeof o.replyDelayMs !== 'number' || !Number.isFinite(o.replyDelayMs) || o.replyDelayMs < 0) throw bad('replyDelayMs');
  return o as RuntimeServerOptions;
}
