/**
 * The one way to start `wsbench serve` and wait until it listens: the CLI (compare, capacity, demo),
 * the benches (bench/lib/children.ts) and the tests (test/helpers/cli.ts) all use it, so the ready
 * protocol (--ready-json, src/contract/ready.ts) is read in one place.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WsbError } from '../core/errors.js';
import { parseReadyLine, type ReadyAnnouncement } from '../contract/ready.js';

/** The CLI shim of this installation, so a spawned server is the same version. */
export const WSBENCH_BIN = fileURLToPath(new URL('../../../bin/wsbench.js', import.meta.url));

/** `serve` on a free loopback port, quiet, announcing itself as one JSON line; further flags follow. */
export const SERVE_READY_ARGS: readonly string[] = ['serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', '--ready-json'];

/** How long a server may take to announce itself. */
export const SERVE_READY_TIMEOUT_MS = 20_000;

export interface SpawnedServer {
  child: ChildProcess;
  /** The announced pid: with --runtime bun|deno|uws the CLI's child holds the connections. */
  pid: number;
  port: number;
  url: string;
  ready: ReadyAnnouncement;
  /** SIGTERM, then wait for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

export interface SpawnServeOptions {
  /** The server's stderr: passed through, dropped, or piped for the caller (its start-up part ends up in a failure's message). */
  stderr?: 'inherit' | 'ignore' | 'pipe';
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The bin/wsbench.js to run (a bench may compare another build's server); default this one. */
  bin?: string;
  /** Called with the child as soon as it exists, before it is ready (a caller that kills what is left on exit tracks it). */
  onSpawn?(child: ChildProcess): void;
}

/**
 * Starts `wsbench serve` as a separate process on a free loopback port (separate, so the server and
 * the load generator do not share an event loop) and waits for its ready announcement. A child that
 * exits first, or says nothing for SERVE_READY_TIMEOUT_MS (then killed), rejects.
 */
export async function spawnServe(args: readonly string[], opts: SpawnServeOptions = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [opts.bin ?? WSBENCH_BIN, ...SERVE_READY_ARGS, ...args], {
    stdio: ['ignore', 'pipe', opts.stderr ?? 'ignore'],
    env: opts.env,
    cwd: opts.cwd,
  });
  opts.onSpawn?.(child);
  const ready = await waitForReady(child, child.stdout!, child.stderr ?? undefined);
  return { child, pid: ready.pid, port: ready.port, url: ready.url, ready, stop: (timeoutMs) => stopChild(child, timeoutMs) };
}

/**
 * Resolves with the first ready announcement on `stdout`; rejects when the child exits or errs
 * first, or after `timeoutMs` (the child is then killed). A piped `stderr` is quoted in the failure.
 * Exported for callers that spawn the CLI their own way (test/helpers/cli.ts).
 */
export function waitForReady(child: ChildProcess, stdout: Readable, stderr?: Readable, timeoutMs = SERVE_READY_TIMEOUT_MS): Promise<ReadyAnnouncement> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onOut = (chunk: Buffer | string) => {
      out += chunk.toString();
      const ready = out
        .split('\n')
        .slice(0, -1)
        .map(parseReadyLine)
        .find((r) => r !== undefined);
      if (ready) settle(() => resolve(ready));
    };
    const onErr = (chunk: Buffer | string) => void (err = (err + chunk.toString()).slice(-4000));
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      settle(() => reject(startFailure(`wsbench serve exited (${signal ?? `code ${code}`}) before listening`, err)));
    const onError = (e: Error) => settle(() => reject(e));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(startFailure(`wsbench serve did not listen within ${timeoutMs / 1000} s`, err)));
    }, timeoutMs);
    const settle = (done: () => void) => {
      clearTimeout(timer);
      stdout.off('data', onOut);
      stderr?.off('data', onErr);
      child.off('exit', onExit);
      child.off('error', onError);
      // Keep draining stdout, so a chatty server never blocks on a full pipe.
      stdout.resume();
      done();
    };
    stdout.on('data', onOut);
    stderr?.on('data', onErr);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function startFailure(message: string, stderr: string): WsbError {
  return new WsbError('WSB_ERR_INTERNAL', stderr.trim() ? `${message}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : message);
}

function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => (clearTimeout(timer), done()));
    child.kill('SIGTERM');
  });
}
