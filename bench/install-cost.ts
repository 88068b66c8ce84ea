/**
 * install-cost: what `npx wsbench` costs a user on a clean machine, for one or more packed tarballs
 * (`npm pack`), side by side: install time, install size, and the time from starting `wsbench demo`
 * to its first line of output.
 *
 * Each run installs a tarball into an empty project with an empty npm cache of its own, so every
 * dependency comes from the registry as it would on a fresh machine (the network is part of the
 * figure: runs alternate between the tarballs so a slow minute hurts both sides alike). The install
 * size is `du` of the project's node_modules. Then `npx wsbench demo` starts there and is ended
 * (SIGTERM to the pid this script started) at its first line on stdout or stderr.
 *
 * Run:  node dist/bench/install-cost.js --tarball before=a.tgz --tarball after=b.tgz [--runs 3]
 * It prints the median of each figure per tarball and the after/before ratios (the first tarball is
 * the reference). It is a measurement: it exits 0 unless an install fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseFlags, usageError } from './lib/args.js';
import { fmt, table } from './lib/stats.js';
import { median } from '../src/stats/median.js';

const SCRIPT = 'install-cost';
const settings = { runs: 3 };
const tarballs: { label: string; file: string }[] = [];
const argv = process.argv.slice(2);
parseFlags(argv, {
  script: SCRIPT,
  names: { '--runs': 'runs' },
  unknownHint: ' (flags: --tarball LABEL=FILE (repeatable), --runs N)',
  before: (a, i) => {
    if (a !== '--tarball') return undefined;
    const v = argv[i + 1] ?? usageError(SCRIPT, '--tarball needs LABEL=FILE');
    const eq = v.indexOf('=');
    if (eq < 1) usageError(SCRIPT, `--tarball ${v}: give LABEL=FILE`);
    tarballs.push({ label: v.slice(0, eq), file: path.resolve(v.slice(eq + 1)) });
    argv.splice(i + 1, 1);
    return 'next';
  },
  check: (_k, v) => (Number.isInteger(v) && v >= 1 ? undefined : 'needs a whole number ≥ 1'),
  set: (k, v) => (settings[k] = v),
});
if (!tarballs.length) usageError(SCRIPT, 'give at least one --tarball LABEL=FILE');

interface Figures {
  installS: number;
  sizeMb: number;
  firstLineS: number;
}

function installOnce(tarball: string): Figures {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wsbench-install-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'install-cost', version: '1.0.0', private: true }));
    const env = { ...process.env, npm_config_cache: path.join(dir, '.npm-cache'), npm_config_audit: 'false', npm_config_fund: 'false' };
    const t0 = process.hrtime.bigint();
    const install = spawnSync('npm', ['install', tarball], { cwd: dir, env, encoding: 'utf8' });
    const installS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (install.status !== 0) throw new Error(`npm install ${tarball} failed:\n${install.stderr}`);
    const du = spawnSync('du', ['-sk', path.join(dir, 'node_modules')], { encoding: 'utf8' });
    const sizeMb = Number(du.stdout.split('\t')[0]) / 1024;
    return { installS, sizeMb, firstLineS: firstLine(dir, env) };
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** Seconds from spawning `npx wsbench demo` to its first output; it is then ended by its pid, and waited for (it writes what it measured on the way out). */
function firstLine(dir: string, env: NodeJS.ProcessEnv): number {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `const { spawn } = require('node:child_process');
       const t0 = process.hrtime.bigint();
       const c = spawn('npx', ['wsbench', 'demo'], { cwd: ${JSON.stringify(dir)}, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
       const kill = (sig) => { try { process.kill(-c.pid, sig); } catch {} };
       let seconds;
       // npx leaves at once on SIGTERM; demo, in the same group, writes its results first: wait for the whole group.
       const gone = () => { try { process.kill(-c.pid, 0); return false; } catch { return true; } };
       const finish = () => { if (!gone()) return setTimeout(finish, 100); process.stdout.write(String(seconds)); process.exit(0); };
       c.once('exit', () => { if (seconds !== undefined) finish(); });
       const done = () => { if (seconds !== undefined) return; seconds = Number(process.hrtime.bigint() - t0) / 1e9; kill('SIGTERM'); setTimeout(() => kill('SIGKILL'), 15000).unref(); };
       c.stdout.once('data', done); c.stderr.once('data', done);
       setTimeout(() => { try { process.kill(-c.pid, 'SIGKILL'); } catch {} process.exit(1); }, 60000);`,
    ],
    { env, encoding: 'utf8' },
  );
  return r.status === 0 ? Number(r.stdout) : NaN;
}

const figures = new Map(tarballs.map((t) => [t.label, [] as Figures[]]));
for (let run = 1; run <= settings.runs; run++) {
  // Alternate the order, so neither side always installs first.
  const order = run % 2 ? tarballs : [...tarballs].reverse();
  for (const t of order) {
    const f = installOnce(t.file);
    figures.get(t.label)!.push(f);
    process.stderr.write(`${SCRIPT}: run ${run}, ${t.label}: install ${fmt(f.installS)} s, ${fmt(f.sizeMb)} MB, demo's first line ${fmt(f.firstLineS, 2)} s\n`);
  }
}
const med = (label: string, pick: (f: Figures) => number) => median(figures.get(label)!.map(pick));
const ref = tarballs[0].label;
const rows = tarballs.map((t) => {
  const cells = (pick: (f: Figures) => number, digits: number) => {
    const v = med(t.label, pick);
    return t.label === ref ? fmt(v, digits) : `${fmt(v, digits)} (${fmt(v / med(ref, pick), 2)}×)`;
  };
  return [t.label, cells((f) => f.installS, 1), cells((f) => f.sizeMb, 1), cells((f) => f.firstLineS, 2)];
});
process.stdout.write(
  `medians of ${settings.runs} runs each, alternated; ratios against ${ref}\n` +
    table(['tarball', 'install s', 'node_modules MB', "demo's first line s"], rows) +
    '\n',
);
