/**
 * soak: holds N clients × R msg/s (10 000 × 1 by default) against `wsbench serve` for a long time
 * (30 minutes by default) and watches both sides for what only time shows: memory that keeps growing,
 * handles or descriptors that are never given back.
 *
 * Every --sample seconds it reads, on loopback only:
 *   - the load's process tree (the CLI and any load processes it starts): RSS, open descriptors and
 *     of those the sockets, threads. The connections live in worker threads, whose libuv handles no
 *     outside reader can count; their sockets are their handles, so the socket count stands for them.
 *   - the server's process tree: RSS, open descriptors, and from its /metrics the main loop's active
 *     handles (prom-client's nodejs_active_handles_total) and its open connections.
 * It prints one line a minute, and at the end the RSS slope per hour of each side: the least-squares
 * line through every sample after the first --settle minutes (the ramp, JIT warm-up and the first old-
 * space growth are not a leak). A side is "growing" when its slope is above both 1 MB/h and 2 % of its
 * mean RSS per hour, "flat" otherwise; a GC sawtooth moves single samples by a few MB, not the line.
 * The load's own verdict and counts close the report, so a soak that lost its connections says so.
 *
 * Run:  npm run build && node dist/bench/soak.js [--clients 10000] [--rate 1] [--minutes 30]
 *       [--sample 10] [--settle 3] [--json soak.json] [-- extra wsbench load args]
 * It exits 0 when both sides are flat and the load's verdict is valid, 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, usageError } from './lib/args.js';
import { killAllChildren, startServe, stopProcess, track } from './lib/children.js';
import { sleep } from './lib/sleep.js';
import { fmt, table } from './lib/stats.js';
import { processTree, readProcessLinks, sampleProcessTree } from '../src/metrics/process-sampler.js';

const SCRIPT = 'soak';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Growth below both of these per hour is noise, not a leak (see the header). */
const FLAT_MB_PER_HOUR = 1;
const FLAT_SHARE_PER_HOUR = 0.02;

const settings = { clients: 10_000, rate: 1, minutes: 30, sample: 10, settle: 3 };
let jsonOut: string | undefined;
let extra: string[] = [];
const argv = process.argv.slice(2);
parseFlags(argv, {
  script: SCRIPT,
  names: { '--clients': 'clients', '--rate': 'rate', '--minutes': 'minutes', '--sample': 'sample', '--settle': 'settle' },
  unknownHint: ' (flags: --clients --rate --minutes --sample --settle --json FILE, then -- extra load args)',
  before: (a, i) => {
    if (a === '--') {
      extra = argv.slice(i + 1);
      return 'stop';
    }
    if (a === '--json') {
      jsonOut = argv[i + 1];
      if (!jsonOut) usageError(SCRIPT, '--json needs a file name');
      argv.splice(i + 1, 1);
      return 'next';
    }
    return undefined;
  },
  check: (key, v) => {
    if (!Number.isFinite(v) || v <= 0) return 'needs a positive number';
    if (key === 'clients' && !Number.isInteger(v)) return 'needs a whole number';
    return undefined;
  },
  set: (key, v) => (settings[key] = v),
});
if (settings.settle >= settings.minutes) usageError(SCRIPT, '--settle must be shorter than --minutes');

interface Side {
  rssMb: number;
  fds: number;
  sockets: number;
  threads: number;
}
interface Sample {
  atS: number;
  client: Side | null;
  server: (Side & { handles: number; connections: number }) | null;
}

/** Descriptors, sockets and threads of a process tree; fds of a process that just ended count 0. */
function sideOf(rootPid: number): Side | null {
  const links = readProcessLinks();
  const tree = sampleProcessTree(rootPid, undefined, links, false);
  if (!tree) return null;
  let fds = 0;
  let sockets = 0;
  let threads = 0;
  for (const pid of processTree(rootPid, links)) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        fds++;
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
        } catch {
          // closed between the listing and the read
        }
      }
      threads += readdirSync(`/proc/${pid}/task`).length;
    } catch {
      // the process ended between the scan and the read
    }
  }
  return { rssMb: tree.rssKb / 1024, fds, sockets, threads };
}

/** One value of a Prometheus text exposition (the first series of that name), NaN when absent. */
function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/**
 * The server's /metrics over a fresh connection each time (no keep-alive: a pooled socket that the
 * server closed between two samples would fail the next one). NaN, and the reason once, on failure.
 */
function serverMetrics(port: number): Promise<{ handles: number; connections: number }> {
  return new Promise((resolve) => {
    const failed = (why: string) => {
      if (!metricsFailure) process.stderr.write(`${SCRIPT}: the server's /metrics did not answer (${why}); its handles show as n/a\n`);
      metricsFailure = why;
      resolve({ handles: NaN, connections: NaN });
    };
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 15_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ handles: metric(text, 'nodejs_active_handles_total'), connections: metric(text, 'wsbench_connections_current') }));
      res.on('error', (e) => failed(e.message));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 15 s')));
    req.on('error', (e) => failed(e.message));
  });
}
let metricsFailure: string | undefined;

