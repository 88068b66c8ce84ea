#!/usr/bin/env node
/**
 * npm's install step: builds the Linux send timer (send-timer.c, beside this file) with node-gyp. It is
 * optional: without a compiler, or on another OS, wsbench wakes its senders with a clock thread
 * instead (slower raw round trips on small hosts; the result records which was used). So a failed
 * build prints one notice and never fails the install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const notice = (why) => console.warn(`wsbench: the native send timer was not built (${why}); load workers will use the clock thread`);

if (process.platform !== 'linux') {
  notice(`it is Linux-only and this is ${process.platform}`);
  process.exit(0);
}
// npm tells its scripts where its bundled node-gyp is; otherwise try one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [command, args] = gyp && existsSync(gyp) ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const r = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.error || r.status !== 0) {
  const last = (r.stderr ?? '')
    .trim()
    .split('\n')
    .filter((l) => /error/i.test(l))
    .slice(-1)[0];
  notice(r.error ? r.error.message : (last ?? `node-gyp exited ${r.status}`).replace(/^gyp ERR! /, ''));
}
