/**
 * load-client-cost: the client-side cost of `wsbench load` against a plain `ws` client loop
 * (bench/fixtures/plain-ws-client.mjs), same load, same server, side by side in one run.
 *
 * What it isolates: what the load generator itself costs per round trip and per connection, on top
 * of the `ws` library. The server is the same for both sides (a fresh `wsbench serve --port 0 --host
 * 127.0.0.1 --log-level warn` per measurement, so neither side inherits the other's server state);
 * the load is the same (N clients, each sending a 64-byte text message every 1/rate s, phases spread
 * evenly, warm-up then a measured window). Both sides measure themselves the same way:
 *
 *   - CPU µs per round trip = the whole client process's CPU time (user + system, every thread)
 *     over the measured window only / replies to messages sent in that window.
 *       plain:   process.cpuUsage() at the window's edges, one thread.
 *       wsbench: summary.client.cpuUsPerMessage = utime+stime of /proc/PID/stat (the whole thread
 *                group: main thread + worker threads) between the windowStart and windowEnd marks
 *                / summary.messages.received (replies whose intended send time is in the window).
 *   - Wake-ups per second = voluntary context switches of the client process (all its threads) per
 *     second, median of the 1-s samples over its life (mostly the send phase). At this load most of
 *     a client's CPU is the kernel's, and each sleep-and-wake of the event loop is a large part of it
 *     on a VM: this is the column that explains a CPU difference the JavaScript does not.
 *   - RSS per connection = (VmRSS with all clients connected, after a 500 ms settle − VmRSS just
 *     before connecting) / connections, KB = 1024 bytes. wsbench's "before" is taken after its
 *     worker threads started, so their fixed cost is in neither side's figure (it is in the peak).
 *
 * Which statistic to trust: the MEDIAN over runs of each side's figure, and the ratio of the two
 * medians (the order of the two sides alternates between runs). The machine is shared: the other
 * CPU use during each measurement (machine busy − client − server, over the client's lifetime) is
 * printed; a run with a lot of "other" is worth repeating. RSS per connection is the difference of
 * two RSS readings (GC timing moves it by a few MB) divided by N: trust it only at large N (10 000).
 * It is a measurement, not a test: it always exits 0.
 *
 * Run:  npm run build && node dist/bench/load-client-cost.js [--runs 3] [--clients 10000] [--duration 20]
 *       [--warmup 5] [--rate 1] [--live] [-- extra wsbench load args, e.g. --threads 1 or --client lean]
 *
 * --live measures the live endpoints' cost (issue 23, docs/live.md) instead: the two sides are then
 * wsbench load as is ("live off") and with `--metrics-port 0 --dashboard 0` ("live on"), alternated
 * the same way. For "live on" this script also plays the watchers (lib/live-watcher.ts: a scrape of
 * /metrics each second, more often than Prometheus's default 15 s, and an open dashboard event
 * stream), so its figure is that of a watched run; a run that was not watched counts as failed.
 *
 * --variant '<wsbench load args>' [--variant-env NAME=VALUE …] measures a variant of wsbench load
 * against wsbench load as is, alternated the same way: `--variant '--arrivals spread'` (issue 28's
 * arrival patterns), `--variant-env WSBENCH_HOST_FLOOR=off` (what the host-floor thread costs: the
 * variant is then the run without it). Both sides sample the server (--server-pid), and the table
 * adds the server's CPU per message and the headline, corrected, send-lag and host-floor p99.
 *
 * --serve-args '<wsbench serve args>' starts both sides' server with them: `--serve-args '--mode
 * echo'` with `--variant '--message {"id":{id}} --reply-id $.id'` measures what a template and
 * reply correlation cost the client (issue 30), the server echoing the id back on both sides.
 */
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseFlags, usageError } from './lib/args.js';
import { killAllChildren, startServe, stopProcess, track, type Listening } from './lib/children.js';
import { readMachineCpu, tryReadCpuSeconds, tryReadThreadCpuSeconds, tryReadVoluntarySwitches } from './lib/proc.js';
import { sleep } from './lib/sleep.js';
import { LiveWatcher } from './lib/live-watcher.js';
import { fmt, table } from './lib/stats.js';
import { median } from '../src/stats/median.js';
import { compareSamples } from '../src/stats/compare-samples.js';

