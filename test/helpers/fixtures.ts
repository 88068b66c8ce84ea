import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

export interface FixtureServer {
  port: number;
  pid: number;
  /** SIGKILLs the fixture and resolves once it has exited (at once if it already had). */
  stop(): Promise<void>;
}

/**
 * Starts test/fixtures/<file> (a server printing "listening on PORT") with `interpreter` (this Node
 * unless given, e.g. /usr/bin/python3) and resolves with its port and pid.
 */
export function startFixtureServer(file: string, args: string[] = [], interpreter: string = process.execPath): Promise<FixtureServer> {
  const child = spawn(interpreter, [path.join(REPO_ROOT, 'test', 'fixtures', file), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\d+)/.exec(out);
      if (m) {
        resolve({
          port: Number(m[1]),
          pid: child.pid!,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${file} exited early (${code})`)));
  });
}

/** Starts test/fixtures/echo-server.mjs (a bare `ws` echo server). */
export function startEchoServer(args: string[] = []): Promise<FixtureServer> {
  return startFixtureServer('echo-server.mjs', args);
}

/** Starts test/fixtures/em-seed-server.mjs: the seed's em-websocket Pong server, which drops binary. */
export function startSeedServer(): Promise<FixtureServer> {
  return startFixtureServer('em-seed-server.mjs');
}
