/**
 * significance: how often `compare` calls two servers different, the issue-22 calibration.
 *
 * A/A (the default): N separate `compare` runs of two identical node servers (`wsbench serve`) at
 * the smoke profile (200 clients × 2 msg/s), each with --repeat R (interleaved a, b, a, b, …). It
 * counts the runs that call p50 or p99 anything but `same`: false alarms, which should be ≤ 1 of 10
 * (two figures at α = 0.05 each, plus whatever the host adds).
 *
 * A/B: `--b-serve-args '--reply-delay 1ms'` adds flags to server b only (a known slowdown): the
 * count is then the detection rate, and b should be `slower` at p50 in every run.
 *
 * Run:  npm run build && node dist/bench/significance.js [--runs 10] [--repeat 5] [--b-serve-args '...'] [--profile smoke]
 * Every compare's output folder is kept under results/significance-<time>/ for a second look.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, usageError } from './lib/args.js';
import { table } from './lib/stats.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = 'significance';

interface Comparison {
  figure: string;
  ratio: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  verdict: string;
  p: number | null;
}

const settings = { runs: 10, repeat: 5 };
let bServeArgs = '';
let profile = 'smoke';
const argv = process.argv.slice(2);
parseFlags(argv, {
  script: SCRIPT,
  names: { '--runs': 'runs', '--repeat': 'repeat' },
  unknownHint: " (known: --runs N, --repeat N, --b-serve-args '...', --profile NAME)",
  before: (arg, i) => {
    if (arg === '--b-serve-args' || arg === '--profile') {
      const value = argv[i + 1] ?? usageError(SCRIPT, `${arg} needs a value`);
      if (arg === '--profile') profile = value;
      else bServeArgs = value;
      argv.splice(i + 1, 1);
      return 'next';
    }
    return undefined;
  },
  check: (_key, v) => (Number.isInteger(v) && v >= 1 ? undefined : 'needs a whole number ≥ 1'),
  set: (key, v) => (settings[key] = v),
});

// exec: compare samples the shell's pid, which is then the server's own.
const serve = (extra: string) => `exec node bin/wsbench.js serve --host 127.0.0.1 --port {port} --log-level warn ${extra}`.trim();
const root = path.join(REPO, 'results', `significance-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(root, { recursive: true });
process.stderr.write(
  `${SCRIPT}: ${settings.runs} compare runs, ${settings.repeat} repeats each, profile ${profile}; ` +
    `b: ${bServeArgs ? `serve ${bServeArgs}` : 'identical to a (A/A)'}; folders under ${root}\n`,
);

const fmtRatio = (c: Comparison | undefined) =>
  !c
    ? '-'
    : `${c.ratio?.toFixed(2) ?? '-'}× ${c.ciLow !== null ? `[${c.ciLow.toFixed(2)}–${c.ciHigh!.toFixed(2)}]` : ''} ${c.verdict === 'same' ? '~' : c.verdict}`;

const rows: string[][] = [];
let flagged = 0;
let p50Slower = 0;
for (let run = 1; run <= settings.runs; run++) {
  const out = path.join(root, `run-${run}`);
  const args = ['bin/wsbench.js', 'compare', '--server', `a=${serve('')}`, '--server', `b=${serve(bServeArgs)}`];
  args.push('--profiles', profile, '--repeat', String(settings.repeat), '--out', out, '--log-level', 'warn');
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let comparisons: Comparison[] = [];
  try {
    comparisons = (JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')) as { comparisons: Comparison[] }).comparisons;
  } catch {
    process.stderr.write(`${SCRIPT}: run ${run} wrote no compare.json (exit ${r.status}):\n${r.stderr}\n`);
  }
  const p50 = comparisons.find((c) => c.figure === 'p50');
  const p99 = comparisons.find((c) => c.figure === 'p99');
  const isFlagged = [p50, p99].some((c) => c?.verdict !== 'same');
  if (isFlagged) flagged++;
  if (p50?.verdict === 'slower') p50Slower++;
  rows.push([String(run), fmtRatio(p50), fmtRatio(p99), isFlagged ? 'yes' : 'no', String(r.status), `${Math.round((Date.now() - started) / 1000)} s`]);
  process.stderr.write(`${SCRIPT}: run ${run}/${settings.runs}: p50 ${fmtRatio(p50)}, p99 ${fmtRatio(p99)} (compare exit ${r.status})\n`);
}

process.stdout.write(table(['run', 'b/a p50', 'b/a p99', 'not same', 'exit', 'took'], rows) + '\n');
process.stdout.write(
  `${flagged} of ${settings.runs} runs call p50 or p99 anything but same; b slower at p50 in ${p50Slower} of ${settings.runs}` +
    ` (${bServeArgs ? `A/B, b: ${bServeArgs}` : 'A/A: the goal is ≤ 1'})\n`,
);