/** `live` is wsbench load with both live endpoints on and watched (`--live`). */
type Side = 'plain' | 'wsbench' | 'live' | 'variant';

/** The flags that turn the live endpoints on (port 0: any free port). */
const LIVE_FLAGS = ['--metrics-port', '0', '--dashboard', '0'];

interface Settings {
  runs: number;
  clients: number;
  rate: number;
  durationS: number;
  warmupS: number;
  /** Compare wsbench with its live endpoints off and on (watched) instead of with the plain loop. */
  live: boolean;
  /** --variant: wsbench load args of the other side (null: not this mode), and its environment. */
  variant: string[] | null;
  variantEnv: Record<string, string>;
  /** --serve-args: extra `wsbench serve` args for the server of both sides, e.g. `--mode echo`. */
  serveArgs: string[];
  extra: string[];
}

/** What one side measured in one run. */
interface SideResult {
  side: Side;
  ok: boolean;
  error?: string;
  connected: number;
  /** Messages sent in the window (wsbench: intended in it) and replies to them. */
  sent: number;
  received: number;
  cpuPercent: number;
  cpuUsPerRoundTrip: number;
  rssPerConnectionKb: number;
  rssPeakKb: number;
  rttP50Ms: number;
  rttP99Ms: number;
  verdict: string;
  /** Load generator layout and client implementation, e.g. "1×2 ws" (processes × threads). */
  layout: string;
  otherCpuPct: number;
  serverCpuPct: number;
  wakeupsPerS: number;
  wallS: number;
  /** Live on: what the watcher saw. */
  watched?: { scrapes: number; events: number };
  /** wsbench: CPU ms per second of the measured window, on the main thread (the orchestrator) and on all the others. */
  mainMsPerS: number;
  othersMsPerS: number;
  /** --variant (wsbench sampling the server over the window): server CPU µs per message, and p99s (ms). */
  serverCpuUsPerMsg?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  correctedP99Ms?: number;
  sendLagP99Ms?: number;
  hostFloorP99Ms?: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WSBENCH = path.join(ROOT, 'bin/wsbench.js');
const PLAIN = path.join(ROOT, 'bench/fixtures/plain-ws-client.mjs');

/** The issue's figures for a plain `ws` loop, 10 000 clients × 1 msg/s. */
const ISSUE_CPU_US = '30–35';
const ISSUE_RSS_KB = '7.5';

// ---------------------------------------------------------------- arguments

function parseArgs(argv: string[]): Settings {
  const s: Settings = { runs: 3, clients: 10_000, rate: 1, durationS: 20, warmupS: 5, live: false, variant: null, variantEnv: {}, serveArgs: [], extra: [] };
  const names: Record<string, 'runs' | 'clients' | 'rate' | 'durationS' | 'warmupS'> = {
    '--runs': 'runs',
    '--clients': 'clients',
    '--rate': 'rate',
    '--duration': 'durationS',
    '--warmup': 'warmupS',
  };
  parseFlags(argv, {
    script: 'load-client-cost',
    names,
    unknownHint: ' (wsbench load flags go after --)',
    before: (a, i) => {
      if (a === '--live') {
        s.live = true;
        return 'next';
      }
      if (a === '--variant' || a === '--variant-env' || a === '--serve-args') {
        const value = argv[i + 1];
        if (value === undefined) usageError('load-client-cost', `${a} needs a value`);
        if (a === '--serve-args') s.serveArgs = value.split(/\s+/).filter(Boolean);
        else if (a === '--variant') s.variant = value.split(/\s+/).filter(Boolean);
        else {
          const eq = value.indexOf('=');
          s.variantEnv[value.slice(0, eq)] = value.slice(eq + 1);
          s.variant ??= [];
        }
        argv.splice(i + 1, 1);
        return 'next';
      }
      if (a !== '--') return undefined;
      s.extra = argv.slice(i + 1);
      return 'stop';
    },
    check: (key, value) =>
      !Number.isFinite(value) || value <= 0 || (key !== 'rate' && !Number.isInteger(value))
        ? `needs a positive ${key === 'rate' ? 'number' : 'whole number'}`
        : undefined,
    set: (key, value) => {
      s[key] = value;
    },
  });
  return s;
}

// ---------------------------------------------------------------- small helpers

/** The commit being measured and whether src/ has uncommitted changes (others may be editing it). */
function sourceVersion(): string {
  try {
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter(Boolean).length;
    return `${ROOT} at ${head}${dirty > 0 ? ` + ${dirty} uncommitted change(s) in src/` : ''} (dist/ as last built)`;
  } catch {
    return `${ROOT} (not a git checkout)`;
  }
}

// ---------------------------------------------------------------- children

type ServerProc = Listening;

function startServer(serveArgs: string[]): Promise<ServerProc> {
  return startServe(serveArgs, { cwd: ROOT, label: 'server' });
}

/** SIGTERM, then SIGKILL if it is still there after 10 s. */
function stopServer(s: ServerProc): Promise<void> {
  return stopProcess(s, 'server');
}

interface ClientRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  wallS: number;
  /** Machine CPU not used by this client or the server, % of one core, over the client's life. */
  otherCpuPct: number;
  serverCpuPct: number;
  /** The client process's voluntary context switches per second: median of the 1-s samples. */
  wakeupsPerS: number;
  /** What the live watcher saw (zero unless the live endpoints were on). */
  watched: { scrapes: number; events: number };
  /** The 1-s samples: seconds since the spawn, and CPU seconds of the client's main thread and of all its threads (schedstat). */
  cpuSamples: { atS: number; main: number; all: number }[];
}

