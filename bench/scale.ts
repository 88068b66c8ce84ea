/**
 * scale: what the issue "100 000 clients from one host" asks to be shown, on this machine.
 *
 *   hold      `wsbench serve --workers 6` + `wsbench load --clients 100000 --rate 0.1 --duration 60s`:
 *             established / failed, sent = received, server and client RSS per connection,
 *             client total RSS (all load processes), and how long the connect ramp took.
 *   overload  the same at --rate 1 (30 s): a 2-core host cannot keep up; the run must say so with
 *             its verdict, finish, and write its result.
 *   step-up   1 msg/s at growing client counts until the verdict is no longer `valid`: the largest
 *             count this host sustains, with its p50/p99.
 *
 * Each wsbench run is its own set of processes (server and load), so nothing is shared between
 * runs. Which statistic to trust: counts and verdicts are exact; RSS per connection is a difference
 * of two samples divided by N (good at large N); latency figures on a shared 2-core host vary run
 * to run, so step-up prints every step and the summary repeats the step's own p50/p99.
 *
 * Run: npm run build && node dist/bench/scale.js hold|overload|step-up [--client lean|ws] [--workers 6]
 *      [--serve-args '<wsbench serve args>'] [-- extra wsbench load args]
 *      step-up: [--from 5000] [--step 5000] [--to 40000] [--duration 20]
 *      hold: [--variant '<wsbench load args>'] holds the probe path first, then the same load with
 *      the variant's args, and prints the client's memory of the two side by side. Issue 30's
 *      templated run with a login: --serve-args '--mode echo' --variant '--message
 *      {"id":{id},"op":"ping"} --reply-id $.id --on-open {"op":"login","user":{conn}} --await "op":"login"'
 */
import os from 'node:os';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { spawnServe, WSBENCH_BIN } from '../src/targets/spawn-server.js';
import type { ResultDocument } from '../src/contract/result.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : process.argv[i + 1];
}

const mode = process.argv[2] ?? 'hold';
const client = arg('client', 'lean');
const workers = arg('workers', '6');
const serveArgs = arg('serve-args', '').split(/\s+/).filter(Boolean);
const variant = process.argv.includes('--variant') ? arg('variant', '').split(/\s+/).filter(Boolean) : null;
const dashDash = process.argv.indexOf('--');
const extraLoadArgs = dashDash === -1 ? [] : process.argv.slice(dashDash + 1);

