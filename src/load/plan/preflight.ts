import { FD_RESERVE, PORT_RESERVE } from '../../core/defaults.js';
import { WsbError } from '../../core/errors.js';
import { readFdLimit, readPortRange, readTcpSocketCounts } from '../../core/limits.js';
import type { RunPlan } from './run-plan.js';

/** This machine's limits, read once per run (the plan and the checks both use them). */
export interface MachineLimits {
  fd: { soft: number; hard: number };
  portRange: { low: number; high: number; size: number };
  tcp: { inUse: number; timeWait: number };
  cores: number;
}

export function readMachineLimits(cores: number): MachineLimits {
  return { fd: readFdLimit(), portRange: readPortRange(), tcp: readTcpSocketCounts(), cores };
}

/**
 * Compares what the planned run needs with this machine's limits before anything connects, so a run
 * that cannot work fails at once with the fix instead of half-way with EMFILE or EADDRNOTAVAIL.
 * Pure: throws the failure, returns the warnings (said before connecting).
 */
export function preflight(plan: RunPlan, limits: MachineLimits): string[] {
  const fdLimit = limits.fd;
  const portRange = limits.portRange;
  const clients = plan.clients;
  const fdsNeededPerProcess = Math.ceil(clients / plan.processes) + FD_RESERVE;
  const addresses = Math.max(1, plan.localAddresses.length);
  const portsNeededPerSourceAddress = Math.ceil(clients / addresses);
  if (fdsNeededPerProcess > fdLimit.soft) {
    const maxPerProcess = fdLimit.soft - FD_RESERVE;
    const processesNeeded = Math.ceil(clients / Math.max(1, maxPerProcess));
    const canRaise = fdLimit.hard >= fdsNeededPerProcess;
    throw new WsbError(
      'WSB_ERR_FD_LIMIT',
      `${clients} clients over ${plan.processes} process(es) need ${fdsNeededPerProcess} open files in one process, but the limit is ${fdLimit.soft} (hard ${fdLimit.hard})`,
      (canRaise ? `raise it (ulimit -n ${fdsNeededPerProcess}), or ` : '') +
        `use --processes ${processesNeeded} or more (or leave --processes out: it is chosen from the limit), or fewer clients`,
    );
  }
  if (portsNeededPerSourceAddress > portRange.size - PORT_RESERVE) {
    const addressesNeeded = Math.ceil(clients / (portRange.size - PORT_RESERVE));
    throw new WsbError(
      'WSB_ERR_PORT_RANGE',
      `${clients} connections to one destination from ${addresses} source address(es) need ${portsNeededPerSourceAddress} ephemeral ports per address, but only ${portRange.size} exist (${portRange.low}-${portRange.high})`,
      `spread them over ${addressesNeeded} or more source addresses with --local-address (a list or a range like 10.0.0.1-10.0.0.${addressesNeeded}), widen net.ipv4.ip_local_port_range, or use fewer clients`,
    );
  }
  const warnings: string[] = [];
  const tcp = limits.tcp;
  const spare = (plan.localAddresses.length ? plan.portsPerAddressMax : portRange.size - PORT_RESERVE) - portsNeededPerSourceAddress;
  // Explicit local ports (plan.localPortBase) lie below the ephemeral range: TIME_WAIT there does not matter.
  if (plan.localPortBase === 0 && tcp.timeWait > spare && portsNeededPerSourceAddress > 1000) {
    warnings.push(
      `${tcp.timeWait} TCP sockets are in TIME_WAIT (earlier runs hold their ports for ~60 s) and only ~${Math.max(0, spare)} ports per source address are spare: ` +
        'connections may fail with EADDRNOTAVAIL; wait a minute or spread over more addresses (--local-address)',
    );
  }
  return warnings;
}