/** Least-squares slope of y over x, per unit of x; NaN with fewer than 3 points. */
function slope(points: { x: number; y: number }[]): number {
  if (points.length < 3) return NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
  const my = points.reduce((a, p) => a + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

function trend(samples: Sample[], pick: (s: Sample) => number | undefined): { perHourMb: number; meanMb: number; verdict: string } {
  const points = samples
    .filter((s) => s.atS >= settings.settle * 60)
    .map((s) => ({ x: s.atS / 3600, y: pick(s) ?? NaN }))
    .filter((p) => Number.isFinite(p.y));
  const perHourMb = slope(points);
  const meanMb = points.reduce((a, p) => a + p.y, 0) / Math.max(1, points.length);
  const growing = perHourMb > FLAT_MB_PER_HOUR && perHourMb > FLAT_SHARE_PER_HOUR * meanMb;
  return { perHourMb, meanMb, verdict: Number.isFinite(perHourMb) ? (growing ? 'growing' : 'flat') : 'too short' };
}

const cell = (x: number | undefined, digits = 0) => (x === undefined ? 'gone' : fmt(x, digits));

async function main(): Promise<number> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'wsbench-soak-'));
  const server = await startServe(['--host', '127.0.0.1', '--port', '0', '--log-level', 'warn'], { cwd: ROOT, label: 'serve' });
  const url = `ws://127.0.0.1:${server.port}/`;
  // The load ends by itself after its window; the soak watches it and stops when it has gone.
  const loadArgs = ['bin/wsbench.js', 'load', url, '-c', String(settings.clients), '-r', String(settings.rate), '-d', `${settings.minutes}m`];
  loadArgs.push('--warmup', '10s', '--server-pid', String(server.pid), '--out', out, '--name', 'soak', '--log-level', 'warn', ...extra);
  process.stdout.write(
    `soak: ${settings.clients} clients × ${settings.rate} msg/s against ${url} for ${settings.minutes} min (sampling every ${settings.sample} s)\n`,
  );
  const load = spawn(process.execPath, loadArgs, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let loadStderr = '';
  load.stderr.setEncoding('utf8').on('data', (d: string) => (loadStderr += d));
  const loadExited = track(load);
  // Set from the exit callback, so read through an object: a `let` would stay narrowed to null.
  const ended: { code: number | null } = { code: null };
  void loadExited.then(() => (ended.code = load.exitCode ?? 1));

  const t0 = Date.now();
  const samples: Sample[] = [];
  const rows: string[][] = [];
  let nextPrintS = 60;
  while (ended.code === null) {
    await Promise.race([sleep(settings.sample * 1000), loadExited]);
    if (ended.code !== null) break;
    const atS = (Date.now() - t0) / 1000;
    const client = sideOf(load.pid!);
    const srv = sideOf(server.pid);
    const m = await serverMetrics(server.port);
    const s: Sample = { atS, client, server: srv ? { ...srv, ...m } : null };
    samples.push(s);
    if (atS >= nextPrintS) {
      nextPrintS += 60;
      const row = [
        `${Math.round(atS / 60)}`,
        cell(client?.rssMb),
        cell(client?.fds),
        cell(client?.sockets),
        cell(client?.threads),
        cell(s.server?.rssMb),
        cell(s.server?.fds),
        cell(s.server?.handles),
        cell(s.server?.connections),
      ];
      rows.push(row);
      process.stdout.write(
        `min ${row[0]}: client RSS ${row[1]} MB, fds ${row[2]} (sockets ${row[3]}), threads ${row[4]} | server RSS ${row[5]} MB, fds ${row[6]}, handles ${row[7]}, connections ${row[8]}\n`,
      );
    }
  }
  await stopProcess(server, 'serve');

  const resultFile = readdirSync(out).find((f) => f.endsWith('.json'));
  const result = resultFile ? (JSON.parse(readFileSync(path.join(out, resultFile), 'utf8')) as { summary: Record<string, unknown> }) : undefined;
  rmSync(out, { recursive: true, force: true });
  const clientTrend = trend(samples, (s) => s.client?.rssMb);
  const serverTrend = trend(samples, (s) => s.server?.rssMb);

  process.stdout.write(
    '\n' + table(['min', 'client RSS MB', 'client fds', 'sockets', 'threads', 'server RSS MB', 'server fds', 'handles', 'connections'], rows) + '\n\n',
  );
  process.stdout.write(
    table(
      ['side', `RSS slope MB/h (after ${settings.settle} min)`, 'mean RSS MB', 'verdict'],
      [
        ['client', fmt(clientTrend.perHourMb, 2), fmt(clientTrend.meanMb, 1), clientTrend.verdict],
        ['server', fmt(serverTrend.perHourMb, 2), fmt(serverTrend.meanMb, 1), serverTrend.verdict],
      ],
    ) + '\n',
  );
  const summary = result?.summary as { verdict?: string; messages?: Record<string, number>; errors?: Record<string, number> } | undefined;
  if (summary) {
    process.stdout.write(`load: exit ${ended.code}, verdict ${summary.verdict}, messages ${JSON.stringify(summary.messages)}\n`);
  } else {
    process.stdout.write(`load: exit ${ended.code}, no result written; its last words:\n${loadStderr.split('\n').slice(-10).join('\n')}\n`);
  }
  if (jsonOut) {
    writeFileSync(
      jsonOut,
      JSON.stringify({ settings, samples, client: clientTrend, server: serverTrend, load: { exit: ended.code, summary } }, null, 2) + '\n',
    );
  }
  const ok = clientTrend.verdict === 'flat' && serverTrend.verdict === 'flat' && summary?.verdict === 'valid';
  return ok ? 0 : 1;
}

process.on('SIGINT', () => {
  killAllChildren();
  process.exit(130);
});
main().then(
  (code) => process.exit(code),
  (err: Error) => {
    killAllChildren();
    process.stderr.write(`${SCRIPT}: ${err.message}\n`);
    process.exit(1);
  },
);
