/**
 * serve-backpressure: `wsbench serve` against clients that send and never read their replies
 * (issue 13), with the server under `ulimit -v` so that unbounded buffering ends in a crash, not
 * in swap.
 *
 * What it isolates: the server's memory per non-reading client. N raw TCP clients upgrade, then
 * write 60 KB text frames as fast as their own socket takes them, never reading; one well-behaved
 * `ws` client sends a message every 200 ms and counts its Pong replies. Server RSS (VmRSS of the
 * server process, plus its workers through /metrics) is sampled every second.
 *
 * Which statistic to trust: peak RSS, and whether the server is alive at the end. The well-behaved
 * client's reply count says the server kept serving; its latency on a shared 2-core host says
 * little and is not printed. Without --max-send-buffer the server's RSS grew by hundreds of MB per
 * second here and the process died under `ulimit -v 3000000`.
 * It is a measurement, not a test: it exits 0 unless the script itself fails (1) or the
 * command line is wrong (2).
 *
 * Run:  npm run build && node dist/bench/serve-backpressure.js [--clients 50] [--seconds 30]
 *       [--message-bytes 60000] [--vmem-kb 3000000] [--workers 1]
 *       [--send-buffer-timeout-s 60]   (server flag; 0 = the server's default, 30 s)
 */
import { SERVE_READY_ARGS, WSBENCH_BIN, waitForReady } from '../src/targets/spawn-server.js';
import os from 'node:os';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { parseFlags } from './lib/args.js';
import { killAllChildren, killNow, track } from './lib/children.js';
import { readRss } from './lib/proc.js';
import { sleep } from './lib/sleep.js';
import { encodeClientFrame, OP } from '../src/client/frames.js';

const SCRIPT = 'serve-backpressure';
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const settings = { clients: 50, seconds: 30, messageBytes: 60_000, vmemKb: 3_000_000, workers: 1, sendBufferTimeoutS: 60 };
type Key = keyof typeof settings;
parseFlags<Key>(process.argv.slice(2), {
  script: SCRIPT,
  names: {
    '--clients': 'clients',
    '--seconds': 'seconds',
    '--message-bytes': 'messageBytes',
    '--vmem-kb': 'vmemKb',
    '--workers': 'workers',
    '--send-buffer-timeout-s': 'sendBufferTimeoutS',
  },
  check: (key, v) => {
    if (!Number.isInteger(v) || v < 0) return 'needs a whole number ≥ 0';
    if ((key === 'clients' || key === 'seconds' || key === 'messageBytes' || key === 'workers') && v < 1) return 'needs at least 1';
    if (key === 'messageBytes' && v > 65_000) return 'must stay under the server default --max-payload (64 KiB)';
    return undefined;
  },
  set: (key, v) => void (settings[key] = v),
});

const UPGRADE =
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** A client that upgrades, then writes `frame` whenever its socket takes more, and never reads. */
function nonReader(port: number, frame: Buffer, state: { stop: boolean }): Promise<{ sent: () => number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let closed = false;
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    s.once('close', () => {
      closed = true;
      reject(new Error('the server closed the connection during the upgrade'));
    });
    const pump = () => {
      while (!state.stop && !closed) {
        sent++;
        if (!s.write(frame)) return void s.once('drain', pump);
      }
      if (state.stop) s.destroy();
    };
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', onData);
      s.pause(); // from here on nothing is read
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      pump();
      resolve({ sent: () => sent });
    };
    s.on('data', onData);
    s.once('connect', () => s.write(UPGRADE));
  });
}

