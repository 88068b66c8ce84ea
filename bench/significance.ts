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
 * Resolution: `--delays 50us,100us,200us,500us,1ms` runs, for each of --runs rounds, one A/A compare
 * and one compare per delay (b: `serve --reply-delay D`), in that order, and prints per delay the
 * detection rate at p50, p99 and p99.9 (b called `slower`), how often a p99 or p99.9 verdict was
 * marked "below host floor", and the A/A false-alarm rate (anything but `same` at p50 or p99).
 * With --delays the profile defaults to bench/fixtures/calibrate-1k.json (1 000 × 1 msg/s).
 *
 * Run:  npm run build && node dist/bench/significance.js [--runs 10] [--repeat 5] [--b-serve-args '...'] [--profile smoke]
 *       node dist/bench/significance.js --delays 50us,100us,200us,500us,1ms [--runs 10] [--repeat 5]
 * Every compare's output folder is kept under results/significance-<time>/ for a second look.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, usageError } from './lib/args.js';
import { table } from './lib/stats.js';
import { median } from '../src/stats/median.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = 'significance';

interface Comparison {
  figure: string;
  belowHostFloorUs?: number;
  ratio: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  verdict: string;
  p: number | null;
}

const settings = { runs: 10, repeat: 5 };
let bServeArgs = '';
let profile = '';
let delays: string[] = [];
const argv = process.argv.slice(2);
parseFlags(argv, {
  script: SCRIPT,
  names: { '--runs': 'runs', '--repeat': 'repeat' },
  unknownHint: " (known: --runs N, --repeat N, --b-serve-args '...', --profile NAME, --delays LIST)",
  before: (arg, i) => {
    if (arg === '--b-serve-args' || arg === '--profile' || arg === '--delays') {
      const value = argv[i + 1] ?? usageError(SCRIPT, `${arg} needs a value`);
      if (arg === '--profile') profile = value;
      else if (arg === '--delays') delays = value.split(',').filter(Boolean);
      else bServeArgs = value;
      argv.splice(i + 1, 1);
      return 'next';
    }
    return undefined;
  },
  check: (_key, v) => (Number.isInteger(v) && v >= 1 ? undefined : 'needs a whole number ≥ 1'),
  set: (key, v) => (settings[key] = v),
});

profile ||= delays.length ? path.join(REPO, 'bench', 'fixtures', 'calibrate-1k.json') : 'smoke';

