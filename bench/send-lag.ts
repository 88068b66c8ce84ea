/**
 * send-lag: how much of wsbench's headline latency is the load generator's own lateness?
 *
 * What it isolates: the corrected round trip (`summary.rttUs`, from the intended send time) minus
 * the raw one (`summary.rttRawUs`, from the actual send), and the send lag itself (actual − intended
 * send time), at the seed's light tiers against an idle, fast server: a fresh `wsbench serve --mode
 * echo --port 0 --host 127.0.0.1` per run, N clients × 1 msg/s, 64-byte messages. On an idle
 * machine both differences should be tens of µs: what is left of them is the tool, not the server.
 *
 * With `--baseline <dir>` (another checkout of wsbench, built) each run measures both builds back to
 * back, alternating which goes first, so a before/after ratio comes from one sitting on one machine.
 * Every build's load runs against a fresh server of THIS build (so only the load generator differs).
 * `--clocks timerfd,thread` measures this build once per send clock (WSBENCH_SEND_CLOCK), as further
 * columns of the same rotation. `--server-cpus 0 --load-cpus 1` pins the server (serve --cpus) and
 * every load (taskset -c, whatever the build) and says so in the header; without them nothing is pinned.
 *
 * Which statistic to trust: the MEDIAN over runs of each figure (p50 and p99 of one run each). A run
 * whose verdict is not `valid` is shown in the last column; the machine is shared, so look at the
 * "busy" column (machine CPU % outside the two processes during the run) before trusting a p99.
 * It is a measurement, not a test: it always exits 0.
 *
 * Figures per build: the headline p50/p99 (what the build ranks on: latencyUs, or the corrected rttUs
 * before it), send lag p50/p99, raw and corrected round trip p50/p99 and their difference, the host
 * floor p50/p99 (builds that record it), the
 * client's CPU (whole load process, % of one core over the run) and the server's; medians over runs.
 *
 * Run:  npm run build && node dist/bench/send-lag.js [--runs 3] [--duration 20] [--warmup 5]
 *       [--tiers 1000,5000] [--baseline /path/to/other/wsbench] [--clocks timerfd,thread]
 *       [--server-cpus 0 --load-cpus 1]
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAllChildren, startServe, stopProcess, track } from './lib/children.js';
import { readMachineCpu } from './lib/proc.js';
import { formatCpuList, parseCpuList } from '../src/core/cpu-affinity.js';
import { fmt, table } from './lib/stats.js';
import { median } from '../src/stats/median.js';
import { usageError } from './lib/args.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One thing measured: a build's load, with its environment (WSBENCH_SEND_CLOCK for --clocks). */
interface Subject {
  label: string;
  root: string;
  env: Record<string, string>;
}

interface Settings {
  runs: number;
  durationS: number;
  warmupS: number;
  tiers: number[];
  builds: Subject[];
  serverCpus?: number[];
  loadCpus?: number[];
}

interface RunFigures {
  /** The build's headline: latencyUs, or for builds before it the corrected rttUs they ranked on. */
  headP50: number;
  headP99: number;
  /** The host floor (NaN for builds before it). */
  floorP50: number;
  floorP99: number;
  sendLagP50: number;
  sendLagP99: number;
  corrMinusRawP50: number;
  corrMinusRawP99: number;
  rawP50: number;
  rawP99: number;
  corrP50: number;
  corrP99: number;
  verdict: string;
  busyPct: number;
  clientCpuPct: number;
  serverCpuPct: number;
}

interface LatencyUs {
  p50: number;
  p99: number;
}

function cpus(flag: string, v: string): number[] {
  const parsed = parseCpuList(v);
  if ('problem' in parsed) usageError('send-lag', `${flag} ${parsed.problem}`);
  return parsed.cpus;
}

