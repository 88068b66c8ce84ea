import { WsbError } from '../core/errors.js';
import { readFdLimit, readPortRange } from '../core/limits.js';
import type { LoadConfig } from '../profile/load-config.js';

/** Files a load process needs besides its sockets (stdio, worker threads, libuv, log). */
export const CLIENT_FD_RESERVE = 100;
/** Ports left free per source address for everything else on the machine. */
export const PORT_RESERVE = 1000;

export interface PreflightReport {
  fdLimit: { soft: number; hard: number };
  portRange: { low: number; high: number; size: number };
  fdsNeededPerProcess: number;
  portsNeededPerSourceAddress: number;
}

/**
 * Compares what the run needs with this machine's limits before anything connects, so a run that
 * cannot work fails at once with the fix instead of half-way with EMFILE or EADDRNOTAVAIL.
 */
export function preflight(config: LoadConfig, processes = 1, sourceAddresses = 1): PreflightReport {
  const fdLimit = readFdLimit();
  const portRange = readPortRange();
  const fdsNeededPerProcess = Math.ceil(config.clients / processes) + CLIENT_FD_RESERVE;
  const portsNeededPerSourceAddress = Math.ceil(config.clients / sourceAddresses);
  if (fdsNeededPerProcess > fdLimit.soft) {
    const maxPerProcess = fdLimit.soft - CLIENT_FD_RESERVE;
    const canRaise = fdLimit.hard >= fdsNeededPerProcess;
    throw new WsbError(
      'WSB_ERR_FD_LIMIT',
      `${config.clients} clients need ${fdsNeededPerProcess} open files in one process, but the limit is ${fdLimit.soft} (hard ${fdLimit.hard})`,
      canRaise
        ? `raise it first: ulimit -n ${fdsNeededPerProcess}`
        : `at most ${maxPerProcess} clients fit in one process here: use --clients ${maxPerProcess} or fewer, or spread the load over ${Math.ceil(config.clients / Math.max(1, maxPerProcess))} processes`,
    );
  }
  if (portsNeededPerSourceAddress > portRange.size - PORT_RESERVE) {
    throw new WsbError(
      'WSB_ERR_PORT_RANGE',
      `${config.clients} connections to one destination from one source address need ${portsNeededPerSourceAddress} ephemeral ports, but only ${portRange.size} exist (${portRange.low}-${portRange.high})`,
      `use fewer clients, widen net.ipv4.ip_local_port_range, or spread connections over more source addresses`,
    );
  }
  return { fdLimit, portRange, fdsNeededPerProcess, portsNeededPerSourceAddress };
}
