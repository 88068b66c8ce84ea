#!/usr/bin/env node
/**
 * `npm run native:prebuild` (and so `npm pack`): the send timer built for this platform and arch into
 * prebuilds/<platform>-<arch>/ with prebuildify, one Node-API build for every Node version, which
 * the package ships and native/build.mjs uses at install instead of compiling. CI runs it on each
 * architecture it has (.github/workflows/prebuild.yml). Not Linux: nothing to build.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodedirArgs } from './node-headers.mjs';

const BUILD_TIMEOUT_MS = 120_000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.platform !== 'linux') {
  console.warn(`wsbench: no prebuild of the send timer on ${process.platform} (it is Linux-only)`);
  process.exit(0);
}
const env = { ...process.env };
// prebuildify runs node-gyp with its own --devdir, so the headers' location goes in through npm's variable.
const [nodedir] = nodedirArgs();
if (nodedir) env.npm_config_nodedir = nodedir.slice('--nodedir='.length);
const bin = createRequire(import.meta.url).resolve('prebuildify/bin.js');
const r = spawnSync(process.execPath, [bin, '--napi', '--strip'], { cwd: root, env, stdio: 'inherit', timeout: BUILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
if (r.error || r.status !== 0) {
  console.error(`wsbench: the send timer's prebuild failed (${r.error?.message ?? `prebuildify exited ${r.status ?? r.signal}`})`);
  process.exit(1);
}
