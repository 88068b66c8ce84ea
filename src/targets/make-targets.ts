/**
 * The one place that turns what users type into targets: a reference server (`--runtime
 * node|bun|deno|uws`, with serve flags), `--server 'name=shell command with {port}'`, or a URL
 * (with an optional --server-pid to sample). `--server-cpus` places the servers it starts.
 * Bad specs are usage errors (exit 2), raised before anything starts.
 */
import { usageError } from '../core/errors.js';
import { formatCpuList } from '../core/cpu-affinity.js';
import { processExists } from '../metrics/process-sampler.js';
import { spawnServe } from './spawn-server.js';
import { startCommand } from './command-server.js';
import type { Runtime } from './runtimes.js';
import type { Target, TargetHost } from './target.js';

export type { Target, RunningTarget, TargetHost } from './target.js';

/** CPUs for the servers a target starts (--server-cpus); undefined: wherever the OS puts them. */
export type ServerCpus = readonly number[] | undefined;

/** `wsbench serve [--runtime <runtime>]` on a free loopback port, fresh for every start(), with `serveArgs` and pinned to `cpus`. */
export function referenceTarget(runtime: Runtime, serveArgs: readonly string[], cpus: ServerCpus, host: TargetHost): Target {
  const args = [...(runtime === 'node' ? [] : ['--runtime', runtime]), ...(cpus === undefined ? [] : ['--cpus', formatCpuList(cpus)]), ...serveArgs];
  return {
    name: runtime,
    start: async () => {
      const server = await spawnServe(args, { stderr: 'inherit', env: host.env });
      return { url: server.url, pid: server.pid, stop: () => server.stop() };
    },
  };
}

/** The serve flags that make the reference server speak what the load will send. */
export function referenceServeArgs(load: { pattern: 'echo' | 'broadcast'; format: 'plain' | 'shootout' }): string[] {
  if (load.format === 'shootout') return ['--format', 'shootout'];
  return load.pattern === 'broadcast' ? ['--mode', 'broadcast'] : [];
}

/** `name=command with {port}` split into its parts; anything else is a usage error. */
export function parseServerSpec(spec: string): { name: string; command: string } {
  const i = spec.indexOf('=');
  const name = spec.slice(0, i).trim();
  const command = spec.slice(i + 1).trim();
  if (i <= 0 || !name || !command.includes('{port}')) {
    throw usageError(`--server must look like 'name=command with {port}' (got ${spec})`, "e.g. --server 'uws=node my-uws-server.js --port {port}'");
  }
  return { name, command };
}

/** `--server 'name=command with {port}'`: the shell command, fresh for every start(). */
export function commandTarget(spec: string, cpus: ServerCpus, host: TargetHost): Target {
  const { name, command } = parseServerSpec(spec);
  return { name, start: () => startCommand(name, command, cpus, host) };
}

/** A server already running at `url`: the same one every start(), sampled when `serverPid` is given (it must exist). */
export function urlTarget(url: string, serverPid?: number): Target {
  if (serverPid !== undefined && !processExists(serverPid)) throw usageError(`--server-pid ${serverPid}: no such process`);
  return { name: url, start: () => Promise.resolve({ url, pid: serverPid, stop: () => Promise.resolve() }) };
}

/** compare's targets: every `--runtimes` entry, then every `--server`, in the order given. */
export function targetList(
  flags: { runtimes: readonly Runtime[]; servers: readonly string[]; serveArgs?: readonly string[]; serverCpus: ServerCpus },
  host: TargetHost,
): Target[] {
  return [
    ...flags.runtimes.map((r) => referenceTarget(r, flags.serveArgs ?? [], flags.serverCpus, host)),
    ...flags.servers.map((spec) => commandTarget(spec, flags.serverCpus, host)),
  ];
}

export interface OneTargetFlags {
  url?: string;
  runtime?: Runtime;
  server?: string;
  serverPid?: number;
  serverCpus?: readonly number[];
}

/** The checks of a command that takes exactly one target (capacity): run them before anything is placed or started. */
export function checkOneTarget(flags: OneTargetFlags, command: string): void {
  const given = [flags.url !== undefined, flags.runtime !== undefined, flags.server !== undefined].filter(Boolean).length;
  if (given !== 1) throw usageError(`${command} needs exactly one target: a URL, --runtime or --server`);
  if (flags.serverCpus !== undefined && flags.url !== undefined)
    throw usageError(`--server-cpus pins servers that ${command} starts (--runtime, --server), not one at a URL`);
}

/**
 * One target from a URL, --runtime or --server (exactly one). `serveArgs` tells a reference server
 * how to answer; `cpus` is where started servers go. --server-pid counts only with a URL.
 */
export function oneTarget(flags: OneTargetFlags, serveArgs: readonly string[], cpus: ServerCpus, command: string, host: TargetHost): Target {
  checkOneTarget(flags, command);
  if (flags.runtime !== undefined) return referenceTarget(flags.runtime, serveArgs, cpus, host);
  if (flags.server !== undefined) return commandTarget(flags.server, cpus, host);
  return urlTarget(flags.url!, flags.serverPid);
}
