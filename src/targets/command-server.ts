/** `--server 'name=command with {port}'`: any server the user can start from a shell, one fresh process per run. */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { WsbError } from '../core/errors.js';
import { pinnedCommand } from '../core/cpu-affinity.js';
import type { RunningTarget, TargetHost } from './target.js';

const LISTEN_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 10_000;

/** Runs `command` (with {port} filled in) through /bin/sh, pinned to `cpus` when given, and waits until the port accepts. */
export async function startCommand(name: string, command: string, cpus: readonly number[] | undefined, host: TargetHost): Promise<RunningTarget> {
  const port = await freePort();
  const line = command.replaceAll('{port}', String(port));
  // taskset execs the shell, so everything the command starts is pinned and the pid stays the group's.
  const argv = cpus === undefined ? { command: '/bin/sh', args: ['-c', line] } : pinnedCommand(cpus, '/bin/sh', ['-c', line]);
  // Its own process group, so stopping it reaches whatever the shell started.
  const child = spawn(argv.command, argv.args, { detached: true, stdio: ['ignore', 'ignore', 'inherit'], env: host.env });
  let exited = false;
  child.once('exit', () => (exited = true));
  const pid = child.pid!;
  await waitUntilListening(
    port,
    () => exited,
    () => killGroup(pid, 'SIGKILL'),
    name,
    command,
  );
  return {
    url: `ws://127.0.0.1:${port}/`,
    pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
        child.once('exit', () => (clearTimeout(timer), resolve()));
        killGroup(pid, 'SIGTERM');
      }),
  };
}

async function waitUntilListening(port: number, exited: () => boolean, kill: () => void, name: string, command: string): Promise<void> {
  const deadline = Date.now() + LISTEN_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (exited())
      throw new WsbError('WSB_ERR_TARGET_UNREACHABLE', `server ${name} exited before listening on port ${port}`, `run the command by hand: ${command}`);
    if (Date.now() > deadline) {
      kill();
      throw new WsbError(
        'WSB_ERR_TARGET_UNREACHABLE',
        `server ${name} did not listen on port ${port} within ${LISTEN_TIMEOUT_MS / 1000} s`,
        'the command must listen on 127.0.0.1:{port}',
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Gone meanwhile.
  }
}

/** A port nothing listens on right now (the kernel's pick, released again). */
export async function freePort(): Promise<number> {
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