/**
 * Runs a client process to its end (bounded by `limitMs`), sampling once a second the machine's busy
 * CPU, the client's and the server's, to tell how much else was running meanwhile.
 */
async function runClient(args: string[], serverPid: number, limitMs: number, env: Record<string, string> = {}): Promise<ClientRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const exited = track(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    if (stdout.length < 50_000_000) stdout += d;
  });
  child.stderr.setEncoding('utf8');
  const watcher = new LiveWatcher();
  child.stderr.on('data', (d: string) => {
    stderr += d;
    if (stderr.length > 40_000) stderr = stderr.slice(-20_000);
    watcher.see(stderr);
  });
  type Sample = { at: number; machine: number; client: number; server: number; switches: number; threads: { main: number; all: number } };
  const samples: Sample[] = [];
  const sample = () => {
    const s = {
      at: performance.now(),
      machine: readMachineCpu().busy,
      client: tryReadCpuSeconds(child.pid),
      server: tryReadCpuSeconds(serverPid),
      switches: tryReadVoluntarySwitches(child.pid),
      threads: tryReadThreadCpuSeconds(child.pid),
    };
    if (Number.isFinite(s.client) && Number.isFinite(s.server)) samples.push(s);
  };
  sample();
  const sampler = setInterval(sample, 1000);
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, limitMs);
  await exited;
  watcher.stop();
  clearInterval(sampler);
  clearTimeout(killer);
  let otherCpuPct = NaN;
  let serverCpuPct = NaN;
  // The send phase (warm-up + window) is most of a client's life, so the median second is one of it;
  // the median also ignores the odd second in which an exiting thread took its count with it.
  const wakeupsPerS = median(samples.slice(1).map((b, i) => (b.switches - samples[i].switches) / ((b.at - samples[i].at) / 1000)));
  if (samples.length >= 2) {
    const a = samples[0];
    const b = samples[samples.length - 1];
    const wall = (b.at - a.at) / 1000;
    otherCpuPct = (100 * (b.machine - a.machine - (b.client - a.client) - (b.server - a.server))) / wall;
    serverCpuPct = (100 * (b.server - a.server)) / wall;
  }
  return {
    code: child.exitCode,
    signal: child.signalCode,
    stdout,
    stderr,
    timedOut,
    wallS: (performance.now() - t0) / 1000,
    otherCpuPct,
    serverCpuPct,
    wakeupsPerS,
    watched: { scrapes: watcher.scrapes, events: watcher.events },
    cpuSamples: samples.map((x) => ({ atS: (x.at - t0) / 1000, ...x.threads })),
  };
}