// exec: compare samples the shell's pid, which is then the server's own.
const serve = (extra: string) => `exec node bin/wsbench.js serve --host 127.0.0.1 --port {port} --log-level warn ${extra}`.trim();
const root = path.join(REPO, 'results', `significance-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(root, { recursive: true });

const fmtRatio = (c: Comparison | undefined) =>
  !c
    ? '-'
    : `${c.ratio?.toFixed(2) ?? '-'}× ${c.ciLow !== null ? `[${c.ciLow.toFixed(2)}–${c.ciHigh!.toFixed(2)}]` : ''} ${c.verdict === 'same' ? '~' : c.verdict}`;

/** One two-server compare (a plain, b with `bArgs`); its comparisons, empty when it wrote none. */
function compareOnce(out: string, bArgs: string): { comparisons: Comparison[]; status: number | null; seconds: number } {
  const args = ['bin/wsbench.js', 'compare', '--server', `a=${serve('')}`, '--server', `b=${serve(bArgs)}`];
  args.push('--profiles', profile, '--repeat', String(settings.repeat), '--out', out, '--log-level', 'warn');
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let comparisons: Comparison[] = [];
  try {
    comparisons = (JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')) as { comparisons: Comparison[] }).comparisons;
  } catch {
    process.stderr.write(`${SCRIPT}: ${out} has no compare.json (exit ${r.status}):\n${r.stderr}\n`);
  }
  return { comparisons, status: r.status, seconds: Math.round((Date.now() - started) / 1000) };
}

if (delays.length) resolutionTable();
else pairRuns();

/** --delays: the resolution table. */
function resolutionTable(): void {
  const subjects = ['A/A', ...delays];
  process.stderr.write(
    `${SCRIPT}: resolution over ${subjects.join(', ')}; ${settings.runs} rounds, --repeat ${settings.repeat}, profile ${profile}; folders under ${root}\n`,
  );
  const tally = new Map(subjects.map((d) => [d, { p50: 0, p99: 0, p999: 0, floor: 0, alarms: 0, runs: 0, seconds: [] as number[] }]));
  for (let run = 1; run <= settings.runs; run++) {
    for (const d of subjects) {
      const { comparisons, status, seconds } = compareOnce(path.join(root, `run-${run}-${d.replace('/', '')}`), d === 'A/A' ? '' : `--reply-delay ${d}`);
      const of = (f: string) => comparisons.find((c) => c.figure === f);
      const t = tally.get(d)!;
      t.runs++;
      t.seconds.push(seconds);
      if (of('p50')?.verdict === 'slower') t.p50++;
      if (of('p99')?.verdict === 'slower') t.p99++;
      if (of('p99.9')?.verdict === 'slower') t.p999++;
      if (['p99', 'p99.9'].some((f) => of(f)?.belowHostFloorUs !== undefined)) t.floor++;
      if (['p50', 'p99'].some((f) => of(f) !== undefined && of(f)!.verdict !== 'same')) t.alarms++;
      process.stderr.write(
        `${SCRIPT}: round ${run}, ${d}: p50 ${fmtRatio(of('p50'))}, p99 ${fmtRatio(of('p99'))}, p99.9 ${fmtRatio(of('p99.9'))} (exit ${status}, ${seconds} s)\n`,
      );
    }
  }
  const rows = subjects.map((d) => {
    const t = tally.get(d)!;
    const of = (n: number) => `${n}/${t.runs}`;
    const took = Math.round(median(t.seconds));
    return d === 'A/A'
      ? ['A/A', '-', '-', '-', of(t.floor), `${of(t.alarms)} false alarms`, `${took} s`]
      : [d, of(t.p50), of(t.p99), of(t.p999), of(t.floor), '-', `${took} s`];
  });
  process.stdout.write(
    table(['b: serve --reply-delay', 'found at p50', 'found at p99', 'found at p99.9', 'below host floor', 'A/A', 'compare took (median)'], rows) + '\n',
  );
}

function pairRuns(): void {
  process.stderr.write(
    `${SCRIPT}: ${settings.runs} compare runs, ${settings.repeat} repeats each, profile ${profile}; ` +
      `b: ${bServeArgs ? `serve ${bServeArgs}` : 'identical to a (A/A)'}; folders under ${root}\n`,
  );

  const rows: string[][] = [];
  let flagged = 0;
  let p50Slower = 0;
  for (let run = 1; run <= settings.runs; run++) {
    const { comparisons, status, seconds } = compareOnce(path.join(root, `run-${run}`), bServeArgs);
    const p50 = comparisons.find((c) => c.figure === 'p50');
    const p99 = comparisons.find((c) => c.figure === 'p99');
    const isFlagged = [p50, p99].some((c) => c?.verdict !== 'same');
    if (isFlagged) flagged++;
    if (p50?.verdict === 'slower') p50Slower++;
    rows.push([String(run), fmtRatio(p50), fmtRatio(p99), isFlagged ? 'yes' : 'no', String(status), `${seconds} s`]);
    process.stderr.write(`${SCRIPT}: run ${run}/${settings.runs}: p50 ${fmtRatio(p50)}, p99 ${fmtRatio(p99)} (compare exit ${status})\n`);
  }

  process.stdout.write(table(['run', 'b/a p50', 'b/a p99', 'not same', 'exit', 'took'], rows) + '\n');
  process.stdout.write(
    `${flagged} of ${settings.runs} runs call p50 or p99 anything but same; b slower at p50 in ${p50Slower} of ${settings.runs}` +
      ` (${bServeArgs ? `A/B, b: ${bServeArgs}` : 'A/A: the goal is ≤ 1'})\n`,
  );
}
