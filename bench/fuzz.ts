/**
 * fuzz: long campaigns over the fuzz targets of test/fuzz (the same ones npm test runs for a few
 * seconds), with random seeds, a memory limit, coverage and findings written back to the corpus.
 *
 * Each target runs in its own child process (`node --max-old-space-size`), watched for RSS: a target
 * that crashes, hangs past its time or outgrows the limit is a finding too, and the campaign goes on
 * with the next one. Inside the child, inputs come from fast-check (a fresh seed per batch) and from
 * mutating the inputs that reached new code: V8's block coverage of the target's own source files
 * (node:inspector, Profiler.takePreciseCoverage) is taken after every batch, and when a batch reached
 * new blocks its inputs are replayed one by one to find which, so they join the mutation queue.
 * A failing input is shrunk by fast-check where it came from fast-check, and written to
 * test/fuzz/corpus/<target>/ with the error as its note (npm test replays it from then on).
 *
 * The server targets (`server-node`, `server-bun`, `server-deno`, `server-uws`) start that runtime's
 * `wsbench serve` on loopback and send one mutated connection per input while a well-behaved client
 * stays connected; their coverage is the server's, not measured here (executions and RSS are).
 *
 * Figures per target: executions and executions/s, the corpus before and after, blocks covered
 * (distinct V8 block ranges executed in the target's files, of those V8 reported) and functions
 * reached, the mutation queue, findings, and the child's peak RSS.
 *
 * Run:  npm run build && node dist/bench/fuzz.js [--targets all|frames-vs-ws,handshake,…]
 *       [--minutes 30] [--seed <n>] [--max-rss-mb 1024] [--json summary.json]
 * It exits 0 when no target found anything, 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { usageError } from './lib/args.js';
import { table } from './lib/stats.js';
import { addToCorpus, readCorpus } from '../test/fuzz/runner.js';
import type { FuzzTarget } from '../test/fuzz/target.js';

const SCRIPT = 'fuzz';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PARSER_TARGETS = ['frames-vs-ws', 'handshake', 'probe-reply', 'units', 'profile', 'result-file', 'reply-id-json', 'reply-regex', 'template'];
const SERVER_TARGETS = ['server-node', 'server-bun', 'server-deno', 'server-uws'];
const ALL = [...PARSER_TARGETS, ...SERVER_TARGETS];

/** What a child reports on its last stdout line. */
interface TargetReport {
  target: string;
  seed: number;
  seconds: number;
  executions: number;
  corpusBefore: number;
  corpusAfter: number;
  blocksCovered: number | null;
  blocksSeen: number | null;
  functionsReached: number | null;
  queue: number;
  findings: { signature: string; message: string; file: string }[];
  /** Server targets: the server's RSS before and the peak seen (kB). */
  serverRssKb?: { before: number; peak: number };
  peakRssKb?: number;
  ended?: string;
}

// --- the child: one target ------------------------------------------------------------------

async function loadTarget(name: string): Promise<{ target: FuzzTarget<unknown>; stop?: () => Promise<void>; server?: () => { before: number; peak: number } }> {
  const pick = <T>(t: FuzzTarget<T>) => ({ target: t as FuzzTarget<unknown> });
  if (name === 'frames-vs-ws') return pick((await import('../test/fuzz/targets/frames.js')).framesTarget);
  if (name === 'handshake') return pick((await import('../test/fuzz/targets/handshake.js')).handshakeTarget);
  const readers = await import('../test/fuzz/targets/readers.js');
  const messaging = await import('../test/fuzz/targets/messaging.js');
  const byName: Record<string, FuzzTarget<unknown>> = {
    'reply-id-json': messaging.replyIdJsonTarget,
    'reply-regex': messaging.replyRegexTarget,
    template: messaging.templateTarget,
    'probe-reply': readers.probeTarget,
    units: readers.unitsTarget,
    profile: readers.profileTarget,
    'result-file': readers.resultFileTarget,
  };
  if (byName[name]) return { target: byName[name] };
  const runtime = name.replace(/^server-/, '');
  // spawnServe, not bench/lib's startServe: Bun's, Deno's and uws's servers are the CLI's children,
  // and it is their pid (the announced one) whose RSS counts.
  const { spawnServe } = await import('../src/targets/spawn-server.js');
  const server = await spawnServe(['--runtime', runtime, '--log-level', 'warn'], { cwd: ROOT, stderr: 'inherit' });
  const { openContext, closeContext, serverTarget } = await import('../test/fuzz/targets/server.js');
  const ctx = await openContext(server.port, server.pid);
  // One corpus for every runtime: a stream that troubled one server is worth sending to all.
  const target = serverTarget('server', ctx) as FuzzTarget<unknown>;
  return {
    target,
    server: () => ({ before: ctx.rssBeforeKb, peak: ctx.rssPeakKb }),
    stop: async () => {
      await closeContext(ctx);
      await server.stop();
    },
  };
}