// ---------------------------------------------------------------- the sides

function failed(side: Side, error: string, run?: ClientRun): SideResult {
  return {
    side,
    ok: false,
    error,
    connected: NaN,
    sent: NaN,
    received: NaN,
    cpuPercent: NaN,
    cpuUsPerRoundTrip: NaN,
    rssPerConnectionKb: NaN,
    rssPeakKb: NaN,
    rttP50Ms: NaN,
    rttP99Ms: NaN,
    verdict: 'error',
    layout: 'n/a',
    otherCpuPct: run?.otherCpuPct ?? NaN,
    serverCpuPct: run?.serverCpuPct ?? NaN,
    wakeupsPerS: run?.wakeupsPerS ?? NaN,
    wallS: run?.wallS ?? NaN,
    mainMsPerS: NaN,
    othersMsPerS: NaN,
  };
}

function describeExit(r: ClientRun): string {
  return r.timedOut ? 'timed out (killed)' : `exit code ${r.code}${r.signal ? `, signal ${r.signal}` : ''}`;
}

function limitMs(st: Settings): number {
  return 120_000 + (st.warmupS + st.durationS) * 1000 + 60_000;
}

async function measurePlain(st: Settings, srv: ServerProc): Promise<SideResult> {
  const url = `ws://127.0.0.1:${srv.port}/`;
  const run = await runClient([PLAIN, url, String(st.clients), String(st.rate), String(st.durationS), String(st.warmupS)], srv.pid, limitMs(st));
  const line = run.stdout.trim().split('\n').pop() ?? '';
  let r: Record<string, number | null>;
  try {
    r = JSON.parse(line) as Record<string, number | null>;
  } catch {
    return failed('plain', `no JSON from the plain client (${describeExit(run)}): ${run.stderr.trim().slice(-1500)}`, run);
  }
  const num = (k: string) => (typeof r[k] === 'number' ? r[k] : NaN);
  return {
    side: 'plain',
    ok: run.code === 0,
    error: run.code === 0 ? undefined : `${describeExit(run)}; ${run.stderr.trim().slice(-500)}`,
    connected: num('connected'),
    sent: num('sentInWindow'),
    received: num('received'),
    cpuPercent: num('cpuPercent'),
    cpuUsPerRoundTrip: num('cpuUsPerRoundTrip'),
    rssPerConnectionKb: num('rssPerConnectionKb'),
    rssPeakKb: num('rssPeakKb'),
    rttP50Ms: num('rttP50Ms'),
    rttP99Ms: num('rttP99Ms'),
    verdict: run.code === 0 ? 'ok' : 'incomplete',
    layout: '1×1 ws',
    otherCpuPct: run.otherCpuPct,
    serverCpuPct: run.serverCpuPct,
    wakeupsPerS: run.wakeupsPerS,
    wallS: run.wallS,
    mainMsPerS: NaN,
    othersMsPerS: NaN,
  };
}

interface WsbenchDoc {
  config: { threads: number; processes?: number; client?: string; durationS: number };
  summary: {
    connections: { established: number };
    messages: { sent: number; received: number };
    rttRawUs: { p50: number; p99: number };
    rttUs: { p99: number };
    latencyUs?: { p50: number; p99: number };
    sendLagUs: { p99: number };
    hostFloorUs?: { p99: number } | null;
    server: { cpuPercentMean: number } | null;
    client: { rssPeakKb: number; rssPerConnectionKb: number | null; cpuPercentMean: number; cpuUsPerMessage: number | null };
    verdict: string;
    verdictReasons: string[];
  };
  series: { tS: number; phase: string }[];
}

