/**
 * reply-delay-cost: what `serve --reply-delay` costs the server, and how close it comes to the delay.
 *
 * The calibration of the significance tests (bench/significance.ts --delays) slows server b down
 * with `--reply-delay`. On a 2-core host the CPU a delay burns is taken from the client, so it must
 * cost almost nothing. Subjects, alternated in each run, each against a fresh server and the same
 * load of THIS build (N clients × 1 msg/s, `serve --mode echo`, server sampled over the window):
 *   - none:   `serve` with no delay;
 *   - delay:  `serve --reply-delay D` of this build (a timerfd wait on Linux);
 *   - before: `serve --reply-delay D` of another built checkout (--baseline DIR), e.g. the polling
 *             wait it replaced.
 * It prints the medians of the server's CPU (% of one core over the window) and the ratio to
 * `none`, the headline p50/p99, and the achieved − asked delay the server reports in /healthz
 * (builds before that field print -). A measurement, not a test: it always exits 0.
 *
 * Run:  npm run build && node dist/bench/reply-delay-cost.js [--runs 3] [--clients 1000] [--duration 15]
 *       [--delay 200us] [--baseline /path/to/other/wsbench]
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAllChildren, stopProcess, track, type Listening } from './lib/children.js';
import { spawnServe } from '../src/targets/spawn-server.js';
import { fmt, table } from './lib/stats.js';
import { median } from '../src/stats/median.js';
import { parseFlags, usageError } from './lib/args.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = 'reply-delay-cost';

interface Subject {
  label: string;
  root: string;
  serveArgs: string[];
}

interface Figures {
  serverCpuPct: number;
  headP50Us: number;
  headP99Us: number;
  achievedP50Us: number;
  achievedP99Us: number;
  verdict: string;
}

const s = { runs: 3, clients: 1000, durationS: 15 };
let delay = '200us';
let baseline = '';
const argv = process.argv.slice(2);
parseFlags(argv, {
  script: SCRIPT,
  names: { '--runs': 'runs', '--clients': 'clients', '--duration': 'durationS' },
  unknownHint: ' (known: --runs N, --clients N, --duration S, --delay D, --baseline DIR)',
  before: (arg, i) => {
    if (arg !== '--delay' && arg !== '--baseline') return undefined;
    const value = argv[i + 1] ?? usageError(SCRIPT, `${arg} needs a value`);
    if (arg === '--delay') delay = value;
    else baseline = path.resolve(value);
    argv.splice(i + 1, 1);
    return 'next';
  },
  check: (_k, v) => (Number.isInteger(v) && v >= 1 ? undefined : 'needs a whole number ≥ 1'),
  set: (k, v) => (s[k] = v),
});

const subjects: Subject[] = [
  { label: 'none', root: ROOT, serveArgs: [] },
  { label: `delay ${delay}`, root: ROOT, serveArgs: ['--reply-delay', delay] },
  ...(baseline ? [{ label: `before ${delay} (${path.basename(baseline)})`, root: baseline, serveArgs: ['--reply-delay', delay] }] : []),
];

/** `serve` of the subject's own build (its bin/wsbench.js), on a free loopback port. */
async function startSubjectServer(subject: Subject): Promise<Listening> {
  let exited: Promise<void> = Promise.resolve();
  const args = ['--mode', 'echo', ...subject.serveArgs];
  const s = await spawnServe(args, { bin: path.join(subject.root, 'bin', 'wsbench.js'), cwd: subject.root, onSpawn: (child) => void (exited = track(child)) });
  return { pid: s.pid, port: s.port, child: s.child, exited };
}

async function measure(subject: Subject): Promise<Figures> {
  const server = await startSubjectServer(subject);
  const out = mkdtempSync(path.join(os.tmpdir(), 'wsb-rdc-'));
  try {
    const args = [path.join(ROOT, 'bin', 'wsbench.js'), 'load', `ws://127.0.0.1:${server.port}/`, '--clients', String(s.clients), '--rate', '1'];
    args.push('--duration', `${s.durationS}s`, '--warmup', '3s', '--server-pid', String(server.pid), '--out', out, '--json', '--log-level', 'warn');
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    await track(child);
    const health = (await (await fetch(`http://127.0.0.1:${server.port}/healthz`)).json()) as { replyDelayAchieved?: { p50Us: number; p99Us: number } | null };
    const doc = JSON.parse(stdout) as {
      summary: { latencyUs?: { p50: number; p99: number }; rttRawUs: { p50: number; p99: number }; server: { cpuPercentMean: number } | null; verdict: string };
    };
    const head = doc.summary.latencyUs ?? doc.summary.rttRawUs;
    return {
      serverCpuPct: doc.summary.server?.cpuPercentMean ?? NaN,
      headP50Us: head.p50,
      headP99Us: head.p99,
      achievedP50Us: health.replyDelayAchieved?.p50Us ?? NaN,
      achievedP99Us: health.replyDelayAchieved?.p99Us ?? NaN,
      verdict: doc.summary.verdict,
    };
  } finally {
    await stopProcess(server, subject.label);
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results = new Map<string, Figures[]>(subjects.map((x) => [x.label, []]));
  for (let r = 0; r < s.runs; r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) {
      const f = await measure(subject);
      results.get(subject.label)!.push(f);
      process.stderr.write(
        `${SCRIPT}: run ${r + 1}, ${subject.label}: server CPU ${fmt(f.serverCpuPct)} %, achieved − asked p50 ${f.achievedP50Us} µs (${f.verdict})\n`,
      );
    }
  }
  const cpus = os.cpus();
  const none = median(results.get('none')!.map((f) => f.serverCpuPct));
  const rows = subjects.map((x) => {
    const list = results.get(x.label)!;
    const med = (k: keyof Omit<Figures, 'verdict'>) => median(list.map((f) => f[k]));
    const bad = list.filter((f) => f.verdict !== 'valid').map((f) => f.verdict);
    return [
      x.label,
      fmt(med('serverCpuPct'), 1),
      `${fmt(med('serverCpuPct') / none, 2)}×`,
      fmt(med('headP50Us'), 0),
      fmt(med('headP99Us'), 0),
      fmt(med('achievedP50Us'), 0),
      fmt(med('achievedP99Us'), 0),
      bad.length ? bad.join(',') : 'all valid',
    ];
  });
  process.stdout.write(
    `${SCRIPT}: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, Node ${process.version}; ${s.clients} clients × 1 msg/s, 64 B, ${s.durationS} s windows, medians of ${s.runs} alternated runs (µs; CPU in % of one core)\n\n` +
      table(['server', 'server CPU %', 'vs none', 'headline p50', 'headline p99', 'achieved−asked p50', 'achieved−asked p99', 'verdicts'], rows) +
      '\n',
  );
}

process.on('SIGINT', () => {
  killAllChildren();
  process.exit(130);
});
main().catch((err: Error) => {
  killAllChildren();
  process.stderr.write(`${SCRIPT}: ${err.message}\n`);
  process.exit(0);
});