/** Random edits of a JSON input: a hex string gets bytes flipped, inserted or cut; text gets characters; numbers move. */
function mutate(value: unknown, rnd: () => number): unknown {
  const leaves: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown, parent: Record<string, unknown> | unknown[] | undefined, key: string | number) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, v, i));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, v as Record<string, unknown>, k);
    else if (parent) leaves.push({ parent, key });
  };
  const copy = structuredClone(value);
  walk(copy, undefined, '');
  if (!leaves.length) return copy;
  const { parent, key } = leaves[Math.floor(rnd() * leaves.length)];
  const slot = parent as Record<string | number, unknown>;
  const v = slot[key];
  const at = (n: number) => Math.floor(rnd() * (n + 1));
  if (typeof v === 'string' && /^(?:[0-9a-f]{2})*$/.test(v) && v.length > 0) {
    const b = Buffer.from(v, 'hex');
    const i = at(b.length - 1);
    const op = rnd();
    let out: Buffer;
    if (op < 0.5) {
      out = Buffer.from(b);
      out[i] ^= 1 << Math.floor(rnd() * 8);
    } else if (op < 0.7) out = Buffer.concat([b.subarray(0, i), Buffer.from([Math.floor(rnd() * 256)]), b.subarray(i)]);
    else if (op < 0.85) out = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    else out = Buffer.concat([b, b.subarray(i)]);
    slot[key] = out.toString('hex');
  } else if (typeof v === 'string') {
    const i = at(v.length);
    const op = rnd();
    const ch = String.fromCharCode(Math.floor(rnd() * 128));
    slot[key] = op < 0.4 ? v.slice(0, i) + ch + v.slice(i) : op < 0.7 ? v.slice(0, i) + v.slice(i + 1) : op < 0.9 ? v.slice(0, i) + ch + v.slice(i + 1) : v + v;
  } else if (typeof v === 'number') {
    const op = rnd();
    slot[key] = op < 0.3 ? v + 1 : op < 0.6 ? v - 1 : op < 0.8 ? v * 2 : op < 0.9 ? 0 : -v;
  } else if (typeof v === 'boolean') slot[key] = !v;
  return copy;
}

/** Mulberry32: a seeded random source for the mutations (fast-check seeds the generation). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Coverage {
  private session = new Session();
  readonly covered = new Set<string>();
  readonly seen = new Set<string>();
  readonly functions = new Set<string>();
  private readonly files: string[];

  constructor(covers: string[]) {
    // The compiled files under dist/ that V8 runs for the target's sources.
    this.files = covers.map((f) => path.join(ROOT, 'dist', f.replace(/\.ts$/, '.js')));
  }

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  /** Blocks executed since the last take (counters reset each take), and which of them are new. */
  async take(): Promise<string[]> {
    const { result } = await this.session.post('Profiler.takePreciseCoverage');
    const fresh: string[] = [];
    for (const script of result) {
      const file = script.url.startsWith('file://') ? fileURLToPath(script.url) : script.url;
      if (!this.files.includes(file)) continue;
      for (const fn of script.functions) {
        for (const [i, r] of fn.ranges.entries()) {
          const id = `${path.basename(file)}:${r.startOffset}-${r.endOffset}`;
          this.seen.add(id);
          if (r.count === 0) continue;
          if (i === 0) this.functions.add(`${path.basename(file)}:${fn.functionName}:${r.startOffset}`);
          if (!this.covered.has(id)) {
            this.covered.add(id);
            fresh.push(id);
          }
        }
      }
    }
    return fresh;
  }
}

function signatureOf(err: unknown): string {
  const first = ((err as Error)?.message ?? String(err)).split('\n')[0];
  return first
    .replace(/\d+/g, 'N')
    .replace(/"[^"]*"/g, '"…"')
    .slice(0, 120);
}