/**
 * Where a wsbench client's CPU went during its measured window: the main thread (the orchestrator:
 * series, live endpoints) against every other thread (load workers, V8's helpers), in ms per second.
 * The window comes from the result's series (seconds since the run started, which is a few hundred
 * ms after the spawn the samples count from), so a second is dropped at each end to stay inside it.
 */
function threadSplit(run: ClientRun, series: WsbenchDoc['series']): { mainMsPerS: number; othersMsPerS: number } {
  const measured = series.filter((e) => e.phase === 'measure');
  if (measured.length < 4) return { mainMsPerS: NaN, othersMsPerS: NaN };
  const from = measured[0].tS; // the end of the first measured second
  const to = measured[measured.length - 1].tS - 1;
  const inside = run.cpuSamples.filter((x) => x.atS >= from && x.atS <= to && Number.isFinite(x.main) && Number.isFinite(x.all));
  if (inside.length < 2) return { mainMsPerS: NaN, othersMsPerS: NaN };
  const a = inside[0];
  const b = inside[inside.length - 1];
  const wallS = b.atS - a.atS;
  const main = (1000 * (b.main - a.main)) / wallS;
  return { mainMsPerS: main, othersMsPerS: (1000 * (b.all - a.all)) / wallS - main };
}

async function measureWsbench(side: 'wsbench' | 'live' | 'variant', st: Settings, srv: ServerProc, outDir: string): Promise<SideResult> {
  const url = `ws://127.0.0.1:${srv.port}/`;
  const args = [
    WSBENCH,
    'load',
    url,
    '--clients',
    String(st.clients),
    '--rate',
    String(st.rate),
    '--duration',
    `${st.durationS}s`,
    '--warmup',
    `${st.warmupS}s`,
    '--json',
    '--log-level',
    'warn',
    '--out',
    outDir,
    ...(side === 'live' ? LIVE_FLAGS : []),
    ...(st.variant ? ['--server-pid', String(srv.pid)] : []),
    ...(side === 'variant' ? (st.variant ?? []) : []),
    ...st.extra,
  ];
  const run = await runClient(args, srv.pid, limitMs(st), side === 'variant' ? st.variantEnv : {});
  if (side === 'live' && (run.watched.scrapes === 0 || run.watched.events === 0)) {
    return failed(side, `the live endpoints were not watched (${run.watched.scrapes} scrapes, ${run.watched.events} dashboard events)`, run);
  }
  let doc: WsbenchDoc;
  try {
    doc = JSON.parse(run.stdout) as WsbenchDoc;
  } catch {
    return failed(side, `no result JSON from wsbench load (${describeExit(run)}): ${run.stderr.trim().slice(-1500)}`, run);
  }
  const s = doc.summary;
  const reasons = s.verdictReasons.length > 0 ? `: ${s.verdictReasons.join('; ')}` : '';
  return {
    side,
    ok: s.verdict === 'valid',
    error: s.verdict === 'valid' ? undefined : `verdict ${s.verdict} (${describeExit(run)})${reasons}`,
    connected: s.connections.established,
    sent: s.messages.sent,
    received: s.messages.received,
    cpuPercent: s.client.cpuPercentMean,
    cpuUsPerRoundTrip: s.client.cpuUsPerMessage ?? NaN,
    rssPerConnectionKb: s.client.rssPerConnectionKb ?? NaN,
    rssPeakKb: s.client.rssPeakKb,
    rttP50Ms: s.rttRawUs.p50 / 1000,
    rttP99Ms: s.rttRawUs.p99 / 1000,
    verdict: s.verdict,
    layout: `${doc.config.processes ?? 1}×${doc.config.threads} ${doc.config.client ?? 'ws'}`,
    otherCpuPct: run.otherCpuPct,
    serverCpuPct: run.serverCpuPct,
    wakeupsPerS: run.wakeupsPerS,
    wallS: run.wallS,
    watched: run.watched,
    ...threadSplit(run, doc.series ?? []),
    serverCpuUsPerMsg: s.server && s.messages.received > 0 ? ((s.server.cpuPercentMean / 100) * doc.config.durationS * 1e6) / s.messages.received : NaN,
    latencyP50Ms: (s.latencyUs?.p50 ?? NaN) / 1000,
    latencyP99Ms: (s.latencyUs?.p99 ?? NaN) / 1000,
    correctedP99Ms: s.rttUs.p99 / 1000,
    sendLagP99Ms: s.sendLagUs.p99 / 1000,
    hostFloorP99Ms: (s.hostFloorUs?.p99 ?? NaN) / 1000,
  };
}

