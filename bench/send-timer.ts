/**
 * send-timer: how late can a send schedule's wake-ups be, and what do they cost? No sockets: only
 * the wake-up mechanism the load worker's send loop can use, at the schedule the load uses.
 *
 * What it isolates: the lateness that the sender's own timer adds to every send (and so to the
 * corrected latency), per mechanism:
 *   - timeout:        one setTimeout re-armed to the next intended instant (wsbench before issue 12);
 *   - timeout-grid:   the same, with intended instants rounded up to whole milliseconds of the
 *                     schedule (instants a millisecond timer seems able to hit);
 *   - clock:          a clock thread sleeping on a futex (Atomics.wait) with a final spin, notifying
 *                     the sender through Atomics.waitAsync (src/load/worker/thread-clock.ts);
 *   - clock-nospin:   the same without the final spin (the kernel's timer slack stays in);
 *   - clock-grid, clock-grid-nospin: the clock thread with intended instants on a 1 ms grid of the
 *                     schedule (at most one wake-up per millisecond, however high the rate);
 *   - timerfd, timerfd-grid: the native timerfd on the sender's own loop (src/load/worker/
 *                     timerfd-clock.ts; Linux, when the addon is built: skipped otherwise).
 * Events are spread evenly at --rate events per second (exact, fractional instants, like the phases of
 * N clients at 1 msg/s); each wake-up handles every event that is due, as the send loop does.
 *
 * Figures per mechanism: lateness (now − intended) p50 / p99 in µs over every event, wake-ups per
 * second, and CPU % of the whole process (all threads, clock thread included). Each mechanism runs in
 * its own process, the order rotates between runs, and the table shows the MEDIAN over runs.
 * It is a measurement, not a test: it always exits 0.
 *
 * Run:  npm run build && node dist/bench/send-timer.js [--runs 3] [--rate 1000] [--duration 5]
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseFlags } from './lib/args.js';
import { fmt, table } from './lib/stats.js';
import { median } from '../src/stats/median.js';
import { rotateChildModes } from './lib/rotate.js';
import type { SendClock } from '../src/load/worker/send-clock.js';
import { ThreadClock } from '../src/load/worker/thread-clock.js';
import { TimerfdClock } from '../src/load/worker/timerfd-clock.js';
import { loadSendTimer } from '../src/core/native-timer.js';

const ALL_MODES = ['timeout', 'timeout-grid', 'clock', 'clock-nospin', 'clock-grid', 'clock-grid-nospin', 'timerfd', 'timerfd-grid'] as const;
const timerfd = loadSendTimer();
const MODES = ALL_MODES.filter((m) => timerfd.ok || !m.startsWith('timerfd'));
type Mode = (typeof ALL_MODES)[number];

interface Figures {
  p50Us: number;
  p99Us: number;
  wakeupsPerS: number;
  cpuPercent: number;
}

const nowUs = () => performance.now() * 1000;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One mechanism, in this process: resolves with its figures. */
function runMode(mode: Mode, rate: number, durationS: number): Promise<Figures> {
  const count = Math.round(rate * durationS);
  const spacingUs = 1e6 / rate;
  const lateness = new Float64Array(count);
  const startUs = nowUs() + 200_000;
  const grid = mode.includes('grid');
  const intended = (i: number) => {
    const t = startUs + i * spacingUs;
    return grid ? startUs + Math.ceil((t - startUs) / 1000) * 1000 : t;
  };
  let next = 0;
  let wakeups = 0;
  let cpu0 = process.cpuUsage();
  let t0 = 0;
  return new Promise((resolve) => {
    let clock: SendClock | undefined;
    const finish = () => {
      const cpu = process.cpuUsage(cpu0);
      const wallUs = nowUs() - t0;
      clock?.stop();
      lateness.sort();
      resolve({
        p50Us: percentile(lateness, 50),
        p99Us: percentile(lateness, 99),
        wakeupsPerS: (wakeups / wallUs) * 1e6,
        cpuPercent: ((cpu.user + cpu.system) / wallUs) * 100,
      });
    };
    const arm = () => {
      const at = intended(next);
      if (clock) clock.wakeAt(at);
      else setTimeout(tick, Math.max(0, (at - nowUs()) / 1000));
    };
    const tick = () => {
      wakeups++;
      if (t0 === 0) {
        t0 = nowUs();
        cpu0 = process.cpuUsage();
      }
      let now = nowUs();
      while (next < count && intended(next) <= now) {
        lateness[next] = now - intended(next);
        next++;
        now = nowUs();
      }
      if (next === count) finish();
      else arm();
    };
    if (mode.startsWith('clock')) clock = new ThreadClock(tick, mode.endsWith('nospin') ? 0 : undefined);
    else if (mode.startsWith('timerfd') && timerfd.ok) clock = new TimerfdClock(timerfd.addon, tick);
    arm();
  });
}

async function child(mode: Mode, rate: number, durationS: number): Promise<void> {
  const f = await runMode(mode, rate, durationS);
  process.stdout.write(JSON.stringify(f) + '\n');
  process.exit(0);
}

function main(): void {
  const s = { runs: 3, rate: 1000, durationS: 5 };
  parseFlags(process.argv.slice(2), {
    script: 'send-timer',
    names: { '--runs': 'runs', '--rate': 'rate', '--duration': 'durationS' },
    check: (_k, v) => (Number.isFinite(v) && v > 0 ? undefined : 'needs a positive number'),
    set: (k, v) => (s[k] = v),
  });
  const self = fileURLToPath(import.meta.url);
  const results = rotateChildModes<Mode, Figures>(self, MODES, s.runs, [String(s.rate), String(s.durationS)]);
  const cpus = os.cpus();
  process.stdout.write(
    `send-timer: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, Node ${process.version}; ${s.rate} events/s for ${s.durationS} s, medians of ${s.runs} runs\n\n`,
  );
  const rows = MODES.map((m) => {
    const list = results.get(m)!;
    const med = (k: keyof Figures) => median(list.map((f) => f[k]));
    return [m, fmt(med('p50Us'), 0), fmt(med('p99Us'), 0), fmt(med('wakeupsPerS'), 0), fmt(med('cpuPercent'), 1)];
  });
  if (!timerfd.ok) process.stdout.write(`(timerfd modes skipped: ${timerfd.why})\n`);
  process.stdout.write(table(['mechanism', 'lateness p50 µs', 'p99 µs', 'wake-ups/s', 'CPU %'], rows) + '\n');
}

if (process.argv[2] === '--child') void child(process.argv[3] as Mode, Number(process.argv[4]), Number(process.argv[5]));
else main();