/** Runs one `wsbench load` against a fresh `wsbench serve --workers N`; returns its result document. */
async function run(loadArgs: string[]): Promise<{ doc: ResultDocument; exitCode: number | null; wallS: number }> {
  const server = await spawnServe(['--workers', workers, ...serveArgs]);
  const out = mkdtempSync(path.join(tmpdir(), 'wsb-scale-'));
  const started = Date.now();
  try {
    const child = spawn(
      process.execPath,
      [
        WSBENCH_BIN,
        'load',
        server.url,
        '--server-pid',
        String(server.pid),
        '--client',
        client,
        '--out',
        out,
        '--log-level',
        'warn',
        ...extraLoadArgs,
        ...loadArgs,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const exitCode = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    const file = readdirSync(out).find((f) => f.endsWith('.json'));
    if (!file) throw new Error(`no result written (exit ${exitCode})`);
    return { doc: JSON.parse(readFileSync(path.join(out, file), 'utf8')) as ResultDocument, exitCode, wallS: (Date.now() - started) / 1000 };
  } finally {
    await server.stop(30_000);
  }
}

const ms = (us: number) => (us / 1000).toFixed(2);
const mb = (kb: number) => (kb / 1024).toFixed(1);

function rampSeconds(doc: ResultDocument): number {
  const ramp = doc.series.filter((e) => e.phase === 'ramp');
  return ramp.length ? ramp[ramp.length - 1].tS : 0;
}

function describe(doc: ResultDocument, exitCode: number | null): string {
  const s = doc.summary;
  return [
    `  clients ${doc.config.clients} x ${doc.config.ratePerClient} msg/s over ${doc.config.processes} load process(es) x ${doc.config.threads} thread(s), ${doc.config.sourceAddresses.length} source address(es), ${doc.config.client} client`,
    `  connections: ${s.connections.established} established, ${s.connections.failed} failed ${JSON.stringify(s.connections.failuresByCause)}; connect ramp ~${rampSeconds(doc)} s (p50 ${ms(s.connectUs.p50)} ms, p99 ${ms(s.connectUs.p99)} ms)`,
    `  messages (window): ${s.messages.sent} sent, ${s.messages.received} received, ${s.messages.lost} lost, ${s.messages.skipped} skipped`,
    `  rtt p50 ${ms(s.rttUs.p50)} ms, p99 ${ms(s.rttUs.p99)} ms, max ${ms(s.rttUs.max)} ms; send lag p99 ${ms(s.sendLagUs.p99)} ms; client loop delay p99 ${ms(s.client.eventLoopDelayP99Us)} ms`,
    `  server: RSS peak ${s.server ? mb(s.server.rssPeakKb) : '-'} MB, ${s.server?.rssPerConnectionKb ?? '-'} KB/conn, CPU ${s.server?.cpuPercentMean ?? '-'} %`,
    `  client: RSS peak ${mb(s.client.rssPeakKb)} MB, PSS peak ${mb(s.client.pssPeakKb)} MB (summed over all load processes), ${s.client.rssPerConnectionKb ?? '-'} KB/conn, CPU ${s.client.cpuPercentMean} %, ${s.client.cpuUsPerMessage ?? '-'} us CPU per round trip`,
    `  verdict: ${s.verdict}${s.verdictReasons.length ? ` (${s.verdictReasons.join('; ')})` : ''}; exit code ${exitCode}`,
  ].join('\n');
}

async function main(): Promise<void> {
  console.log(`# ${os.cpus()[0]?.model} x ${os.availableParallelism()} cores, ${mb(os.totalmem() / 1024)} MB RAM, node ${process.version}`);
  if (mode === 'hold') {
    console.log(`## hold: 100 000 clients at 0.1 msg/s for 60 s, serve --workers ${workers}`);
    const holdArgs = ['--clients', '100000', '--rate', '0.1', '--duration', '60s', '--warmup', '10s', '--grace', '5s'];
    if (serveArgs.length) console.log(`  serve args: ${serveArgs.join(' ')}`);
    if (extraLoadArgs.length) console.log(`  load args: ${extraLoadArgs.join(' ')}`);
    const r = await run(holdArgs);
    console.log(describe(r.doc, r.exitCode));
    console.log(`  wall time ${r.wallS.toFixed(0)} s`);
    if (variant) {
      console.log(`## hold, variant: ${variant.join(' ')}`);
      const v = await run([...variant, ...holdArgs]);
      console.log(describe(v.doc, v.exitCode));
      console.log(`  wall time ${v.wallS.toFixed(0)} s`);
      const a = r.doc.summary.client;
      const b = v.doc.summary.client;
      const ratio = (x: number | null | undefined, y: number | null | undefined) => (x && y ? `${(y / x).toFixed(2)}x` : '-');
      console.log(
        `## client memory, variant vs probe path: RSS peak ${mb(b.rssPeakKb)} vs ${mb(a.rssPeakKb)} MB (${ratio(a.rssPeakKb, b.rssPeakKb)}), ` +
          `PSS peak ${mb(b.pssPeakKb)} vs ${mb(a.pssPeakKb)} MB (${ratio(a.pssPeakKb, b.pssPeakKb)}), ` +
          `${b.rssPerConnectionKb ?? '-'} vs ${a.rssPerConnectionKb ?? '-'} KB/conn (${ratio(a.rssPerConnectionKb, b.rssPerConnectionKb)})`,
      );
    }
  } else if (mode === 'overload') {
    console.log(`## overload: 100 000 clients at 1 msg/s for 30 s, serve --workers ${workers}`);
    const r = await run(['--clients', '100000', '--rate', '1', '--duration', '30s', '--warmup', '5s', '--grace', '5s']);
    console.log(describe(r.doc, r.exitCode));
    console.log(`  wall time ${r.wallS.toFixed(0)} s`);
  } else if (mode === 'step-up') {
    const from = Number(arg('from', '5000'));
    const step = Number(arg('step', '5000'));
    const to = Number(arg('to', '40000'));
    const duration = arg('duration', '20');
    let best: ResultDocument | undefined;
    for (let clients = from; clients <= to; clients += step) {
      console.log(`## step: ${clients} clients at 1 msg/s`);
      const args = ['--clients', String(clients), '--rate', '1', '--duration', `${duration}s`, '--warmup', '5s', '--grace', '3s'];
      let r = await run(args);
      console.log(describe(r.doc, r.exitCode));
      if (r.doc.summary.verdict !== 'valid') {
        // A shared host has noisy moments: a step counts as failed only when it fails twice.
        console.log('  (not valid: repeating the step once)');
        r = await run(args);
        console.log(describe(r.doc, r.exitCode));
      }
      if (r.doc.summary.verdict !== 'valid') break;
      best = r.doc;
    }
    if (best) {
      const s = best.summary;
      console.log(`## largest valid: ${best.config.clients} clients at 1 msg/s: rtt p50 ${ms(s.rttUs.p50)} ms, p99 ${ms(s.rttUs.p99)} ms`);
    } else {
      console.log('## no step was valid');
    }
  } else {
    console.error('usage: node dist/bench/scale.js hold|overload|step-up');
    process.exitCode = 2;
  }
}

await main();
