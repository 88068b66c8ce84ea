import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

/** Starts test/fixtures/echo-server.mjs (a bare `ws` echo server) and resolves with its port and pid. */
export function startEchoServer(args: string[] = []): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'test', 'fixtures', 'echo-server.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
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
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`echo server exited early (${code})`)));
  });
}
