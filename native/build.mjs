#!/usr/bin/env node
/**
 * npm's install step for the Linux send timer (send-timer.c, beside this file). It is optional:
 * without it wsbench wakes its senders with a clock thread instead (slower raw round trips on small
 * hosts; the run says so at start-up and the result records why). In order:
 * 1. a prebuild shipped in the package (prebuilds/<platform>-<arch>/, made by `npm run native:prebuild`)
 *    that node-gyp-build picks for this platform and arch, and that loads: nothing to compile;
 * 2. a build with node-gyp, against this Node's own headers where they are installed, within
 *    BUILD_TIMEOUT_MS;
 * 3. neither: one notice, and the install still succeeds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodedirArgs } from './node-headers.mjs';

/** Long enough for a slow machine's compile (a few seconds here); short enough that a stuck header download ends. */
const BUILD_TIMEOUT_MS = 120_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const notice = (why) => console.warn(`wsbench: the native send timer was not built (${why}); load workers will use the clock thread`);

if (process.platform !== 'linux') {
  notice(`it is Linux-only and this is ${process.platform}`);
  process.exit(0);
}

if (loadsPrebuild()) process.exit(0);

// npm tells its scripts where its bundled node-gyp is; otherwise try one on PATH.
const gyp = process.env.npm_config_node_gyp;
const args = ['rebuild', ...nodedirArgs()];
const [command, argv] = gyp && existsSync(gyp) ? [process.execPath, [gyp, ...args]] : ['node-gyp', args];
const r = spawnSync(command, argv, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
if (r.error?.code === 'ETIMEDOUT' || (r.signal === 'SIGKILL' && r.status === null)) {
  notice(`node-gyp did not finish within ${BUILD_TIMEOUT_MS / 1000} s`);
} else if (r.error || r.status !== 0) {
  const last = (r.stderr ?? '')
    .trim()
    .split('\n')
    .filter((l) => /error/i.test(l))
    .slice(-1)[0];
  notice(r.error ? r.error.message : (last ?? `node-gyp exited ${r.status}`).replace(/^gyp ERR! /, ''));
}

/** True when a shipped prebuild fits this host and loads (then there is nothing to build). */
function loadsPrebuild() {
  // Prebuilds only: a build/ left by an earlier install or a developer's build is rebuilt, not trusted.
  process.env.PREBUILDS_ONLY = '1';
  try {
    const file = require('node-gyp-build').path(root);
    require(file);
    return true;
  } catch {
    return false;
  }
}
