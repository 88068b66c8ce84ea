/**
 * Finds the uWebSockets.js addon that `serve --runtime uws` loads: a `.node` file built for this
 * platform, CPU and Node ABI. uWebSockets.js is not on the npm registry under its own name;
 * @trufflesuite/uws-js-unofficial ships its binaries (Node 16, 18 and 20), 114 MB of them, so it is
 * installed on demand like Bun and Deno: by the user, in their project (or beside wsbench), and by
 * wsbench's own tests as a dev dependency. WSBENCH_UWS can name another build (a release of
 * github.com/uNetworking/uWebSockets.js has binaries for newer Node lines). The file is found here,
 * in the CLI, so a missing or mismatched build is one clear error before anything starts;
 * servers/uws-pong.ts then loads exactly it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { WsbError, usageError } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/defaults.js';

export const UWS_PACKAGE = '@trufflesuite/uws-js-unofficial';
export const UWS_ENV_VAR = 'WSBENCH_UWS';

/** Node majors by module ABI, for messages only (process.versions.modules is what counts). */
const NODE_BY_ABI: Record<string, string> = { '93': '16', '108': '18', '115': '20', '127': '22', '131': '23', '137': '24' };

const nodeLine = (abi: string) => (NODE_BY_ABI[abi] ? `Node ${NODE_BY_ABI[abi]}` : `ABI ${abi}`);

/** The platform's addon name for one ABI, as both the npm package and the official releases name it. */
export function uwsAddonName(abi: string = process.versions.modules): string {
  return `uws_${process.platform}_${process.arch}_${abi}.node`;
}

export interface UwsAddon {
  /** The .node file to load. */
  file: string;
  /** A label for /metrics and logs: the package's name and version when there is a package.json. */
  version: string;
}

/**
 * The addon for this Node: WSBENCH_UWS (a uWebSockets.js folder or a .node file) when set, else
 * the package installed beside wsbench or in the current project. Throws WSB_ERR_RUNTIME_NOT_FOUND
 * saying which is missing and what to install.
 */
export function locateUwsAddon(env: NodeJS.ProcessEnv, resolvePackage: () => string = defaultPackageDir): UwsAddon {
  const explicit = env[UWS_ENV_VAR];
  let dir: string;
  if (explicit) {
    if (explicit.endsWith('.node') && isFile(explicit)) return { file: explicit, version: versionNear(path.dirname(explicit)) };
    if (!isDirectory(explicit)) throw usageError(`${UWS_ENV_VAR}=${explicit} is neither a uWebSockets.js folder nor a .node file`, `unset it, or ${HINT}`);
    dir = explicit;
  } else {
    try {
      dir = resolvePackage();
    } catch {
      throw notFound(
        `--runtime uws: uWebSockets.js is not installed (the package ${UWS_PACKAGE}, found neither beside wsbench nor in ${process.cwd()})`,
        `install it where you run wsbench: npm install --save-dev ${UWS_PACKAGE}@${testedUwsRange()} (builds for Node 16, 18 and 20), or ${HINT}`,
      );
    }
  }
  const folders = [path.join(dir, 'binaries'), dir];
  for (const folder of folders) {
    const file = path.join(folder, uwsAddonName());
    if (isFile(file)) return { file, version: versionNear(dir) };
  }
  const abis = [...new Set(folders.flatMap((f) => builtAbis(f)))].sort((a, b) => Number(a) - Number(b));
  throw notFound(
    `--runtime uws: ${dir} has no uWebSockets.js build for Node ${process.version} on ${process.platform}-${process.arch} ` +
      `(${uwsAddonName()}; it has ${abis.length ? abis.map(nodeLine).join(', ') : 'none for this platform'})`,
    `run wsbench on a Node line it has a build for, or ${HINT}`,
  );
}

const HINT = `point ${UWS_ENV_VAR} at a uWebSockets.js build for this Node (a release of github.com/uNetworking/uWebSockets.js), or use another --runtime`;

function notFound(message: string, hint: string): WsbError {
  return new WsbError('WSB_ERR_RUNTIME_NOT_FOUND', message, hint);
}

/** Beside wsbench (its own node_modules, or the project it is installed in), else in the current project (npx). */
function defaultPackageDir(): string {
  const manifest = `${UWS_PACKAGE}/package.json`;
  try {
    return path.dirname(createRequire(import.meta.url).resolve(manifest));
  } catch {
    return path.dirname(createRequire(path.join(process.cwd(), 'package.json')).resolve(manifest));
  }
}

/** The version range wsbench's tests run uws with: package.json's dev dependency, the one place it is kept. */
function testedUwsRange(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    return pkg.devDependencies?.[UWS_PACKAGE] ?? 'latest';
  } catch {
    return 'latest';
  }
}

/** The ABIs a folder has builds of, for this platform and CPU. */
function builtAbis(folder: string): string[] {
  if (!isDirectory(folder)) return [];
  const pattern = new RegExp(`^uws_${process.platform}_${process.arch}_(\\d+)\\.node$`);
  return readdirSync(folder).flatMap((name) => pattern.exec(name)?.[1] ?? []);
}

function versionNear(dir: string): string {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) return 'uWebSockets.js';
  try {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    return `${pkg.name ?? 'uWebSockets.js'}@${pkg.version ?? 'unknown'}`;
  } catch {
    return 'uWebSockets.js';
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
