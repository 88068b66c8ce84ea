import type { ResultDocument } from '../contract/result.js';

/**
 * What a result measured, for grouping results into rows. Results are repeats of one another only
 * when they are the same run: the same name (or `compare` label), the same part of a run (whole,
 * one shard, or a merge of shards) and the same load. A shard and the merged result of its run
 * are different rows: a shard holds a slice of the clients, the merge all of them.
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
  const loadFields = [c.clients, c.ratePerClient, c.durationS, c.warmupS, c.payloadBytes, c.client, c.deflate, c.protocols, doc.label ? null : c.url];
  const load = `${c.clients} clients x ${c.ratePerClient}/s, ${c.durationS}s, ${c.payloadBytes} B`;
  return { key: JSON.stringify([doc.label ? 'compare' : doc.name, server, tier, part, loadFields]), run, server, tier, load };
}

/** How a run is named in gate output: `gate/50c`, `node/1k`. */
export function runDisplayName(id: RunIdentity): string {
  return `${id.run || id.server}/${id.tier}`;
}
