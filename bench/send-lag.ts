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
 * back against the same kind of fresh server, alternating which goes first, so a before/after ratio
 * comes from one sitting on one machine.
 *
 * Which statistic to trust: the MEDIAN over runs of each figure (p50 and p99 of one run each). A run
 * whose verdict is not `valid` is shown in the last column; the machine is shared, so look at the
 * "busy" column (machine CPU % outside the two processes during the run) before trusting a p99.
 * It is a measurement, not a test: it always exits 0.
 *
 * Run:  npm run build && node dist/bench/send-lag.js [--runs 3] [--duration 20] [--warmup 5]
 *       [--tiers 1000,5000] [--baseline /path/to/other/wsbench]
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAllChildren, spawnListening, stopProcess, track } from './lib/children.js';
import { readMachineCpu } from './lib/proc.js';
import { fmt, median, table } from './lib/stats.js';
import { usageError } from './lib/args.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Settings {
  runs: number;
  durationS: number;
  warmupS: number;
  tiers: number[];
  builds: { label: string; root: string }[];
}

interface RunFigures {
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
}

interface LatencyUs {
  p50: number;
  p99: number;
}

function parseArgs(argv: string[]): Settings {
  const s: Settings = { runs: 3, durationS: 20, warmupS: 5, tiers: [1000, 5000], builds: [{ label: 'this build', root: ROOT }] };
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
      s.builds.push({ label: `baseline ${path.basename(path.resolve(v))}`, root: path.resolve(v) });
    } else usageError('send-lag', `unknown argument ${a}`);
  }
  return s;
}

async function measure(root: string, clients: number, s: Settings): Promise<RunFigures> {
  const bin = path.join(root, 'bin', 'wsbench.js');
  // A baseline build older than --ready-json announces itself with the sentence only.
  const readyJson = root === ROOT;
  const serveArgs = [bin, 'serve', '--mode', 'echo', '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn', ...(readyJson ? ['--ready-json'] : [])];
  const server = await spawnListening(serveArgs, {
    cwd: root,
    label: 'server',
    pattern: readyJson ? 'ready-json' : /listening on ws:\/\/[^\s]+:(\d+)\/ \(pid (\d+)/,
    echoStderr: 'settled',
  });
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
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    await track(child);
    const cpu1 = readMachineCpu();
    const doc = JSON.parse(stdout) as {
      summary: {
        rttUs: LatencyUs;
        rttRawUs: LatencyUs;
        sendLagUs: LatencyUs;
        verdict: string;
        client: { cpuPercentMean: number };
        server: { cpuPercentMean: number } | null;
      };
    };
    const sm = doc.summary;
    const machinePct = cpu1 && cpu0 ? ((cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)) * 100 * os.cpus().length : NaN;
    return {
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
        const f = await measure(b.root, tier, s);
        const list = results.get(key(tier, b.label)) ?? [];
        list.push(f);
        results.set(key(tier, b.label), list);
        process.stderr.write(
          `${tier} × 1/s, ${b.label}, run ${r + 1}: send lag p50 ${f.sendLagP50} µs p99 ${f.sendLagP99} µs, corrected − raw p50 ${f.corrMinusRawP50} µs p99 ${f.corrMinusRawP99} µs (${f.verdict})\n`,
        );
      }
    }
  }
  const cpus = os.cpus();
  process.stdout.write(
    `send-lag: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, Node ${process.version}; 64 B at 1 msg/s per client, ${s.durationS} s windows after ${s.warmupS} s warm-up; medians of ${s.runs} runs (µs)\n\n`,
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
        med('sendLagP50'),
        med('sendLagP99'),
        med('rawP50'),
        med('corrP50'),
        med('corrMinusRawP50'),
        med('rawP99'),
        med('corrP99'),
        med('corrMinusRawP99'),
        med('busyPct'),
        verdicts.length ? verdicts.join(',') : 'all valid',
      ]);
    }
  }
  process.stdout.write(
    table(['load', 'build', 'lag p50', 'lag p99', 'raw p50', 'corr p50', 'corr−raw p50', 'raw p99', 'corr p99', 'corr−raw p99', 'busy %', 'verdicts'], rows) +
      '\n',
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
