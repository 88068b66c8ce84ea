import { parseServerSpec, runtimeTarget } from '../compare/server-targets.js';
import type { CapacityTarget } from './run-capacity.js';

/**
 * The search's target: `--runtime` and `--server` start a fresh server for every run (as compare
 * does), so each step's memory figures start from a clean process; a URL is the same server for
 * every step, sampled only when --server-pid is given.
 */
export function capacityTarget(t: { url?: string; runtime?: string; server?: string; serverPid?: number }): CapacityTarget {
  if (t.runtime !== undefined) return runtimeTarget(t.runtime);
  if (t.server !== undefined) return parseServerSpec(t.server);
  const url = t.url!;
  return { name: url, start: async () => ({ url, pid: t.serverPid, stop: async () => {} }) };
}
