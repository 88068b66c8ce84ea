/**
 * The npm package as a user gets it: `npm pack` on a copy of the working tree without a build (its
 * prepack must clean and build), the tarball installed into an empty directory, and the installed
 * `wsbench` run: `npx wsbench --version`, then `serve` and a small `load` against it, and `report`
 * renders its HTML with the charts' code inlined. The install
 * runs with the C toolchain shadowed by failing stubs, so on linux-x64 the send timer must come from
 * the prebuild the tarball ships; then, with the prebuild removed too, a rebuild gives one notice
 * and succeeds, and a load says once at start-up that it uses the clock thread, and why.
 * uWebSockets.js is not in the install: `serve --runtime uws` names the package to install, and
 * after the project installs it as the hint says, serves.
 * Packing happens in a copy so the repository's own dist/ (which the test runner is using) is never
 * cleaned. Dependencies come from the npm cache when they are there (`--prefer-offline`).
 * Takes about 30 s (a full tsc build plus an install).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { runtimeMissing } from '../helpers/runtimes.js';
import { EXIT } from '../../src/contract/exit-codes.js';

const temp = mkdtempSync(path.join(tmpdir(), 'wsbench-pack-'));
const children = new Set<ChildProcess>();

after(() => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(temp, { recursive: true, force: true });
});

/** npm's own npm_* variables (set when this runs under `npm test`) would point npm at the repository. */
/**
 * The installed load ran and measured: exit 0, or exit 5 when a busy host made one of its 20 sends
 * late enough to be the send lag's p99 (client-saturated is about the host; this test is about the
 * install). Never target-errors, never a failure.
 */