async function runChild(name: string, seed: number, seconds: number): Promise<void> {
  const { target, stop, server } = await loadTarget(name);
  const corpus = readCorpus(target);
  const coverage = target.covers.length ? new Coverage(target.covers) : undefined;
  await coverage?.start();
  const report: TargetReport = {
    target: name,
    seed,
    seconds,
    executions: 0,
    corpusBefore: corpus.length,
    corpusAfter: corpus.length,
    blocksCovered: null,
    blocksSeen: null,
    functionsReached: null,
    queue: 0,
    findings: [],
  };
  const signatures = new Set<string>();
  const queue: unknown[] = corpus.map((e) => target.toJson(e.input));
  const rnd = rng(seed);
  const finding = (err: unknown, input: unknown, how: string) => {
    const signature = signatureOf(err);
    if (signatures.has(signature)) return;
    signatures.add(signature);
    const message = ((err as Error)?.message ?? String(err)).slice(0, 2000);
    const file = addToCorpus(target, target.fromJson(input), `finding (bench/fuzz.ts, seed ${seed}, ${how}): ${message}`);
    report.findings.push({ signature, message, file: path.relative(ROOT, file) });
  };
  const exec = async (json: unknown): Promise<unknown> => {
    report.executions++;
    try {
      await target.check(target.fromJson(json));
      return undefined;
    } catch (err) {
      return err ?? new Error('undefined thrown');
    }
  };
  // Corpus first: coverage starts from what is already known.
  for (const json of queue) await exec(json);
  await coverage?.take();
  const deadline = Date.now() + seconds * 1000;
  const BATCH = name.startsWith('server-') ? 20 : 64;
  let batchNo = 0;
  while (Date.now() < deadline) {
    batchNo++;
    const batchSeed = (seed + batchNo * 7919) | 0;
    const fromQueue = queue.length > 0 && rnd() < 0.4;
    const batch: unknown[] = fromQueue
      ? Array.from({ length: BATCH }, () => mutate(queue[Math.floor(rnd() * queue.length)], rnd))
      : fc.sample(target.arbitrary, { seed: batchSeed, numRuns: BATCH }).map((x) => target.toJson(x));
    const failed: { json: unknown; err: unknown }[] = [];
    for (const json of batch) {
      const err = await exec(json);
      if (err !== undefined) failed.push({ json, err });
    }
    for (const { json, err } of failed) {
      if (fromQueue) finding(err, json, 'mutation');
      else {
        // fast-check replays the batch's seed and shrinks the first failure to a small counterexample.
        const details = await fc.check(
          fc.asyncProperty(target.arbitrary, async (x) => {
            await target.check(x);
          }),
          { seed: batchSeed, numRuns: BATCH },
        );
        report.executions += details.numRuns + details.numShrinks;
        const shrunk = details.counterexample ? target.toJson(details.counterexample[0]) : json;
        finding(err, shrunk, `fast-check batch seed ${batchSeed}, shrunk ${details.numShrinks} times`);
        break;
      }
    }
    if (coverage && (await coverage.take()).length > 0) {
      // New blocks in this batch: find the inputs that reached them, to mutate them further.
      for (const json of batch) {
        await exec(json);
        if ((await coverage.take()).length > 0) queue.push(json);
      }
    }
    // Back to the event loop once a batch: the awaits above chain microtasks only, so without this
    // the child never leaves them, and what the targets defer (ws's nextTicks, the lean client's
    // timers) piles up for the whole campaign, ~2 KB an execution.
    await new Promise((resolve) => setImmediate(resolve));
    if (batchNo % 50 === 0)
      process.stderr.write(`[${name}] ${report.executions} executions, ${coverage?.covered.size ?? '-'} blocks, ${report.findings.length} findings\n`);
  }
  if (coverage) {
    report.blocksCovered = coverage.covered.size;
    report.blocksSeen = coverage.seen.size;
    report.functionsReached = coverage.functions.size;
  }
  report.queue = queue.length;
  report.corpusAfter = readCorpus(target).length;
  report.serverRssKb = server?.();
  await stop?.();
  process.stdout.write(JSON.stringify(report) + '\n');
}

// --- the parent: one child per target, RSS watched -------------------------------------------

function childRssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function runTarget(name: string, seed: number, seconds: number, maxRssMb: number): Promise<TargetReport> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${maxRssMb}`, fileURLToPath(import.meta.url), '--child', name, String(seed), String(seconds)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let peak = 0;
    let ended: string | undefined;
    const startedMs = Date.now();
    // The child's progress lines, passed on; the last one's figures stand in for a report the
    // child could not write (the watchdog killed it).
    let progress: { executions: number; blocks: number | null } = { executions: 0, blocks: null };
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      process.stderr.write(d);
      for (const m of d.matchAll(/^\[[^\]]+\] (\d+) executions, (\S+) blocks/gm)) {
        progress = { executions: Number(m[1]), blocks: m[2] === '-' ? null : Number(m[2]) };
      }
    });
    const watch = setInterval(() => {
      const rss = childRssKb(child.pid!);
      if (rss === undefined) return;
      peak = Math.max(peak, rss);
      if (rss > maxRssMb * 1024 * 1.5) {
        ended = `killed: RSS ${rss} kB over the limit (${maxRssMb} MB heap, 1.5x for RSS)`;
        child.kill('SIGKILL');
      }
    }, 1000);
    // A target stuck in one input (a hang) is ended a minute past its time.
    const hang = setTimeout(
      () => {
        ended = `killed: still running ${seconds + 60} s after its start`;
        child.kill('SIGKILL');
      },
      (seconds + 60) * 1000,
    );
    child.on('close', (code, signal) => {
      clearInterval(watch);
      clearTimeout(hang);
      const last = out.trim().split('\n').pop() ?? '';
      let report: TargetReport;
      try {
        report = JSON.parse(last) as TargetReport;
      } catch {
        report = {
          target: name,
          seed,
          seconds: Math.round((Date.now() - startedMs) / 1000),
          executions: progress.executions,
          corpusBefore: 0,
          corpusAfter: 0,
          blocksCovered: progress.blocks,
          blocksSeen: null,
          functionsReached: null,
          queue: 0,
          findings: [],
        };
        const why = ended ?? `the target's process ended (code ${code}, signal ${signal}) without a report`;
        report.findings.push({ signature: why, message: why, file: '' });
      }
      report.peakRssKb = peak;
      report.ended = ended;
      resolve(report);
    });
  });
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') return runChild(argv[1], Number(argv[2]), Number(argv[3]));
  let targets = ALL;
  let minutes = 30;
  let seed = Math.floor(Math.random() * 2 ** 31);
  let maxRssMb = 1024;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--targets') targets = v === 'all' ? ALL : v.split(',');
    else if (a === '--minutes') minutes = Number(v);
    else if (a === '--seed') seed = Number(v);
    else if (a === '--max-rss-mb') maxRssMb = Number(v);
    else if (a === '--json') json = v;
    else usageError(SCRIPT, `unknown argument ${a} (--targets, --minutes, --seed, --max-rss-mb, --json)`);
    i++;
  }
  const unknown = targets.filter((t) => !ALL.includes(t));
  if (unknown.length) usageError(SCRIPT, `unknown target(s) ${unknown.join(', ')}; targets: ${ALL.join(', ')}`);
  if (!(minutes > 0)) usageError(SCRIPT, '--minutes needs a positive number');
  if (!Number.isInteger(seed)) usageError(SCRIPT, '--seed needs a whole number');
  process.stderr.write(`fuzz: seed ${seed}, ${minutes} min per target, ${targets.join(', ')}\n`);
  const reports: TargetReport[] = [];
  for (const t of targets) {
    if (t.startsWith('server-')) {
      const { runtimeMissing } = await import('../test/helpers/runtimes.js');
      const missing = runtimeMissing(t.replace(/^server-/, '') as 'node');
      if (missing) {
        process.stderr.write(`fuzz: ${t} skipped: ${missing}\n`);
        continue;
      }
    }
    reports.push(await runTarget(t, seed, Math.round(minutes * 60), maxRssMb));
  }
  const rows = reports.map((r) => [
    r.target,
    String(r.executions),
    (r.executions / r.seconds).toFixed(0),
    `${r.corpusBefore} -> ${r.corpusAfter}`,
    r.blocksCovered === null ? '-' : `${r.blocksCovered}/${r.blocksSeen}`,
    r.functionsReached === null ? '-' : String(r.functionsReached),
    String(r.queue),
    String(r.findings.length),
    r.peakRssKb ? (r.peakRssKb / 1024).toFixed(0) : '-',
    r.serverRssKb ? `${(r.serverRssKb.before / 1024).toFixed(0)} -> ${(r.serverRssKb.peak / 1024).toFixed(0)}` : '-',
  ]);
  process.stdout.write(
    `seed ${seed}, ${minutes} min per target\n` +
      table(['target', 'executions', 'exec/s', 'corpus', 'blocks covered/seen', 'functions', 'queue', 'findings', 'peak RSS MB', 'server RSS MB'], rows) +
      '\n',
  );
  for (const r of reports)
    for (const f of r.findings) process.stdout.write(`finding in ${r.target}: ${f.message.split('\n')[0]}${f.file ? ` (${f.file})` : ''}\n`);
  if (json) writeFileSync(json, JSON.stringify({ seed, minutes, reports }, null, 2) + '\n');
  process.exitCode = reports.some((r) => r.findings.length) ? 1 : 0;
}

await main(process.argv.slice(2));
