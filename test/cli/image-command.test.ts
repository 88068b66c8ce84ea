import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { spawnCli, killAll, BIN, REPO_ROOT } from '../helpers/cli.js';

const started = new Set<ChildProcess>();
after(() => {
  void killAll();
  for (const c of started) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** The runtime stage's instructions, read from the Dockerfile rather than copied into the test. */
function imageSpec() {
  const text = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  const json = (re: RegExp): string[] => {
    const m = re.exec(runtime);
    assert.ok(m, `the runtime stage has ${re}`);
    return JSON.parse(m[1]) as string[];
  };
  const entrypoint = json(/^ENTRYPOINT (\[.*\])$/m);
  const cmd = json(/^CMD (\[.*\])$/m);
  const healthcheck = json(/^HEALTHCHECK .*?CMD (\[.*\])$/m);
  // `tini --` in front of wsbench: the init process; what it runs is the CLI.
  const initLength = /(^|\/)(tini|dumb-init)$/.test(entrypoint[0]) ? entrypoint.indexOf('--') + 1 || 1 : 0;
  const init = entrypoint.slice(0, initLength);
  const command = [...entrypoint.slice(initLength), ...cmd];
  assert.equal(command[0], 'wsbench');
  const env = Object.fromEntries([...runtime.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  return { init, args: command.slice(1), healthcheck, env };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

/** Runs the image's HEALTHCHECK command here (`node` is this Node) and returns its exit code. */
function healthcheck(argv: string[]): Promise<number> {
  assert.equal(argv[0], 'node');
  return new Promise((resolve) => {
    const child = execFile(process.execPath, argv.slice(1), { timeout: 10_000 }, () => undefined);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

/** Opens a client, checks the seed greeting and one Pong; `closed` resolves with the server's close code. */
async function greetingAndPong(): Promise<{ closed: Promise<number> }> {
  const ws = new WebSocket('ws://127.0.0.1:8080/chat');
  const messages: string[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (d) => {
      messages.push((d as Buffer).toString());
      if (messages.length === 1) ws.send('hi');
      else resolve();
    });
    ws.on('error', reject);
  });
  assert.deepEqual(messages, ['Hello Client, you connected to /chat', 'Pong: hi']);
  return { closed: new Promise<number>((resolve) => ws.on('close', (code) => resolve(code))) };
}

describe("the Docker image's command, run outside Docker", { timeout: 90_000 }, () => {
  // No Docker engine runs here, so the image's ENTRYPOINT + CMD (with its ENV) run as a process.
  it('the image runs `wsbench serve --port 8080` under an init process, with a /healthz HEALTHCHECK', () => {
    const spec = imageSpec();
    assert.deepEqual(spec.args, ['serve', '--port', '8080']);
    assert.deepEqual(spec.init, ['/usr/bin/tini', '--'], 'tini as PID 1 forwards signals and reaps children');
    assert.equal(spec.env.NODE_ENV, 'production');
    assert.match(spec.healthcheck.join(' '), /fetch\('http:\/\/127\.0\.0\.1:8080\/healthz'/);
  });

  it(
    'its command serves the seed greeting and Pong, passes its HEALTHCHECK, stops on SIGTERM with exit 0, then fails the HEALTHCHECK',
    { timeout: 45_000 },
    async (t) => {
      if (!(await portFree(8080))) return t.skip('port 8080 is in use on this machine');
      const spec = imageSpec();
      const p = spawnCli(spec.args, { env: spec.env });
      await p.waitForStdout(/listening on ws:\/\/0\.0\.0\.0:8080\/ .*; connect to ws:\/\/127\.0\.0\.1:8080\//);
      assert.equal(await healthcheck(spec.healthcheck), 0, 'healthy while serving');
      const { closed } = await greetingAndPong();
      process.kill(p.pid, 'SIGTERM');
      assert.equal(await closed, 1001);
      assert.equal((await p.exited).code, 0);
      assert.equal(await healthcheck(spec.healthcheck), 1, 'unhealthy once stopped');
    },
  );

  it('under tini, SIGTERM sent to the init process reaches wsbench, which closes with 1001 and exits 0', { timeout: 45_000 }, async (t) => {
    const spec = imageSpec();
    if (!existsSync(spec.init[0])) return t.skip(`${spec.init[0]} is not installed here (apt-get install tini)`);
    if (!(await portFree(8080))) return t.skip('port 8080 is in use on this machine');
    // TINI_SUBREAPER: outside a container tini is not PID 1; as a subreaper it behaves the same.
    const child = spawn(spec.init[0], [...spec.init.slice(1), process.execPath, BIN, ...spec.args], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: 'true', TINI_SUBREAPER: '1', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    started.add(child);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (/listening on ws:\/\/0\.0\.0\.0:8080\//.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    });
    const { closed } = await greetingAndPong();
    child.kill('SIGTERM');
    assert.equal(await closed, 1001);
    assert.equal(await exited, 0, 'tini exits with wsbench exit code');
  });
});