function metricsOf(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(wsbench_\S+|process_resident_memory_bytes)\s+(\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`# ${SCRIPT}: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} cores, Node ${process.version}`);
  console.log(
    `# ${settings.clients} non-reading clients × ${settings.messageBytes}-byte messages for ${settings.seconds} s, server under ulimit -v ${settings.vmemKb}, --workers ${settings.workers}`,
  );

  // Under `ulimit -v` through sh (exec keeps the pid), so it is spawned here; the ready line is read as the CLI reads it.
  const serveArgs = [...SERVE_READY_ARGS, '--workers', String(settings.workers)];
  if (settings.sendBufferTimeoutS > 0) serveArgs.push('--send-buffer-timeout', `${settings.sendBufferTimeoutS}s`);
  const quoted = [process.execPath, WSBENCH_BIN, ...serveArgs].map((a) => `'${a}'`).join(' ');
  const child = spawn('sh', ['-c', `ulimit -v ${settings.vmemKb} && exec ${quoted}`], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const { port } = await waitForReady(child, child.stdout).catch((err: Error) => {
    throw new Error(`server did not start (${err.message}): ${stderr}`);
  });
  const serverPid = child.pid!;
  let serverExit: string | undefined;
  void exited.then(() => (serverExit = `${child.signalCode ?? child.exitCode}`));

  const rssBefore = readRss(serverPid);
  const state = { stop: false };
  const frame = encodeClientFrame(OP.TEXT, Buffer.alloc(settings.messageBytes, 0x61));
  const clients = await Promise.all(Array.from({ length: settings.clients }, () => nonReader(port, frame, state)));

  const healthy = new WebSocket(`ws://127.0.0.1:${port}/`);
  let pongs = 0;
  let asked = 0;
  healthy.on('message', (d: Buffer) => void (d.toString().startsWith('Pong: ') && pongs++));
  healthy.on('error', () => {});
  // The server may already be dying (that is what this measures): do not wait for it forever.
  await Promise.race([new Promise((r) => healthy.once('open', r)), new Promise((r) => healthy.once('close', r)), sleep(10_000)]);
  const ask = setInterval(() => {
    if (healthy.readyState === WebSocket.OPEN) {
      asked++;
      healthy.send(`ping ${asked}`);
    }
  }, 200);

  let peakRss = rssBefore;
  let peakMetricsRss = 0;
  console.log('   t s | server RSS MB | paused | sent by non-readers MB');
  for (let t = 1; t <= settings.seconds && serverExit === undefined; t++) {
    await sleep(1000);
    let rss = NaN;
    try {
      rss = readRss(serverPid);
    } catch {
      break;
    }
    peakRss = Math.max(peakRss, rss);
    const m = await fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .then(metricsOf, () => new Map<string, number>());
    peakMetricsRss = Math.max(peakMetricsRss, m.get('process_resident_memory_bytes') ?? 0);
    const sentMb = (clients.reduce((a, c) => a + c.sent(), 0) * frame.length) / 2 ** 20;
    console.log(
      `${String(t).padStart(6)} | ${(rss / 2 ** 20).toFixed(0).padStart(13)} | ${String(m.get('wsbench_connections_paused') ?? '?').padStart(6)} | ${sentMb.toFixed(0)}`,
    );
  }
  clearInterval(ask);
  const final = await fetch(`http://127.0.0.1:${port}/metrics`)
    .then((r) => r.text())
    .then(metricsOf, () => new Map<string, number>());
  state.stop = true;
  healthy.terminate();

  console.log(
    `server RSS before clients: ${(rssBefore / 2 ** 20).toFixed(0)} MB; peak: ${(peakRss / 2 ** 20).toFixed(0)} MB (process), ${(peakMetricsRss / 2 ** 20).toFixed(0)} MB (/metrics, all workers)`,
  );
  console.log(`server alive at the end: ${serverExit === undefined ? 'yes' : `no (exit ${serverExit}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`}`);
  console.log(`well-behaved client: ${pongs} Pong replies to ${asked} messages`);
  // A paused client socket does not notice the server's reset, so the server's counters say who was closed.
  for (const k of [
    'wsbench_connections_paused',
    'wsbench_backpressure_pauses_total',
    'wsbench_connections_terminated_total{cause="send-buffer"}',
    'wsbench_closes_total{code="1008"}',
    'wsbench_max_send_buffer_bytes',
  ]) {
    console.log(`${k} ${final.get(k) ?? '(absent)'}`);
  }
  killNow(child);
  await exited;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}

main().catch((err: Error) => {
  process.stderr.write(`${SCRIPT}: ${err.message}\n`);
  killAllChildren();
  process.exitCode = 1;
});
