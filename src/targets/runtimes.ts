/**
 * `wsbench serve --runtime bun|deno|uws`: the same Pong server on another runtime's native
 * WebSocket server (servers/bun-pong.ts, servers/deno-pong.ts, and servers/uws-pong.ts on
 * uWebSockets.js under Node), run as a child process. This file finds the runtime binary (or the
 * uWebSockets.js addon), refuses flags those servers do not implement, builds the command line and
 * runs the child; the CLI only forwards signals and exits with the child's code.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WsbError, usageError } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/defaults.js';
import type { RuntimeServerOptions } from '../contract/runtime-server.js';
import { locateUwsAddon, type UwsAddon } from './uws-addon.js';

export type { RuntimeServerOptions };

export const RUNTIMES = ['node', 'bun', 'deno', 'uws'] as const;
export type Runtime = (typeof RUNTIMES)[number];
/** Runtimes whose server is a script in servers/, run as a child process. */
export type ExternalRuntime = Exclude<Runtime, 'node'>;
/** Runtimes that are a binary of their own (uws is an addon loaded by this Node). */
type BinaryRuntime = Exclude<ExternalRuntime, 'uws'>;

/** The package root's servers/ (a clone or an installed package alike), run as TypeScript by Bun and Deno. */
export const SERVERS_DIR = path.join(PACKAGE_ROOT, 'servers');
/** servers/uws-pong.ts as tsc compiled it: the uws server runs on Node. */
export const UWS_SERVER_SCRIPT = path.join(PACKAGE_ROOT, 'dist', 'servers', 'uws-pong.js');

const INSTALL_HINT: Record<BinaryRuntime, string> = {
  bun: 'install it: npm install --save-dev bun (or see https://bun.sh), or point WSBENCH_BUN at the binary',
  deno: 'install it: npm install --save-dev deno (or see https://deno.com), or point WSBENCH_DENO at the binary',
};

/** Environment variable that names the runtime binary (for uws: the uWebSockets.js build) explicitly. */
export function runtimeEnvVar(runtime: ExternalRuntime): string {
  return `WSBENCH_${runtime.toUpperCase()}`;
}

/**
 * Where to look for a runtime binary, in order: every PATH entry, then this package's
 * node_modules/.bin (a clone, or `npm install --save-dev bun` in it) and the node_modules/.bin
 * that holds this package (an installed wsbench, whose dev dependencies sit beside it).
 */
export function runtimeSearchDirs(pathEnv: string | undefined): string[] {
  const fromPath = (pathEnv ?? '').split(path.delimiter).filter((d) => d !== '');
  const local = [path.join(PACKAGE_ROOT, 'node_modules', '.bin')];
  // <project>/node_modules/wsbench/ → <project>/node_modules/.bin
  if (path.basename(path.dirname(PACKAGE_ROOT)) === 'node_modules') local.push(path.join(path.dirname(PACKAGE_ROOT), '.bin'));
  return [...fromPath, ...local];
}

