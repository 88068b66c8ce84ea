import { parseServerSpec, runtimeTarget } from './server-targets.js';

export interface CapacityTarget {
  name: string;
  /** Started once per run (a fresh process: memory figures start clean), or the same URL every time. */
  start(): Promise<{ url: string; pid: number | undefined; stop(): Promise<void> }>;
}

/**
 * The search's target: `--runtime` and `--server` start a fresh server for every run (as compare
 * does), so each step's memory figures start from a clean process; a URL is the same server for
 * every step, sampled only when --server-pid is given.
 */
export function capacityTarget(t: {
  url?: string;
  runtime?: string;
  server?: string;
  serverPid?: number;
  pattern: 'echo' | 'broadcast';
  format: 'plain' | 'shootout';
  /** CPUs for the servers it starts (--server-cpus). */
  serverCpus?: readonly number[];
}): CapacityTarget {
  // The reference server speaks what the load will send.
  const serveArgs = t.format === 'shootout' ? ['--format', 'shootout'] : t.pattern === 'broadcast' ? ['--mode', 'broadcast'] : [];
  if (t.runtime !== undefined) return runtimeTarget(t.runtime, serveArgs, t.serverCpus);
  if (t.server !== undefined) return parseServerSpec(t.server, t.serverCpus);
  const url = t.url!;
  return { name: url, start: () => Promise.resolve({ url, pid: t.serverPid, stop: () => Promise.resolve() }) };
}