function parseArgs(argv: string[]): Settings {
  const s: Settings = { runs: 3, durationS: 20, warmupS: 5, tiers: [1000, 5000], builds: [{ label: 'this build', root: ROOT, env: {} }] };
  let clocks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (v === undefined) usageError('send-lag', `${a} needs a value`);
    if (a === '--runs' || a === '--duration' || a === '--warmup') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < (a === '--warmup' ? 0 : 1)) usageError('send-lag', `${a} needs a whole number (got ${v})`);
      if (a === '--runs') s.runs = n;
      else if (a === '--duration') s.durationS = n;
      else s.warmupS = n;
    } else if (a === '--tiers') {
      s.tiers = v.split(',').map(Number);
      if (s.tiers.some((t) => !Number.isInteger(t) || t < 1)) usageError('send-lag', `--tiers needs client counts like 1000,5000 (got ${v})`);
    } else if (a === '--baseline') {
      s.builds.push({ label: `baseline ${path.basename(path.resolve(v))}`, root: path.resolve(v), env: {} });
    } else if (a === '--clocks') {
      clocks = v.split(',');
      if (clocks.some((c) => c !== 'timerfd' && c !== 'thread')) usageError('send-lag', `--clocks takes timerfd and/or thread (got ${v})`);
    } else if (a === '--server-cpus') s.serverCpus = cpus(a, v);
    else if (a === '--load-cpus') s.loadCpus = cpus(a, v);
    else usageError('send-lag', `unknown argument ${a}`);
  }
  if ((s.serverCpus === undefined) !== (s.loadCpus === undefined)) usageError('send-lag', '--server-cpus and --load-cpus go together');
  if (clocks.length > 0) {
    const others = s.builds.slice(1);
    s.builds = [...clocks.map((c) => ({ label: `this build, ${c} clock`, root: ROOT, env: { WSBENCH_SEND_CLOCK: c } })), ...others];
  }
  return s;
}

