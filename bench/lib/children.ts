/** Child processes of a bench script: tracked so that every exit path can SIGKILL what is left, started and stopped alike. */
import { spawn, type ChildProcess } from 'node:child_process';
import { sleep } from './sleep.js';
import { spawnServe } from '../../src/targets/spawn-server.js';

const liveChildren = new Set<ChildProcess>();

/** Adds a child to the live set until it exits; the promise resolves at its exit. */
export function track(child: ChildProcess): Promise<void> {
  liveChildren.add(child);
  return new Promise((resolve) =>
    child.once('exit', () => {
      liveChildren.delete(child);
      resolve();
    }),
  );
}

/** SIGKILL to a child that is still running (no error if it is gone meanwhile). */
export function killNow(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** SIGKILL to every tracked child still running. */
export function killAllChildren(): void {
  for (const c of liveChildren) killNow(c);
}

/** A started child that said it listens. */
export interface Listening {
  pid: number;
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}

export interface ListenOptions {
  cwd: string;
  /** Names the child in messages, e.g. "server" or "bare server". */
  label: string;
  /**
   * How the child says it listens: a pattern on its stdout (group 1 the port, optional group 2 the
   * pid), for the bare fixtures. `wsbench serve` is started with startServe() below instead.
   */
  pattern: RegExp;
  /** From when on the child's stderr is copied to ours: once stdout matched `pattern`, or once start-up succeeded or failed. */
  echoStderr: 'listening' | 'settled';
}

/**
 * Spawns `node ...args` (tracked) and resolves when its stdout matches `opts.pattern`; rejects, after
 * SIGKILL, if it exits first, reports another pid, or takes more than 20 s (with its stdout and stderr).
 */
export function spawnListening(args: string[], opts: ListenOptions): Promise<Listening> {
  const { label, pattern } = opts;
  const child = spawn(process.execPath, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`${label} did not start within 20 s`)), 20_000);
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killNow(child);
      reject(new Error(`${e.message}\n  stdout: ${out.trim()}\n  stderr: ${err.trim().slice(-2000)}`));
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      err += d;
      if (err.length > 20_000) err = err.slice(-10_000);
      // After start-up, anything on stderr is worth seeing.
      if (opts.echoStderr === 'settled' ? settled : listeningPort(out, pattern)) process.stderr.write(`[${label} stderr] ${d}`);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (out.length > 10_000) return;
      out += d;
      const m = listeningPort(out, pattern);
      if (m && !settled) {
        const pid = child.pid!;
        if (m.pid !== undefined && m.pid !== pid) {
          fail(new Error(`${label} reports pid ${m.pid} but the child is ${pid}`));
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ pid, port: m.port, child, exited });
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`${label} exited early (code ${code}, signal ${signal})`)));
    child.once('error', (e) => fail(e));
  });
}

function listeningPort(out: string, pattern: RegExp): { port: number; pid?: number } | undefined {
  const m = pattern.exec(out);
  return m ? { port: Number(m[1]), pid: m[2] === undefined ? undefined : Number(m[2]) } : undefined;
}

/**
 * `wsbench serve` with `flags` on a free loopback port, through the CLI's own helper
 * (src/targets/spawn-server.ts), tracked from the moment it exists. Its stderr is copied to ours
 * once it listens; a start that fails says why (the server's last stderr lines) and leaves nothing running.
 */
export async function startServe(flags: readonly string[], opts: { cwd: string; label: string }): Promise<Listening> {
  let exited: Promise<void> = Promise.resolve();
  let started: ChildProcess | undefined;
  try {
    const server = await spawnServe(flags, {
      stderr: 'pipe',
      cwd: opts.cwd,
      onSpawn: (child) => {
        started = child;
        exited = track(child);
      },
    });
    if (server.pid !== server.child.pid) throw new Error(`reports pid ${server.pid} but the child is ${server.child.pid}`);
    server.child.stderr!.setEncoding('utf8');
    server.child.stderr!.on('data', (d: string) => process.stderr.write(`[${opts.label} stderr] ${d}`));
    return { pid: server.pid, port: server.port, child: server.child, exited };
  } catch (err) {
    if (started) killNow(started);
    throw new Error(`${opts.label} did not start: ${(err as Error).message}`);
  }
}

/** SIGTERM, then SIGKILL if it is still there after 10 s. */
export async function stopProcess(s: Listening, label: string): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  process.kill(s.pid, 'SIGTERM');
  const done = await Promise.race([s.exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) {
    process.stderr.write(`${label} (pid ${s.pid}) ignored SIGTERM for 10 s: SIGKILL\n`);
    try {
      process.kill(s.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await Promise.race([s.exited, sleep(5000)]);
  }
}
