import { spawn } from 'node:child_process';
import net from 'node:net';
import { WsbError } from '../core/errors.js';
import { spawnServe } from './spawn-server.js';
import { formatCpuList, pinnedCommand } from '../core/cpu-affinity.js';

/** A server the comparison can start, measure and stop, one fresh process per run. */
export interface ServerTarget {
  name: string;
  start(): Promise<RunningServer>;
}

export interface RunningServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * `wsbench serve --runtime <name>` on a free loopback port, with any further serve flags; pinned to
 * `cpus` (serve --cpus) when given.
 */
export function runtimeTarget(runtime: string, serveArgs: string[] = [], cpus?: readonly number[]): ServerTarget {
  const pin = cpus === undefined ? [] : ['--cpus', formatCpuList(cpus)];
  return {
    name: runtime,
    start: () => spawnServe([...(runtime === 'node' ? [] : ['--runtime', runtime]), ...pin, ...serveArgs], 'inherit'),
  };
}

/** `--server 'name=command with {port}'`: any server the user can start from a shell. */
export function parseServerSpec(spec: string, cpus?: readonly number[]): ServerTarget {
  const i = spec.indexOf('=');
  const name = spec.slice(0, i).trim();
  const command = spec.slice(i + 1).trim();
  if (i <= 0 || !name || !command.includes('{port}')) {
    throw new WsbError(
      'WSB_ERR_USAGE',
      `--server must look like 'name=command with {port}' (got ${spec})`,
      "e.g. --server 'uws=node my-uws-server.js --port {port}'",
    );
  }
  return { name, start: () => startCommand(name, command, cpus) };
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function startCommand(name: string, command: string, cpus: readonly number[] | undefined): Promise<RunningServer> {
  const port = await freePort();
  const line = command.replaceAll('{port}', String(port));
  // taskset execs the shell, so everything the command starts is pinned and the pid stays the group's.
  const argv = cpus === undefined ? { command: '/bin/sh', args: ['-c', line] } : pinnedCommand(cpus, '/bin/sh', ['-c', line]);
  // Its own process group, so stopping it reaches whatever the shell started.
  const child = spawn(argv.command, argv.args, { detached: true, stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 20_000;
  while (!(await canConnect(port))) {
    if (exited)
      throw new WsbError('WSB_ERR_TARGET_UNREACHABLE', `server ${name} exited before listening on port ${port}`, `run the command by hand: ${command}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new WsbError(
        'WSB_ERR_TARGET_UNREACHABLE',
        `server ${name} did not listen on port ${port} within 20 s`,
        'the command must listen on 127.0.0.1:{port}',
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `ws://127.0.0.1:${port}/`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
        child.once('exit', () => (clearTimeout(timer), resolve()));
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}