function assertMeasured(r: { code: number | null; stdout: string; stderr: string }): void {
  if (r.code === 5) {
    assert.equal((JSON.parse(r.stdout) as { summary: { verdict: string } }).summary.verdict, 'client-saturated', r.stderr);
    return;
  }
  assert.equal(r.code, 0, `load failed:\n${r.stderr}`);
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { CI: 'true' };
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') || /^npm_config_(cache|registry|userconfig)$/i.test(k)) env[k] = v;
  }
  return env;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (its own process group, killed in teardown if the test gives up). */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = cleanEnv()): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone.
      }
      reject(new Error(`${cmd} ${args.join(' ')} took over ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A machine without a C toolchain: cc, gcc, g++, c++, make, ld and strip on PATH fail, and CC/CXX are unset. */
function noCompilerEnv(): NodeJS.ProcessEnv {
  const stubs = path.join(temp, 'no-compiler');
  mkdirSync(stubs, { recursive: true });
  for (const tool of ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'ld', 'strip']) {
    writeFileSync(path.join(stubs, tool), `#!/bin/sh\necho "${tool}: not installed (test stub)" >&2\nexit 127\n`, { mode: 0o755 });
  }
  const env = cleanEnv();
  delete env.CC;
  delete env.CXX;
  env.PATH = `${stubs}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

const SHIPS_PREBUILD = process.platform === 'linux' && process.arch === 'x64';

describe('the npm package', { timeout: 180_000 }, () => {
  it('packs with a clean build, installs into an empty directory, and the installed wsbench serves (node, uws) and loads', { timeout: 170_000 }, async (t) => {
    // A fresh clone's files (tracked and untracked, minus what .gitignore ignores: no dist/, no node_modules).
    const src = path.join(temp, 'src');
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    for (const f of files) if (existsSync(path.join(REPO_ROOT, f))) cpSync(path.join(REPO_ROOT, f), path.join(src, f), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(src, 'node_modules'), 'dir');
    // A module left over from an older build must not ship: prepack has to clear dist/ first.
    mkdirSync(path.join(src, 'dist', 'src'), { recursive: true });
    writeFileSync(path.join(src, 'dist', 'src', 'stale-module.js'), 'export {};\n');

    const out = path.join(temp, 'out');
    mkdirSync(out);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', out], src, 120_000);
    assert.equal(pack.code, 0, `npm pack failed:\n${pack.stderr}`);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const shipped = info.files.map((f) => f.path);
    // src/contract ships as TypeScript: the Bun and Deno servers import it.
    for (const f of [
      'LICENSE',
      'README.md',
      'docs/architecture.md',
      'package.json',
      'bin/wsbench.js',
      'dist/src/cli/main.js',
      'bench-profiles/smoke.json',
      'servers/bun-pong.ts',
      'dist/servers/uws-pong.js',
      'src/contract/pong.ts',
      'src/report/chart/browser/wsb-charts.js',
      'binding.gyp',
      'native/send-timer.c',
      'native/build.mjs',
      ...(SHIPS_PREBUILD ? ['prebuilds/linux-x64/wsbench.node'] : []),
    ]) {
      assert.ok(shipped.includes(f), `the tarball ships ${f}`);
    }
    assert.ok(!shipped.includes('dist/src/stale-module.js'), 'a stale module in dist/ is not shipped');
    assert.deepEqual(
      shipped.filter((f) => /^(dist\/(test|bench)|test|src|scripts|\.github)\//.test(f) && !/^src\/(contract|report\/chart\/browser)\//.test(f)),
      [],
      "no tests, sources (but the contract and the charts' browser code) or CI files",
    );

    const app = path.join(temp, 'app');
    mkdirSync(app);
    const noCompiler = noCompilerEnv();
    const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(out, info.filename)], app, 120_000, noCompiler);
    assert.equal(install.code, 0, `npm install failed:\n${install.stderr}`);
    const installed = path.join(app, 'node_modules', 'wsbench');
    if (SHIPS_PREBUILD) assert.ok(!existsSync(path.join(installed, 'build')), 'nothing was compiled: the prebuild fits');

    const version = await run('npx', ['wsbench', '--version'], app, 30_000);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);

    // The installed bin directly (not through npx), so the pid we stop is the server's.
    const bin = path.join(app, 'node_modules', '.bin', 'wsbench');
    const startServe = async (args: string[]) => {
      const server = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', ...args], {
        cwd: app,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      children.add(server);
      const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
      let serverOut = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${serverOut}`)), 20_000);
        server.stdout.setEncoding('utf8').on('data', (s: string) => {
          serverOut += s;
          const m = /ws:\/\/127\.0\.0\.1:\d+\//.exec(serverOut);
          if (m) {
            clearTimeout(timer);
            resolve(m[0]);
          }
        });
        server.stderr.setEncoding('utf8').on('data', (s: string) => (serverOut += s));
        server.on('exit', () => reject(new Error(`serve exited:\n${serverOut}`)));
      });
      return { server, url, exited };
    };
    const { server, url, exited } = await startServe([]);

    const load = await run(
      bin,
      ['load', url, '--clients', '10', '--rate', '2', '--duration', '1s', '--warmup', '1s', '--server-pid', String(server.pid), '--json'],
      app,
      60_000,
    );
    assertMeasured(load);
    const result = JSON.parse(load.stdout) as { config: { sendClock: string }; summary: { verdict: string; connections: { established: number } } };
    // Without a compiler, the shipped prebuild: the workers woke with the native timer, and said nothing.
    if (SHIPS_PREBUILD) {
      assert.equal(result.config.sendClock, 'timerfd', `install output:\n${install.stdout}\n${install.stderr}`);
      assert.equal((result.config as { sendClockFallback?: string }).sendClockFallback, undefined);
      assert.doesNotMatch(load.stderr, /native send timer is not available/);
    }
    assert.equal(result.summary.connections.established, 10);
    assert.ok(existsSync(path.join(app, 'results')), 'results/ written in the working directory');
    // The HTML report inlines uPlot (from the installed dependency) and the charts' browser code.
    const resultFile = path.join(app, 'installed-load.json');
    writeFileSync(resultFile, load.stdout);
    const html = await run(bin, ['report', resultFile, '--format', 'html', '--out', path.join(app, 'report.html')], app, 30_000);
    assert.equal(html.code, 0, html.stderr);
    const page = readFileSync(path.join(app, 'report.html'), 'utf8');
    assert.match(page, /var uPlot=function/);
    assert.match(page, /window\.wsbCharts = /);

    if (SHIPS_PREBUILD) {
      // Neither a prebuild nor a compiler: the install step gives one notice and succeeds …
      rmSync(path.join(installed, 'prebuilds'), { recursive: true, force: true });
      const rebuild = await run('npm', ['rebuild', 'wsbench', '--foreground-scripts'], app, 180_000, noCompiler);
      assert.equal(rebuild.code, 0, `npm rebuild failed:\n${rebuild.stdout}\n${rebuild.stderr}`);
      const notices =
        `${rebuild.stdout}\n${rebuild.stderr}`.match(/^wsbench: the native send timer was not built \(.+\); load workers will use the clock thread$/gm) ?? [];
      assert.equal(notices.length, 1, `one notice:\n${rebuild.stdout}\n${rebuild.stderr}`);
      // … and a load with several workers in two processes says so once, at start-up, and records why.
      const fallback = await run(
        bin,
        ['load', url, '--clients', '10', '--rate', '2', '--duration', '1s', '--warmup', '1s', '--processes', '2', '--threads', '2', '--json'],
        app,
        60_000,
      );
      assertMeasured(fallback);
      const said = fallback.stderr.split('\n').filter((l) => /native send timer is not available/.test(l));
      assert.equal(said.length, 1, fallback.stderr);
      assert.ok(fallback.stderr.indexOf(said[0]) < fallback.stderr.indexOf('connect ramp done'), 'at start-up, before the connect ramp ends');
      const doc = JSON.parse(fallback.stdout) as { config: { sendClock: string; sendClockFallback?: string } };
      assert.equal(doc.config.sendClock, 'thread');
      assert.match(doc.config.sendClockFallback ?? '', /no build of it and no prebuild for linux-x64/);
    }

    server.kill('SIGTERM');
    assert.equal(await exited, 0, 'serve exits 0 on SIGTERM');

    // uWebSockets.js is installed on demand: without it, serve says exactly what to install …
    const missing = await run(bin, ['serve', '--runtime', 'uws', '--port', '0'], app, 30_000);
    assert.equal(missing.code, EXIT.ENVIRONMENT, missing.stderr);
    const command = /npm install --save-dev (@trufflesuite\/uws-js-unofficial@\S+)/.exec(missing.stderr);
    assert.ok(command, `the hint names the package and version:\n${missing.stderr}`);
    // … and with it installed in the project, as the hint says, serves (builds exist up to Node 20).
    const uwsSkip = runtimeMissing('uws');
    if (uwsSkip) {
      t.diagnostic(`serve --runtime uws not tried: ${uwsSkip}`);
      return;
    }
    const add = await run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', command[1]], app, 120_000);
    assert.equal(add.code, 0, `npm install ${command[1]} failed:\n${add.stderr}`);
    const uws = await startServe(['--runtime', 'uws']);
    const check = await run(bin, ['check', uws.url], app, 30_000);
    assert.equal(check.code, 0, `check against the installed uws server failed:\n${check.stdout}\n${check.stderr}`);
    uws.server.kill('SIGTERM');
    assert.equal(await uws.exited, 0, 'serve --runtime uws exits 0 on SIGTERM');
  });
});
