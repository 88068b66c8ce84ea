/** Single-process /proc readers (bytes, seconds) and CLK_TCK for the bench scripts: src/metrics/process-sampler.ts sums whole process trees (KB, ms) and keeps its per-process readers private. */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim());
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    // fall through: the Linux default
  }
  return 100;
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 when that fails). */
export const CLK_TCK = clockTicks();

/** VmRSS of a process, in bytes. */
export function readRss(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** utime + stime of a process (its whole thread group, not its children), in seconds. */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** readCpuSeconds, but NaN for no pid or once the process is gone. */
export function tryReadCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    return readCpuSeconds(pid);
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds of a process's main thread (tid = pid) and of all its live threads, from each thread's
 * /proc schedstat: the scheduler's own run time in ns, where /proc's utime and stime count 10 ms
 * ticks (too coarse for a thread that runs a few ms a second). NaN once the process is gone.
 */
export function tryReadThreadCpuSeconds(pid: number | undefined): { main: number; all: number } {
  if (pid === undefined) return { main: NaN, all: NaN };
  try {
    let main = NaN;
    let all = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const s = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
      all += s;
      if (tid === String(pid)) main = s;
    }
    return { main, all };
  } catch {
    return { main: NaN, all: NaN };
  }
}

/**
 * Voluntary context switches of a process summed over its threads: each is a sleep (epoll_wait, a
 * futex) that something later had to wake. NaN once the process is gone.
 */
export function tryReadVoluntarySwitches(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    let n = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
      if (m) n += Number(m[1]);
    }
    return n;
  } catch {
    return NaN;
  }
}

/** Whole-machine CPU from /proc/stat, in seconds: busy (everything but idle and iowait, steal included) and total. */
export function readMachineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: (total - v[3] - v[4]) / CLK_TCK, total: total / CLK_TCK };
}
