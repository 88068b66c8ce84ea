import { isIP } from 'node:net';
import { usageError } from '../../core/errors.js';
import { FD_RESERVE, PORT_RESERVE } from '../../core/defaults.js';
import { planWorkers, shardClients, WHOLE_RUN, type Shard, type WorkerSlice } from './slices.js';

/**
 * Messages per second one worker thread handles comfortably. Threads beyond what the message rate
 * needs cost more than they give: each adds an event loop waking ~1 000 times a second and an
 * isolate's memory (bench/load-client-cost.ts: 2 threads cost 1.4x the CPU per round trip of 1 at
 * 10 000 msg/s on 2 cores).
 */
export const MESSAGES_PER_THREAD = 20_000;

/** Headroom under the open-file limit: sockets in TIME_WAIT, worker pipes and logs need some too. */
export const FD_SAFETY = 0.9;

export interface MachineLimits {
  fdSoft: number;
  portRangeSize: number;
  /** First port of the kernel's ephemeral range: explicit local ports are chosen below it. */
  portRangeLow: number;
  cores: number;
}

export interface RunPlanInput {
  clients: number;
  /** Messages per second per client (decides how many threads are worth it). */
  ratePerClient: number;
  connectRate: number;
  targetHost: string;
  /** Forced by flags; undefined = automatic. */
  processes?: number;
  threadsPerProcess?: number;
  localAddresses?: string[];
  shard?: Shard;
}

/** How a run is laid out on this machine: processes × threads, and the source addresses it binds. */
export interface RunPlan {
  processes: number;
  threadsPerProcess: number;
  /** Empty: let the kernel pick (one address is enough). */
  localAddresses: string[];
  /**
   * With bound addresses: connection id g uses local port base + floor(g / addresses), below the
   * kernel's ephemeral range (0 = let the kernel pick). An explicit port is one hash lookup in the
   * kernel; bind(addr, 0) searches for a free port, and past ~14 000 sockets that search costs
   * ~1 ms each on the event loop (measured here: 15 000 binds 8 s with port 0, 2.5 s explicit).
   */
  localPortBase: number;
  /** Clients this machine runs (the shard's, or all). */
  clients: number;
  clientsPerProcessMax: number;
  portsPerAddressMax: number;
  slices: WorkerSlice[];
}

/**
 * Connections planned per *bound* source address: half the port range. Node binds a localAddress
 * with bind(addr, 0) before connect(); Linux hands out odd ports to bind() first and, once those
 * run out, each further bind searches the range and costs ~1.5 ms of blocked event loop (measured
 * here: 14 000 binds at ~10 µs, then ~1 500 µs each), which stalled a 100 000-client ramp for minutes.
 */
export function portsPerBoundAddress(portRangeSize: number): number {
  return Math.max(1, Math.floor((portRangeSize - PORT_RESERVE) / 2));
}

/** Clients one process may hold: the open-file limit minus its own needs, with a safety margin. */
export function clientsPerProcessMax(fdSoft: number): number {
  return Math.max(1, Math.floor((fdSoft - FD_RESERVE) * FD_SAFETY));
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** 127.0.0.1, 127.0.0.2, …: every 127.x.y.z is a local address on Linux without any set-up. */
export function loopbackAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  });
}

/**
 * Plans the run: enough processes that none exceeds its open-file limit (worker threads share one
 * file table), and for loopback targets enough source addresses that none runs out of ephemeral
 * ports. Pure: limits come in as arguments, so tests can force small ones.
 */
export function planRun(input: RunPlanInput, limits: MachineLimits): RunPlan {
  const shard = input.shard ?? WHOLE_RUN;
  // Everything below is about this machine's part of the run.
  const clients = shardClients(input.clients, shard);
  if (clients === 0) throw usageError(`--shard ${shard.index}/${shard.count} has no clients: --clients ${input.clients} is fewer than the shards`);
  const perProcess = clientsPerProcessMax(limits.fdSoft);
  const portsPerAddress = Math.max(1, limits.portRangeSize - PORT_RESERVE);
  const processes = input.processes ?? Math.max(1, Math.ceil(clients / perProcess));
  const threadsForRate = Math.ceil((clients * input.ratePerClient) / MESSAGES_PER_THREAD / processes);
  const threadsPerProcess = Math.min(
    input.threadsPerProcess ?? Math.max(1, Math.min(Math.floor(limits.cores / processes), threadsForRate)),
    Math.max(1, Math.ceil(clients / processes)),
  );
  let localAddresses = input.localAddresses ?? [];
  if (localAddresses.length === 0 && clients > portsPerAddress && isLoopbackHost(input.targetHost)) {
    localAddresses = loopbackAddresses(Math.ceil(clients / portsPerBoundAddress(limits.portRangeSize)));
  }
  if (processes > clients) throw usageError(`--processes ${processes} is more than the ${clients} clients to run here`);
  const portsNeeded = localAddresses.length ? Math.ceil(input.clients / localAddresses.length) : 0;
  const localPortBase = portsNeeded > 0 && EXPLICIT_PORT_BASE + portsNeeded < limits.portRangeLow ? EXPLICIT_PORT_BASE : 0;
  return {
    processes,
    threadsPerProcess,
    localAddresses,
    localPortBase,
    clientsPerProcessMax: perProcess,
    portsPerAddressMax: localAddresses.length ? portsPerBoundAddress(limits.portRangeSize) : portsPerAddress,
    clients,
    slices: planWorkers(input.clients, processes, threadsPerProcess, input.connectRate, shard),
  };
}

/** Explicit local ports start here: above the well-known and most service ports. */
export const EXPLICIT_PORT_BASE = 10_000;

/** Local port of a connection when ports are chosen explicitly (undefined: the kernel picks). */
export function localPortFor(globalId: number, addresses: readonly string[], base: number): number | undefined {
  return base > 0 && addresses.length > 0 ? base + Math.floor(globalId / addresses.length) : undefined;
}

/** Source address of a connection: spread by global id, so every worker uses every address. */
export function localAddressFor(globalId: number, addresses: readonly string[]): string | undefined {
  return addresses.length === 0 ? undefined : addresses[globalId % addresses.length];
}

/** `--local-address 10.0.0.1,10.0.0.2` or a range `127.0.0.1-127.0.0.8` (last octet). */
export function parseLocalAddresses(value: string): string[] {
  const out: string[] = [];
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const range = /^(\d+\.\d+\.\d+\.)(\d+)-(?:\d+\.\d+\.\d+\.)?(\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[2]), Number(range[3])];
      if (from > to || to > 255 || isIP(`${range[1]}${from}`) === 0) throw usageError(`--local-address range ${part} is not valid`);
      for (let i = from; i <= to; i++) out.push(`${range[1]}${i}`);
    } else if (isIP(part) !== 0) {
      out.push(part);
    } else {
      throw usageError(`--local-address must be addresses or a range like 127.0.0.1-127.0.0.8 (got ${part})`);
    }
  }
  return out;
}