async function measure(side: Side, st: Settings, outDir: string): Promise<SideResult> {
  let srv: ServerProc;
  try {
    srv = await startServer(st.serveArgs);
  } catch (e) {
    return failed(side, `server: ${(e as Error).message}`);
  }
  try {
    await sleep(500);
    return side === 'plain' ? await measurePlain(st, srv) : await measureWsbench(side, st, srv, outDir);
  } finally {
    await stopServer(srv);
    await sleep(1000); // let the closed sockets leave the ephemeral port range a little
  }
}

// ---------------------------------------------------------------- main

function row(run: number, order: number, r: SideResult): string[] {
  return [
    `${run}`,
    `${order}`,
    r.side,
    r.layout,
    fmt(r.connected, 0),
    fmt(r.sent, 0),
    fmt(r.received, 0),
    fmt(r.cpuPercent, 1),
    fmt(r.cpuUsPerRoundTrip, 1),
    fmt(r.rssPerConnectionKb, 2),
    fmt(r.rssPeakKb / 1024, 0),
    fmt(r.rttP50Ms, 2),
    fmt(r.rttP99Ms, 2),
    fmt(r.serverCpuPct, 0),
    fmt(r.otherCpuPct, 0),
    fmt(r.wakeupsPerS, 0),
    fmt(r.mainMsPerS, 1),
    r.verdict,
  ];
}

