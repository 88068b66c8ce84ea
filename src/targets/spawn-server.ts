import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WsbError } from '../core/errors.js';
import { parseReadyLine } from '../contract/ready.js';

/** The CLI shim of this installation, so a spawned server is the same version. */
export const WSBENCH_BIN = fileURLToPath(new URL('../../../bin/wsbench.js', import.meta.url));

export interface SpawnedServer {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** SIGTERM, then wait for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `wsbench serve` as a separate process on a free loopback port (separate, so the server and
 * the load generator do not share an event loop) and waits for its ready announcement (--ready-json).
 * The pid is the announced one: with --runtime bun|deno the CLI's child holds the connections.
 */
export function spawnServe(args: string[], stderr: 'inherit' | 'ignore' = 'ignore'): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [WSBENCH_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', '--ready-json', ...args], {
    stdio: ['ignore', 'pipe', stderr],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const ready = out.includes('\n') ? parseReadyLine(out.slice(0, out.indexOf('\n'))) : undefined;
      if (!ready) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({
        child,
        pid: ready.pid,
        port: ready.port,
        url: ready.url,
        stop: (timeoutMs = 10_000) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
            child.once('exit', () => (clearTimeout(timer), done()));
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new WsbError('WSB_ERR_INTERNAL', `wsbench serve exited (code ${code}) before listening`)));
    child.once('error', reject);
  });
}
