import { usageError } from '../core/errors.js';
import { PROBE_HEADER_BYTES, PROBE_MAX_ID } from '../protocol/probe.js';
import type { LoadConfig } from './load-config.js';
import type { ArrivalPattern, OpeningStep } from '../contract/result.js';
import { messageConfig, validateMessaging, type MessageFlags } from './message-config.js';
import type { Profile } from './profile-schema.js';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { LOAD_DEFAULTS, RESULTS_DIR } from '../core/defaults.js';
import { readProfile } from './read-profile.js';

/** Flags as parsed by the CLI; undefined means "not given" so profile values can show through. */
export interface LoadFlags {
  url?: string;
  clients?: number;
  rate?: number;
  durationMs?: number;
  warmupMs?: number;
  connectRate?: number;
  payloadBytes?: number;
  protocols?: string[];
  deflate?: boolean;
  headers?: string[];
  origin?: string;
  threads?: number;
  processes?: number;
  localAddresses?: string[];
  client?: 'lean' | 'ws';
  check?: boolean;
  shard?: { index: number; count: number };
  startAtMs?: number;
  profile?: string;
  serverPid?: number;
  outDir?: string;
  name?: string;
  graceMs?: number;
  connectTimeoutMs?: number;
  pattern?: 'echo' | 'broadcast';
  senders?: number;
  format?: 'plain' | 'shootout';
  arrivals?: ArrivalPattern;
  arrivalSeed?: number;
  /** `--message` (text) or `--message-file` (its bytes), `--reply-id`, `--max-in-flight`. */
  message?: string;
  messageFile?: string;
  replyId?: string;
  maxInFlight?: number;
  /** `--on-open` / `--await` in the order given. */
  opening?: OpeningStep[];
}

/** Defaults ← profile ← flags, then the checks that involve more than one field. Returns a frozen config. */
export function resolveLoadConfig(flags: LoadFlags): LoadConfig {
  const loaded = flags.profile ? readProfile(flags.profile) : undefined;
  const p = loaded?.profile ?? {};
  const protocolsFromProfile = typeof p.protocol === 'string' ? [p.protocol] : p.protocol;
  const headers = { ...(p.headers ?? {}), ...parseHeaders(flags.headers ?? []) };
  const clients = flags.clients ?? p.clients ?? LOAD_DEFAULTS.clients;
  const config: LoadConfig = {
    url: flags.url ?? p.url ?? LOAD_DEFAULTS.url,
    clients,
    ratePerClient: flags.rate ?? p.rate ?? LOAD_DEFAULTS.ratePerClient,
    durationMs: flags.durationMs ?? p.duration ?? LOAD_DEFAULTS.durationMs,
    warmupMs: flags.warmupMs ?? p.warmup ?? LOAD_DEFAULTS.warmupMs,
    connectRate: flags.connectRate ?? p.connectRate ?? LOAD_DEFAULTS.connectRate,
    payloadBytes: flags.payloadBytes ?? p.payloadSize ?? LOAD_DEFAULTS.payloadBytes,
    protocols: flags.protocols ?? protocolsFromProfile ?? [...LOAD_DEFAULTS.protocols],
    deflate: flags.deflate ?? p.deflate ?? LOAD_DEFAULTS.deflate,
    headers,
    origin: flags.origin ?? p.origin ?? LOAD_DEFAULTS.origin,
    threads: flags.threads ?? p.threads,
    processes: flags.processes ?? p.processes,
    localAddresses: flags.localAddresses ?? [],
    check: flags.check ?? true,
    shard: flags.shard,
    startAtMs: flags.startAtMs,
    // The lean client offers no extensions: a deflate run uses ws unless lean was asked for by name.
    client: flags.client ?? p.client ?? ((flags.deflate ?? p.deflate) ? 'ws' : LOAD_DEFAULTS.client),
    graceMs: flags.graceMs ?? p.grace ?? LOAD_DEFAULTS.graceMs,
    connectTimeoutMs: flags.connectTimeoutMs ?? p.connectTimeout ?? LOAD_DEFAULTS.connectTimeoutMs,
    serverPid: flags.serverPid,
    outDir: flags.outDir ?? RESULTS_DIR,
    name: flags.name ?? loaded?.name ?? 'load',
    profileName: loaded?.name,
    pattern: flags.pattern ?? LOAD_DEFAULTS.pattern,
    // Default: 1 % of the clients send (the shootout's ratio of senders to listeners is of this order).
    senders: flags.senders ?? Math.max(1, Math.round(clients / 100)),
    format: flags.format ?? LOAD_DEFAULTS.format,
    arrivals: flags.arrivals ?? p.arrivals ?? LOAD_DEFAULTS.arrivals,
    // Drawn once here and recorded, so a poisson run can be repeated exactly with --arrival-seed.
    arrivalSeed: flags.arrivalSeed ?? p.arrivalSeed ?? randomInt(0, 2 ** 32 - 1),
    maxSendLagP99Ms: p.maxSendLagP99Ms ?? LOAD_DEFAULTS.maxSendLagP99Ms,
    maxEventLoopDelayP99Ms: p.maxEventLoopDelayP99Ms ?? LOAD_DEFAULTS.maxEventLoopDelayP99Ms,
    message: undefined,
    opening: flags.opening?.length ? flags.opening : (p.opening ?? []),
  };
  config.message = messageConfig(messageFlags(flags, p, loaded?.file), config);
  validate(config);
  // A profile's payloadSize sizes the probe: a --message on the command line replaces it, as it replaces the probe.
  const messageFromFlags = flags.message !== undefined || flags.messageFile !== undefined;
  validateMessaging(config, { payloadSizeGiven: flags.payloadBytes !== undefined || (p.payloadSize !== undefined && !messageFromFlags) });
  return Object.freeze(config);
}

