import type { ResultDocument } from '../contract/result.js';
import { messageDescription } from './message-description.js';

type Config = ResultDocument['config'];

/**
 * What makes two results measure the same load: equal values here, and the same figures can be
 * compared. Results written before `pattern`, `senders`, `format` and `arrivals` existed read as
 * echo/plain/grid.
 * This is the one definition of "the same load": merge checks it over shards, the report groups
 * repeats by it, the baseline gate names runs by it.
 */
export function loadOf(c: Config) {
  const pattern = c.pattern ?? 'echo';
  return {
    url: c.url,
    clients: c.clients,
    ratePerClient: c.ratePerClient,
    durationS: c.durationS,
    warmupS: c.warmupS,
    payloadBytes: c.payloadBytes,
    connectRate: c.connectRate,
    protocols: c.protocols,
    deflate: c.deflate,
    client: c.client,
    pattern,
    senders: pattern === 'broadcast' ? (c.senders ?? null) : null,
    format: c.format ?? 'plain',
    arrivals: c.arrivals ?? 'grid',
  };
}

/**
 * The fields in which two shards of one run may not differ: the load, and the one shared schedule
 * start (`--start-at`) that makes them one run rather than repeats. Returns the first field that
 * differs, or null when `a` and `b` are shards of the same run.
 */
export function shardRunMismatch(a: Config, b: Config): { field: string; a: string; b: string } | null {
  const left = { ...loadOf(a), startAt: a.startAt };
  const right: Record<string, unknown> = { ...loadOf(b), startAt: b.startAt };
  for (const [field, value] of Object.entries(left)) {
    const x = JSON.stringify(value);
    const y = JSON.stringify(right[field]);
    if (x !== y) return { field, a: x, b: y };
  }
  return null;
}

/**
 * What a result measured, for grouping results into rows. Results are repeats of one another only
 * when they are the same run: the same name (or `compare` label), the same part of a run (whole,
 * one shard, or a merge of shards) and the same load (`loadOf`). A shard and the merged result of
 * its run are different rows: a shard holds a slice of the clients, the merge all of them.
 */
export interface RunIdentity {
  /** Equal for repeats of one run, different otherwise. */
  key: string;
  /** The run's name and part, e.g. `gate`, `100k (shard 0/4)`, `100k (merged from 4 shards)`; '' for a `compare` run, whose server and tier say it all. */
  run: string;
  /** The `compare` label's server, or the target's host:port (and path) for a plain load. */
  server: string;
  /** The `compare` label's tier, else the profile name, else the client count (`50c`). */
  tier: string;
  /** A short description of the load, to tell apart runs that share a name but not a config. */
  load: string;
}

/** `ws://127.0.0.1:8080/` → `127.0.0.1:8080`; a path other than `/` is kept. */
export function targetName(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === '/' ? u.host : `${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

function partOf(doc: ResultDocument): string {
  if (doc.config.shard) return `shard ${doc.config.shard.index}/${doc.config.shard.count}`;
  if (doc.mergedFrom?.length) return `merged from ${doc.mergedFrom.length} shards`;
  return '';
}

export function runIdentity(doc: ResultDocument): RunIdentity {
  const c = doc.config;
  const part = partOf(doc);
  const server = doc.label?.server ?? targetName(c.url);
  const tier = doc.label?.tier ?? c.profile ?? `${c.clients}c`;
  const run = doc.label ? '' : part ? `${doc.name} (${part})` : doc.name;
  // compare starts every repeat on a fresh port: its URL is not part of what makes runs repeats.
  const load = { ...loadOf(c), url: doc.label ? null : c.url };
  const description = `${c.clients} clients x ${c.ratePerClient}/s, ${c.durationS}s, ${messageDescription(c)}`;
  return { key: JSON.stringify([doc.label ? 'compare' : doc.name, server, tier, part, load]), run, server, tier, load: description };
}

/** How a run is named in gate output: `gate/50c`, `node/1k`. */
export function runDisplayName(id: RunIdentity): string {
  return `${id.run || id.server}/${id.tier}`;
}
