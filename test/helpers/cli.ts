/**
 * Spawns the built wsbench binary (bin/wsbench.js → dist/src/cli/main.js) as a real child process.
 * Every child goes into a registry; call `killAll()` from an `after` hook so a failing test never
 * leaves a server running. Children get their own process group so cluster workers die with them.
 */
import type { ReadyAnnouncement } from '../../src/contract/ready.js';
import { SERVE_READY_ARGS, waitForReady } from '../../src/targets/spawn-server.js';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** dist/test/helpers/ → the repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = path.join(REPO_ROOT, 'bin', 'wsbench.js');

export interface SpawnOptions {
  /** Run as this user (the privileged-port test drops root). */
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  /** Start the process with this open-file limit (soft and hard), through the shell's ulimit. */
  fdLimit?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** Resolves with the first match of `re` in stdout; rejects if the process exits first. */
  waitForStdout(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** The same for stderr (log lines). */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

const children = new Set<CliProcess>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** A short measured window for `load` in tests: `--duration`, then 1 s of warm-up and of grace. */
export function runWindow(duration: string): string[] {
  return ['--duration', duration, '--warmup', '1s', '--grace', '1s'];
}

/** Runs `node bin/wsbench.js ...args` with piped stdio. */
export function spawnCli(args: readonly string[], opts: SpawnOptions = {}): CliProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort if the runner exits without reaching an `after` hook.
    process.on('exit', () => {
      for (const c of children) killGroup(c.pid, 'SIGKILL');
    });
  }
  // `sh -c 'ulimit -n N && exec "$0" "$@"' node bin/wsbench.js …`: exec keeps the pid node's.
  const [command, argv] =
    opts.fdLimit === undefined
      ? [process.execPath, [BIN, ...args]]
      : ['/bin/sh', ['-c', `ulimit -n ${opts.fdLimit} && exec "$0" "$@"`, process.execPath, BIN, ...args]];
  const child = spawn(command, argv, {
    cwd: REPO_ROOT,
    env: { ...process.env, CI: 'true', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    uid: opts.uid,
    gid: opts.gid,
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    out += s;
    for (const l of listeners) l();
  });
  child.stderr.on('data', (s: string) => {
    err += s;
    for (const l of listeners) l();
  });

  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    // 'close' (not 'exit'): all output has been read by then.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });

  function waitForOutput(stream: 'stdout' | 'stderr', re: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const check = (): boolean => {
        const m = re.exec(stream === 'stdout' ? out : err);
        if (m) finish(() => resolve(m));
        return m !== null;
      };
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${re} on ${stream}\nstdout: ${out}\nstderr: ${err}`))), timeoutMs);
      if (check()) return;
      listeners.add(check);
      exited.then(
        (e) => {
          if (!check())
            finish(() => reject(new Error(`wsbench exited (${e.signal ?? e.code}) before printing ${re} on ${stream}\nstdout: ${out}\nstderr: ${err}`)));
        },
        (e: Error) => finish(() => reject(e)),
      );
    });
  }

  const proc: CliProcess = {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStdout: (re, timeoutMs) => waitForOutput('stdout', re, timeoutMs),
    waitForStderr: (re, timeoutMs) => waitForOutput('stderr', re, timeoutMs),
  };
  children.add(proc);
  const forget = () => void children.delete(proc);
  exited.then(forget, forget);
  return proc;
}

export interface StartedServer {
  port: number;
  /** The pid printed in the listening line (the cluster primary with --workers > 1). */
  pid: number;
  scheme: 'ws' | 'wss';
  workers: number;
  /** The announcement itself (url, runtime, mode, …). */
  ready: ReadyAnnouncement;
  child: CliProcess;
  /** Sends `signal` (default SIGTERM) to the server pid and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * Starts `wsbench serve` on a free loopback port with `args` and waits for its ready announcement,
 * through the CLI's own helpers (src/targets/spawn-server.ts): the same flags and the same reading
 * of the announcement as compare, capacity and the benches.
 */
export async function startServe(args: readonly string[] = [], opts: SpawnOptions = {}): Promise<StartedServer> {
  const child = spawnCli([...SERVE_READY_ARGS, ...args], opts);
  let ready: ReadyAnnouncement;
  try {
    ready = await waitForReady(child.child, child.child.stdout);
  } catch (err) {
    await Promise.race([child.exited.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    throw new Error(`${(err as Error).message}\nstdout: ${child.stdout()}\nstderr: ${child.stderr()}`);
  }
  const pid = ready.pid;
  return {
    port: ready.port,
    pid,
    scheme: ready.url.startsWith('wss:') ? 'wss' : 'ws',
    workers: ready.workers,
    ready,
    child,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      try {
        process.kill(pid, signal);
      } catch {
        // Already exited.
      }
      return child.exited;
    },
  };
}

/** Kills every child still running (and its cluster workers); call from `after`. */
export async function killAll(): Promise<void> {
  const left = [...children];
  for (const c of left) killGroup(c.pid, 'SIGKILL');
  await Promise.all(left.map((c) => c.exited.catch(() => undefined)));
  children.clear();
}

/** Children that have not exited yet (for tests asserting teardown). */
export function runningChildren(): number {
  return children.size;
}