function validate(c: LoadConfig): void {
  if (c.deflate && c.client === 'lean') {
    throw usageError('--deflate needs --client ws: the lean client does not negotiate permessage-deflate');
  }
  let url: URL;
  try {
    url = new URL(c.url);
  } catch {
    throw usageError(`the target URL is not valid (got ${c.url})`, 'use ws://host:port/path or wss://host:port/path');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw usageError(`the target URL must start with ws:// or wss:// (got ${c.url})`);
  }
  if (c.payloadBytes < PROBE_HEADER_BYTES) {
    throw usageError(`--payload-size must be at least ${PROBE_HEADER_BYTES} bytes, the size of the probe header (got ${c.payloadBytes})`);
  }
  if (c.clients > PROBE_MAX_ID + 1) throw usageError(`--clients must be at most ${PROBE_MAX_ID + 1} (got ${c.clients})`);
  if (c.senders > c.clients) throw usageError(`--senders must be at most --clients (got ${c.senders} > ${c.clients})`);
  if (c.pattern === 'broadcast' && c.shard) {
    throw usageError(
      '--pattern broadcast cannot be sharded over machines',
      'delivery latency needs one clock for senders and receivers: run a broadcast load on one host',
    );
  }
  if (c.durationMs <= 0) throw usageError(`--duration must be longer than 0 (got ${c.durationMs} ms)`);
  if (c.durationMs < 1000 / c.ratePerClient) {
    throw usageError(
      `--duration ${c.durationMs / 1000}s is shorter than one send period at --rate ${c.ratePerClient} (${1000 / c.ratePerClient / 1000}s): some clients would never send in the window`,
    );
  }
}

/**
 * The template flags over the profile's: a --message or --message-file replaces both of the
 * profile's (they are one setting); a profile's messageFile is read relative to the profile.
 */
function messageFlags(flags: LoadFlags, p: Profile, profileFile: string | undefined): MessageFlags {
  const fromFlags = flags.message !== undefined || flags.messageFile !== undefined;
  const profileMessageFile = p.messageFile !== undefined && profileFile ? path.resolve(path.dirname(profileFile), p.messageFile) : p.messageFile;
  return {
    message: fromFlags ? flags.message : p.message,
    messageFile: fromFlags ? flags.messageFile : profileMessageFile,
    replyId: flags.replyId ?? p.replyId,
    maxInFlight: flags.maxInFlight ?? p.maxInFlight,
  };
}

/** `--header "Name: value"` (repeatable). */
function parseHeaders(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0) throw usageError(`--header must look like "Name: value" (got ${h})`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}