async function main(): Promise<void> {
  const st = parseArgs(process.argv.slice(2));
  const cpus = os.cpus();
  process.stdout.write(
    (st.live
      ? `load-client-cost --live: wsbench load with its live endpoints off and on (watched), same wsbench serve, loopback\n`
      : `load-client-cost: wsbench load vs a plain ws client loop, same wsbench serve, loopback\n`) +
      `CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores (os.availableParallelism ${os.availableParallelism()}), ` +
      `Node ${process.version}, ${os.platform()} ${os.release()}, load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}\n` +
      `load: ${st.clients} clients × ${st.rate} msg/s, warm-up ${st.warmupS} s, window ${st.durationS} s, ${st.runs} run(s), order alternates\n` +
      `source: ${sourceVersion()}\n` +
      `wsbench load extra args: ${st.extra.length > 0 ? st.extra.join(' ') : '(none)'}\n` +
      (st.variant ? `variant args: ${st.variant.join(' ') || '(none)'}\n` : '') +
      `wsbench serve args: ${st.serveArgs.length > 0 ? st.serveArgs.join(' ') : '(none)'}\n` +
      `columns: cpu% = client CPU over the window (% of one core); µs/rt = client CPU µs per round trip in the window; ` +
      `KB/conn = client RSS per connection; srv%/other% = server / rest-of-machine CPU over the client's life; ` +
      `wake/s = the client process's voluntary context switches per second (every thread; median of 1-s samples); main ms/s = wsbench's main thread (the orchestrator) CPU ms per second of the window\n\n`,
  );
  const [base, other]: [Side, Side] = st.variant ? ['wsbench', 'variant'] : st.live ? ['wsbench', 'live'] : ['plain', 'wsbench'];
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'wsbench-lcc-'));
  const results: SideResult[] = [];
  const rows: string[][] = [];
  const problems: string[] = [];
  try {
    for (let run = 1; run <= st.runs; run++) {
      const order: Side[] = run % 2 === 1 ? [base, other] : [other, base];
      for (let k = 0; k < order.length; k++) {
        const r = await measure(order[k], st, outDir);
        results.push(r);
        rows.push(row(run, k + 1, r));
        const expected = st.clients * st.rate * st.durationS;
        if (r.error) problems.push(`run ${run} ${r.side}: ${r.error}`);
        else if (r.connected < st.clients || r.received < 0.99 * expected) {
          problems.push(`run ${run} ${r.side}: ${r.connected} connected, ${r.received} of ~${expected} replies in the window`);
        }
        process.stderr.write(
          `run ${run} ${r.side}: ${fmt(r.cpuUsPerRoundTrip)} µs/rt, ${fmt(r.rssPerConnectionKb, 2)} KB/conn, ${r.verdict} (${fmt(r.wallS, 0)} s)` +
            (r.watched && r.side === 'live' ? `, watched: ${r.watched.scrapes} scrapes, ${r.watched.events} dashboard events\n` : '\n'),
        );
      }
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }

  process.stdout.write(
    table(
      [
        'run',
        'order',
        'side',
        'procs×thr client',
        'connected',
        'sent',
        'replies',
        'cpu%',
        'µs/rt',
        'KB/conn',
        'peak MB',
        'p50 ms',
        'p99 ms',
        'srv%',
        'other%',
        'wake/s',
        'main ms/s',
        'verdict',
      ],
      rows,
    ) + '\n\n',
  );
  if (problems.length > 0) process.stdout.write(`problems:\n${problems.map((p) => `  - ${p}`).join('\n')}\n\n`);

  const pick = (side: Side, f: (r: SideResult) => number) => median(results.filter((r) => r.side === side).map(f));
  // The goals each comparison is judged by: wsbench against a plain ws loop (issue 4's), the live
  // endpoints on against off (issue 23's).
  const goals: { label: string; limit: number }[] = st.variant
    ? [
        { label: '≤1.05× (within noise)', limit: 1.05 },
        { label: '≤1.10× (spread default)', limit: 1.1 },
      ]
    : st.live
      ? [{ label: '≤1.05× (live endpoints)', limit: 1.05 }]
      : [
          { label: '≤1.0× (this issue)', limit: 1.0 },
          { label: '≤0.6× (scale goal)', limit: 0.6 },
        ];
  const metrics: { name: string; f: (r: SideResult) => number; digits: number; judged: boolean; issue: string }[] = [
    { name: 'client CPU µs per round trip', f: (r) => r.cpuUsPerRoundTrip, digits: 1, judged: true, issue: ISSUE_CPU_US },
    { name: 'client RSS KB per connection', f: (r) => r.rssPerConnectionKb, digits: 2, judged: !st.live && !st.variant, issue: ISSUE_RSS_KB },
    { name: 'client CPU % of one core (window)', f: (r) => r.cpuPercent, digits: 1, judged: false, issue: '' },
    { name: 'client RSS peak MB', f: (r) => r.rssPeakKb / 1024, digits: 0, judged: false, issue: '' },
    { name: 'RTT p50 ms (raw)', f: (r) => r.rttP50Ms, digits: 2, judged: false, issue: '' },
    { name: 'RTT p99 ms (raw)', f: (r) => r.rttP99Ms, digits: 2, judged: false, issue: '' },
    { name: 'client wake-ups per s', f: (r) => r.wakeupsPerS, digits: 0, judged: false, issue: '' },
    ...(st.live
      ? [
          { name: 'main thread CPU ms/s (window)', f: (r: SideResult) => r.mainMsPerS, digits: 1, judged: false, issue: '' },
          { name: 'other threads CPU ms/s (window)', f: (r: SideResult) => r.othersMsPerS, digits: 1, judged: false, issue: '' },
        ]
      : []),
    ...(st.variant
      ? [
          { name: 'server CPU µs per message (window)', f: (r: SideResult) => r.serverCpuUsPerMsg ?? NaN, digits: 1, judged: false, issue: '' },
          { name: 'headline p50 ms', f: (r: SideResult) => r.latencyP50Ms ?? NaN, digits: 3, judged: false, issue: '' },
          { name: 'headline p99 ms', f: (r: SideResult) => r.latencyP99Ms ?? NaN, digits: 3, judged: false, issue: '' },
          { name: 'corrected p99 ms', f: (r: SideResult) => r.correctedP99Ms ?? NaN, digits: 3, judged: false, issue: '' },
          { name: 'send lag p99 ms', f: (r: SideResult) => r.sendLagP99Ms ?? NaN, digits: 3, judged: false, issue: '' },
          { name: 'host floor p99 ms', f: (r: SideResult) => r.hostFloorP99Ms ?? NaN, digits: 3, judged: false, issue: '' },
        ]
      : []),
  ];
  const summary = metrics.map((m) => {
    const a = pick(base, m.f);
    const b = pick(other, m.f);
    const ratio = b / a;
    const verdict = (limit: number) => (!m.judged ? '' : Number.isFinite(ratio) ? (ratio <= limit ? 'PASS' : 'FAIL') : 'n/a');
    return [
      m.name,
      fmt(a, m.digits),
      fmt(b, m.digits),
      m.judged ? `${fmt(ratio, 2)}×` : '',
      ...goals.map((g) => verdict(g.limit)),
      ...(st.live || st.variant ? [] : [m.issue]),
    ];
  });
  const variantName = `${(st.variant ?? []).join(' ')} ${Object.entries(st.variantEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`.trim();
  const names: Record<Side, string> = {
    plain: 'plain ws',
    wsbench: st.live ? 'live off' : st.variant ? 'as is' : 'wsbench',
    live: 'live on',
    variant: variantName,
  };
  process.stdout.write(
    `medians over ${st.runs} run(s)` +
      (st.extra.length > 0 ? ` (wsbench load ${st.extra.join(' ')})` : '') +
      ':\n' +
      table(
        [
          'metric',
          names[base],
          names[other],
          `${names[other]}/${names[base]}`,
          ...goals.map((g) => g.label),
          ...(st.live || st.variant ? [] : ["issue's plain figure"]),
        ],
        summary,
      ) +
      '\n',
  );
  // The ratio of medians above moves with the host's noise; the Hodges–Lehmann ratio and its
  // interval say how far that noise leaves the answer open (docs/significance.md).
  const cpu = (side: Side) => results.filter((r) => r.side === side && Number.isFinite(r.cpuUsPerRoundTrip)).map((r) => r.cpuUsPerRoundTrip);
  const c = compareSamples(cpu(base), cpu(other), 'lower');
  process.stdout.write(
    `client CPU µs per round trip, ${names[other]}/${names[base]}: Hodges–Lehmann ${fmt(c.ratio ?? NaN, 3)}×` +
      (c.ciLow !== null && c.ciHigh !== null && c.ciLevel !== null
        ? ` [${fmt(c.ciLow, 3)}–${fmt(c.ciHigh, 3)}] (${fmt(100 * c.ciLevel, 1)} % interval), Mann–Whitney p ${fmt(c.p ?? NaN, 3)}: ${c.verdict}\n`
        : ` (too few runs for an interval: 4 a side at least)\n`),
  );
}

const onSignal = (sig: NodeJS.Signals) => {
  process.stderr.write(`load-client-cost: ${sig}, stopping the children\n`);
  killAllChildren();
  process.exit(0);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main()
  .catch((e: Error) => process.stderr.write(`load-client-cost: ${e.stack ?? e.message}\n`))
  .finally(() => {
    killAllChildren();
    process.exitCode = 0;
  });