/** The first `name` in `dirs` that is an executable file (with PATHEXT suffixes on Windows). */
export function findExecutable(name: string, dirs: readonly string[], pathExt?: string): string | undefined {
  const suffixes = process.platform === 'win32' ? ['', ...(pathExt ?? '.EXE;.CMD').split(';').filter(Boolean)] : [''];
  for (const dir of dirs) {
    for (const suffix of suffixes) {
      const candidate = path.join(dir, name + suffix);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface RuntimeLookup {
  /** The environment to read PATH and WSBENCH_BUN / WSBENCH_DENO from, and to run the server with (the CLI passes its own). */
  env: NodeJS.ProcessEnv;
  /** Replaces the search directories (tests point this at an empty folder). */
  dirs?: readonly string[];
}

/**
 * The runtime binary to run: WSBENCH_BUN / WSBENCH_DENO when set (it must exist), else the first
 * one found in runtimeSearchDirs(). Throws a usage error with an install hint when there is none.
 * For uws, the uWebSockets.js addon this Node loads (uws-addon.ts).
 */
export function locateRuntime(runtime: ExternalRuntime, lookup: RuntimeLookup): string {
  const env = lookup.env;
  if (runtime === 'uws') return locateUwsAddon(env).file;
  const explicit = env[runtimeEnvVar(runtime)];
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    throw usageError(`${runtimeEnvVar(runtime)}=${explicit} is not an executable file`, `unset it or ${INSTALL_HINT[runtime]}`);
  }
  const dirs = lookup.dirs ?? runtimeSearchDirs(env.PATH ?? env.Path);
  const found = findExecutable(runtime, dirs, env.PATHEXT);
  if (found) return found;
  throw new WsbError('WSB_ERR_RUNTIME_NOT_FOUND', `--runtime ${runtime}: no ${runtime} binary found on PATH or in node_modules/.bin`, INSTALL_HINT[runtime]);
}

/** The flags of `wsbench serve` that only the Node server implements, as the user set them. */
export interface NodeOnlyFlags {
  workers: number | 'auto';
  deflate: boolean;
  cert: string | undefined;
  key: string | undefined;
  pingIntervalMs: number | undefined;
  maxConnections: number;
  mode: 'pong' | 'echo' | 'broadcast';
  format: 'plain' | 'shootout';
}

/** Refuses, in the user's words, any flag the runtime's server does not implement. */
export function assertRuntimeSupports(runtime: ExternalRuntime, flags: NodeOnlyFlags): void {
  const refuse = (flag: string, why: string) => {
    throw usageError(`${flag} is not supported with --runtime ${runtime}`, `${why}; drop ${flag} or use --runtime node`);
  };
  if (flags.workers !== 1) refuse('--workers', `the ${runtime} server is one process`);
  if (flags.deflate) refuse('--deflate', `the ${runtime} server does not negotiate permessage-deflate`);
  if (flags.cert !== undefined || flags.key !== undefined) refuse(flags.cert !== undefined ? '--cert' : '--key', `the ${runtime} server speaks ws:// only`);
  if (flags.pingIntervalMs !== undefined) refuse('--ping-interval', `the ${runtime} server has no heartbeat`);
  if (flags.maxConnections > 0) refuse('--max-connections', `the ${runtime} server has no connection limit`);
  if (flags.mode === 'broadcast' && runtime !== 'uws') refuse('--mode broadcast', `the ${runtime} server implements the pong and echo modes`);
  if (flags.format !== 'plain') refuse('--format shootout', `the ${runtime} server speaks the plain format`);
}

export interface RuntimeCommand {
  command: string;
  args: string[];
}

/** The command line that runs the runtime's Pong server script with `opts`. */
export function runtimeCommand(runtime: BinaryRuntime, binary: string, opts: RuntimeServerOptions): RuntimeCommand {
  const json = JSON.stringify(opts);
  if (runtime === 'bun') return { command: binary, args: [path.join(SERVERS_DIR, 'bun-pong.ts'), json] };
  return {
    command: binary,
    // --no-prompt: a missing permission fails instead of waiting for a keypress; --no-config and
    // --no-lock: the user's deno.json / lock file neither changes the server nor gets written.
    args: ['run', '--allow-net', '--allow-env', '--no-prompt', '--no-config', '--no-lock', path.join(SERVERS_DIR, 'deno-pong.ts'), json],
  };
}

/**
 * Runs `<binary> --version`: a runtime found on disk may still not run. The bun and deno npm packages
 * put a placeholder in node_modules/.bin until their postinstall script fetches the real binary,
 * and npm 11 (install-scripts approval), --ignore-scripts and pnpm can block that script.
 */
export function probeRuntime(runtime: BinaryRuntime, binary: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(binary, ['--version'], { env, encoding: 'utf8', timeout: 15_000 });
  if (r.status === 0) return;
  const said = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n')[0] || r.error?.message || `exit ${r.status ?? r.signal}`;
  throw new WsbError(
    'WSB_ERR_RUNTIME_NOT_FOUND',
    `--runtime ${runtime}: ${binary} does not run (\`${runtime} --version\`: ${said})`,
    `its install script may have been blocked (npm install-scripts, --ignore-scripts, pnpm): run \`npm rebuild ${runtime}\` after allowing it, or ${INSTALL_HINT[runtime]}`,
  );
}

export interface RuntimeServerProcess {
  readonly child: ChildProcess;
  readonly command: RuntimeCommand;
  /** Resolves with the exit code to pass on (128 + signal number when the child was killed). */
  readonly exited: Promise<number>;
  /** Passes a signal on to the server; it closes every connection with 1001 and exits 0. */
  forward(signal: NodeJS.Signals): void;
}

/**
 * The uws server on this Node, with the addon to load and its version label. The server loads
 * that file itself and reports one that does not load (exit 4), so there is no probe here.
 */
export function uwsCommand(addon: UwsAddon, opts: RuntimeServerOptions): RuntimeCommand {
  return { command: process.execPath, args: [UWS_SERVER_SCRIPT, JSON.stringify(opts), addon.file, addon.version] };
}

/** Finds (and for Bun and Deno, probes) the runtime, then builds its command line. */
function resolveRuntimeCommand(runtime: ExternalRuntime, opts: RuntimeServerOptions, lookup: RuntimeLookup): RuntimeCommand {
  const env = lookup.env;
  if (runtime === 'uws') return uwsCommand(locateUwsAddon(env), opts);
  const binary = locateRuntime(runtime, lookup);
  probeRuntime(runtime, binary, env);
  return runtimeCommand(runtime, binary, opts);
}

/**
 * Starts the runtime's Pong server with stdio inherited, so its one listening line reaches stdout
 * unchanged. The child stays in our process group: a terminal's Ctrl-C reaches it as well.
 */
export function spawnRuntimeServer(runtime: ExternalRuntime, opts: RuntimeServerOptions, lookup: RuntimeLookup): RuntimeServerProcess {
  const command = resolveRuntimeCommand(runtime, opts, lookup);
  const child = spawn(command.command, command.args, { stdio: 'inherit', env: lookup.env });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      const hint = runtime === 'uws' ? `the uws server runs on this Node (${process.execPath})` : INSTALL_HINT[runtime];
      reject(new WsbError('WSB_ERR_RUNTIME_NOT_FOUND', `could not start ${command.command}: ${err.message}`, hint));
    });
    child.once('exit', (code, signal) => {
      resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
    });
  });
  return {
    child,
    command,
    exited,
    forward(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
