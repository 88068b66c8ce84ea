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
 * marked "below host floor", and the A/A false-alarm rate (`slower` or `faster` at p50 or p99).
 * With --delays the profile defaults to bench/fixtures/calibrate-1k.json (1 000 × 1 msg/s).
 *
 * `--rounds-file FILE` keeps the finished rounds of --delays in FILE (JSON, rewritten after each
 * round) and continues from them: a 10-round table takes longer than one sitting, and each round is
 * self-contained (its A/A and every delay measured back to back). The table is then over every round
 * in the file. Rounds are pooled only from one CPU model with the same delays, repeat and profile;
 * otherwise the script refuses (exit 2) rather than mix machines.
 *
 * Run:  npm run build && node dist/bench/significance.js [--runs 10] [--repeat 5] [--b-serve-args '...'] [--profile smoke]
 *       node dist/bench/significance.js --delays 50us,100us,200us,500us,1ms [--runs 10] [--repeat 5] [--rounds-file F]
 * Every compare's output folder is kept under results/significance-<time>/ for a second look.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
let roundsFile = '';
const argv = process.argv.slice(2);
parseFlags(argv, {
  script: SCRIPT,
  names: { '--runs': 'runs', '--repeat': 'repeat' },
  unknownHint: " (known: --runs N, --repeat N, --b-serve-args '...', --profile NAME, --delays LIST, --rounds-file FILE)",
  before: (arg, i) => {
    if (arg === '--b-serve-args' || arg === '--profile' || arg === '--delays' || arg === '--rounds-file') {
      const value = argv[i + 1] ?? usageError(SCRIPT, `${arg} needs a value`);
      if (arg === '--profile') profile = value;
      else if (arg === '--rounds-file') roundsFile = value;
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
if (roundsFile && !delays.length) usageError(SCRIPT, '--rounds-file keeps rounds of --delays: give --delays too');

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

/** One subject's compare in one round: what the table counts, and the ratios for a second look. */
interface RoundEntry {
  p50?: Comparison;
  p99?: Comparison;
  p999?: Comparison;
  status: number | null;
  seconds: number;
}
interface Round {
  at: string;
  cpu: string;
  entries: Record<string, RoundEntry>;
}
interface RoundsFile {
  delays: string[];
  repeat: number;
  profile: string;
  rounds: Round[];
}

const cpuModel = () => os.cpus()[0]?.model.trim() ?? 'unknown';

/** The rounds already in --rounds-file, refused when they were taken with other settings or on another CPU. */
function priorRounds(): RoundsFile {
  const fresh: RoundsFile = { delays, repeat: settings.repeat, profile: path.basename(profile), rounds: [] };
  if (!roundsFile || !existsSync(roundsFile)) return fresh;
  const prior = JSON.parse(readFileSync(roundsFile, 'utf8')) as RoundsFile;
  const same = prior.delays.join(',') === delays.join(',') && prior.repeat === settings.repeat && prior.profile === fresh.profile;
  if (!same) usageError(SCRIPT, `${roundsFile} holds rounds of --delays ${prior.delays.join(',')} --repeat ${prior.repeat} (${prior.profile}): not these`);
  const other = prior.rounds.find((r) => r.cpu !== cpuModel());
  if (other) usageError(SCRIPT, `${roundsFile} holds rounds from another CPU (${other.cpu}, this one is ${cpuModel()}): start a new file`);
  return prior;
}

function saveRounds(file: RoundsFile): void {
  if (!roundsFile) return;
  writeFileSync(`${roundsFile}.tmp`, JSON.stringify(file, null, 2) + '\n');
  renameSync(`${roundsFile}.tmp`, roundsFile);
}

/** --delays: the resolution table. */
function resolutionTable(): void {
  const subjects = ['A/A', ...delays];
  const file = priorRounds();
  process.stderr.write(
    `${SCRIPT}: resolution over ${subjects.join(', ')}; ${settings.runs} rounds (${file.rounds.length} already in ${roundsFile || '-'}), --repeat ${settings.repeat}, profile ${profile}; folders under ${root}\n`,
  );
  for (let run = file.rounds.length + 1; run <= settings.runs; run++) {
    const round: Round = { at: new Date().toISOString(), cpu: cpuModel(), entries: {} };
    for (const d of subjects) {
      const { comparisons, status, seconds } = compareOnce(path.join(root, `run-${run}-${d.replace('/', '')}`), d === 'A/A' ? '' : `--reply-delay ${d}`);
      const of = (f: string) => comparisons.find((c) => c.figure === f);
      round.entries[d] = { p50: of('p50'), p99: of('p99'), p999: of('p99.9'), status, seconds };
      process.stderr.write(
        `${SCRIPT}: round ${run}, ${d}: p50 ${fmtRatio(of('p50'))}, p99 ${fmtRatio(of('p99'))}, p99.9 ${fmtRatio(of('p99.9'))} (exit ${status}, ${seconds} s)\n`,
      );
    }
    file.rounds.push(round);
    saveRounds(file);
  }
  const rows = subjects.map((d) => {
    const entries = file.rounds.map((r) => r.entries[d]).filter((e): e is RoundEntry => e !== undefined);
    const count = (pick: (e: RoundEntry) => boolean) => `${entries.filter(pick).length}/${entries.length}`;
    const slower = (c: Comparison | undefined) => c?.verdict === 'slower';
    // A false alarm is a difference claimed; `unknown` (too few samples) claims none.
    const alarm = (c: Comparison | undefined) => c?.verdict === 'slower' || c?.verdict === 'faster';
    const floor = count((e) => [e.p99, e.p999].some((c) => c?.belowHostFloorUs !== undefined));
    const took = `${Math.round(median(entries.map((e) => e.seconds)))} s`;
    return d === 'A/A'
      ? ['A/A', '-', '-', '-', floor, `${count((e) => [e.p50, e.p99].some(alarm))} false alarms`, took]
      : [d, count((e) => slower(e.p50)), count((e) => slower(e.p99)), count((e) => slower(e.p999)), floor, '-', took];
  });
  const when = [...new Set(file.rounds.map((r) => r.at.slice(0, 10)))].join(', ');
  process.stdout.write(`${file.rounds.length} rounds on ${cpuModel()} (${os.cpus().length} CPUs), ${when}\n`);
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

if (delays.length) resolutionTable();
else pairRuns();