async function measure(subject: Subject, clients: number, s: Settings): Promise<RunFigures> {
  const bin = path.join(subject.root, 'bin', 'wsbench.js');
  // The server is always this build's: only the load generator differs between subjects.
  const pin = s.serverCpus ? ['--cpus', formatCpuList(s.serverCpus)] : [];
  const server = await startServe(['--mode', 'echo', ...pin], { cwd: ROOT, label: 'server' });
  const out = mkdtempSync(path.join(os.tmpdir(), 'wsb-send-lag-'));
  try {
    const cpu0 = readMachineCpu();
    const args = [
      bin,
      'load',
      `ws://127.0.0.1:${server.port}/`,
      '--clients',
      String(clients),
      '--rate',
      '1',
      '--duration',
      `${s.durationS}s`,
      '--warmup',
      `${s.warmupS}s`,
    ];
    args.push('--server-pid', String(server.pid), '--out', out, '--json', '--log-level', 'warn');
    // taskset pins builds that have no --cpus flag the same way as those that do.
    const [command, argv] = s.loadCpus ? ['taskset', ['-c', formatCpuList(s.loadCpus), process.execPath, ...args]] : [process.execPath, args];
    const child = spawn(command, argv, { cwd: subject.root, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...subject.env } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    await track(child);
    const cpu1 = readMachineCpu();
    const doc = JSON.parse(stdout) as {
      summary: {
        rttUs: LatencyUs;
        rttRawUs: LatencyUs;
        latencyUs?: LatencyUs;
        hostFloorUs?: LatencyUs | null;
        sendLagUs: LatencyUs;
        verdict: string;
        client: { cpuPercentMean: number };
        server: { cpuPercentMean: number } | null;
      };
    };
    const sm = doc.summary;
    const machinePct = cpu1 && cpu0 ? ((cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)) * 100 * os.cpus().length : NaN;
    const head = sm.latencyUs ?? sm.rttUs;
    return {
      headP50: head.p50,
      headP99: head.p99,
      floorP50: sm.hostFloorUs?.p50 ?? NaN,
      floorP99: sm.hostFloorUs?.p99 ?? NaN,
      sendLagP50: sm.sendLagUs.p50,
      sendLagP99: sm.sendLagUs.p99,
      corrMinusRawP50: sm.rttUs.p50 - sm.rttRawUs.p50,
      corrMinusRawP99: sm.rttUs.p99 - sm.rttRawUs.p99,
      rawP50: sm.rttRawUs.p50,
      rawP99: sm.rttRawUs.p99,
      corrP50: sm.rttUs.p50,
      corrP99: sm.rttUs.p99,
      verdict: sm.verdict,
      busyPct: machinePct - sm.client.cpuPercentMean - (sm.server?.cpuPercentMean ?? 0),
      clientCpuPct: sm.client.cpuPercentMean,
      serverCpuPct: sm.server?.cpuPercentMean ?? NaN,
    };
  } finally {
    await stopProcess(server, 'server');
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const s = parseArgs(process.argv.slice(2));
  const results = new Map<string, RunFigures[]>();
  const key = (tier: number, label: string) => `${tier}\u0000${label}`;
  for (const tier of s.tiers) {
    for (let r = 0; r < s.runs; r++) {
      // Alternate which build goes first, so neither always gets the fresher machine.
      const order = r % 2 === 0 ? s.builds : [...s.builds].reverse();
      for (const b of order) {
        const f = await measure(b, tier, s);
        const list = results.get(key(tier, b.label)) ?? [];
        list.push(f);
        results.set(key(tier, b.label), list);
        process.stderr.write(
          `${tier} × 1/s, ${b.label}, run ${r + 1}: send lag p50 ${f.sendLagP50} µs p99 ${f.sendLagP99} µs, corrected − raw p50 ${f.corrMinusRawP50} µs p99 ${f.corrMinusRawP99} µs (${f.verdict})\n`,
        );
      }
    }
  }
  const machine = os.cpus();
  process.stdout.write(
    `send-lag: ${machine[0]?.model ?? 'unknown CPU'} × ${machine.length}, Node ${process.version}; 64 B at 1 msg/s per client, ${s.durationS} s windows after ${s.warmupS} s warm-up; medians of ${s.runs} runs (µs; CPU in % of one core)\n` +
      `pinning: ${s.serverCpus && s.loadCpus ? `server on CPU ${formatCpuList(s.serverCpus)}, load on CPU ${formatCpuList(s.loadCpus)}` : 'off (no CPU affinity set)'}; every load against a fresh server of this build\n\n`,
  );
  const rows: string[][] = [];
  for (const tier of s.tiers) {
    for (const b of s.builds) {
      const list = results.get(key(tier, b.label)) ?? [];
      const med = (k: keyof Omit<RunFigures, 'verdict'>) => fmt(median(list.map((f) => f[k])), 0);
      const verdicts = list.map((f) => f.verdict).filter((v) => v !== 'valid');
      rows.push([
        `${tier} × 1/s`,
        b.label,
        med('headP50'),
        med('headP99'),
        med('sendLagP50'),
        med('sendLagP99'),
        med('rawP50'),
        med('corrP50'),
        med('corrMinusRawP50'),
        med('rawP99'),
        med('corrP99'),
        med('corrMinusRawP99'),
        med('floorP50'),
        med('floorP99'),
        fmt(median(list.map((f) => f.clientCpuPct)), 1),
        fmt(median(list.map((f) => f.serverCpuPct)), 1),
        med('busyPct'),
        verdicts.length ? verdicts.join(',') : 'all valid',
      ]);
    }
  }
  process.stdout.write(
    table(
      [
        'load',
        'build',
        'headline p50',
        'headline p99',
        'lag p50',
        'lag p99',
        'raw p50',
        'corr p50',
        'corr−raw p50',
        'raw p99',
        'corr p99',
        'corr−raw p99',
        'floor p50',
        'floor p99',
        'client CPU',
        'server CPU',
        'busy %',
        'verdicts',
      ],
      rows,
    ) + '\n',
  );
}

process.on('SIGINT', () => {
  killAllChildren();
  process.exit(130);
});
main().catch((err: Error) => {
  killAllChildren();
  process.stderr.write(`send-lag: ${err.message}\n`);
  process.exit(0);
});
