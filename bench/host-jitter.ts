/**
 * host-jitter: the floor under any send lag on this host. No sockets, no wsbench: one thread that
 * only waits, and one that only runs.
 *
 * What it isolates:
 *   - sleep: a thread sleeping 1 ms at a time on a futex (Atomics.wait) and measuring how late each
 *     wake-up is. An open-model sender must wake at given instants; however it sleeps (timer,
 *     timerfd, clock thread), it cannot wake earlier than this host lets an idle thread wake. Its
 *     p99 is the floor under `sendLagUs` p99, and so under corrected − raw at p99.
 *   - spin: a thread that never sleeps, reading the clock in a loop and counting the gaps between
 *     two reads longer than 100 µs. A running thread still loses its CPU to the hypervisor (steal)
 *     or to interrupts; gaps here are time no user-space code on this vCPU could use.
 * Each mode runs in its own process, alternating, and the table shows the MEDIAN over runs.
 * Run it on an idle machine: its figures are the host's, not wsbench's. It always exits 0.
 *
 * Run:  npm run build && node dist/bench/host-jitter.js [--runs 3] [--duration 10]
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseFlags } from './lib/args.js';
import { fmt, table } from './lib/stats.js';
import { median } from '../src/stats/median.js';
import { rotateChildModes } from './lib/rotate.js';

const MODES = ['sleep', 'spin'] as const;
type Mode = (typeof MODES)[number];

interface Figures {
  /** sleep: wake-up lateness; spin: gaps longer than 100 µs (µs). */
  p50Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  /** Events (late wake-ups / gaps) above 1 ms, per second. */
  over1msPerS: number;
  samples: number;
}

const SPIN_GAP_US = 100;

function summarize(values: number[], seconds: number): Figures {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);
  return {
    p50Us: at(0.5),
    p99Us: at(0.99),
    p999Us: at(0.999),
    maxUs: sorted.length ? sorted[sorted.length - 1] : 0,
    over1msPerS: values.filter((v) => v > 1000).length / seconds,
    samples: values.length,
  };
}

function runMode(mode: Mode, seconds: number): Figures {
  const values: number[] = [];
  const endMs = performance.now() + seconds * 1000;
  if (mode === 'sleep') {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    while (performance.now() < endMs) {
      const t0 = performance.now();
      Atomics.wait(cell, 0, 0, 1);
      values.push((performance.now() - t0 - 1) * 1000);
    }
  } else {
    let last = performance.now();
    while (last < endMs) {
      const now = performance.now();
      const gapUs = (now - last) * 1000;
      if (gapUs > SPIN_GAP_US) values.push(gapUs);
      last = now;
    }
  }
  return summarize(values, seconds);
}

function main(): void {
  const s = { runs: 3, durationS: 10 };
  parseFlags(process.argv.slice(2), {
    script: 'host-jitter',
    names: { '--runs': 'runs', '--duration': 'durationS' },
    check: (_k, v) => (Number.isFinite(v) && v > 0 ? undefined : 'needs a positive number'),
    set: (k, v) => (s[k] = v),
  });
  const self = fileURLToPath(import.meta.url);
  const results = rotateChildModes<Mode, Figures>(self, MODES, s.runs, [String(s.durationS)]);
  const cpus = os.cpus();
  process.stdout.write(
    `host-jitter: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, Node ${process.version}, kernel ${os.release()}; ${s.durationS} s per run, medians of ${s.runs} runs (µs)\n` +
      `sleep: lateness of 1 ms futex sleeps; spin: gaps > ${SPIN_GAP_US} µs between two clock reads of a running thread\n\n`,
  );
  const rows = MODES.map((m) => {
    const list = results.get(m)!;
    const med = (k: keyof Figures) => median(list.map((f) => f[k]));
    return [m, fmt(med('samples'), 0), fmt(med('p50Us'), 0), fmt(med('p99Us'), 0), fmt(med('p999Us'), 0), fmt(med('maxUs'), 0), fmt(med('over1msPerS'), 1)];
  });
  process.stdout.write(table(['mode', 'samples', 'p50', 'p99', 'p99.9', 'max', '> 1 ms per s'], rows) + '\n');
}

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(runMode(process.argv[3] as Mode, Number(process.argv[4]))) + '\n');
} else main();
