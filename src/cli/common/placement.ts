import { affinityUnsupported, formatCpuList, ownCpus, pinProcess } from '../../core/cpu-affinity.js';
import { usageError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/**
 * `--cpus` (serve, load) and `--load-cpus` (compare, capacity): pins this process and every thread
 * it has; the worker threads, load processes, cluster workers and runtime servers it starts later
 * inherit the placement. Where affinity cannot be set the flag is not ignored silently: one warning
 * says why, and the result's environment records the placement that was in force instead.
 */
export function pinThisProcess(cpus: readonly number[] | undefined, flag: string, log: Logger): void {
  const usable = applicableCpus(cpus, flag, log);
  if (usable === undefined) return;
  pinProcess(process.pid, usable);
  log.debug({ cpus: formatCpuList(usable) }, `${flag}: pinned`);
}

/** The CPUs to pin to, or undefined (after one warning saying why) where this system cannot pin. */
function applicableCpus(cpus: readonly number[] | undefined, flag: string, log: Logger): readonly number[] | undefined {
  if (cpus === undefined) return undefined;
  const why = affinityUnsupported();
  if (why === null) return cpus;
  log.warn(`${flag} ${formatCpuList(cpus)} not applied: ${why}; the run goes on unpinned`);
  return undefined;
}

/** compare and capacity: the servers and the load they measure must not share a CPU. */
function requireApart(serverCpus: readonly number[] | undefined, loadCpus: readonly number[] | undefined): void {
  if (serverCpus === undefined || loadCpus === undefined) return;
  const shared = serverCpus.filter((c) => loadCpus.includes(c));
  if (shared.length > 0) {
    throw usageError(
      `--server-cpus ${formatCpuList(serverCpus)} and --load-cpus ${formatCpuList(loadCpus)} share CPU ${formatCpuList(shared)}`,
      'give the servers and the load separate CPUs, or leave one of them unpinned',
    );
  }
}

/**
 * compare and capacity: checks --server-cpus and --load-cpus, pins this process (its load) to
 * --load-cpus, and returns the CPUs for the servers it starts. With --load-cpus alone the servers
 * would inherit the load's placement from this process; they get the CPUs it had before instead.
 */
export function placeServersAndLoad(
  serverCpus: readonly number[] | undefined,
  loadCpus: readonly number[] | undefined,
  log: Logger,
): readonly number[] | undefined {
  requireApart(serverCpus, loadCpus);
  if (serverCpus === undefined && loadCpus === undefined) return undefined;
  const why = affinityUnsupported();
  if (why !== null) {
    log.warn(`--server-cpus/--load-cpus not applied: ${why}; the runs go on unpinned`);
    return undefined;
  }
  // Read before pinning: afterwards this process has the load's CPUs.
  const forServers = serverCpus ?? ownCpus() ?? undefined;
  if (loadCpus !== undefined) pinProcess(process.pid, loadCpus);
  return forServers;
}
