/**
 * CPU placement: which CPUs a process (every thread of it, and every child it starts afterwards)
 * may run on. Linux only, through util-linux's `taskset` (sched_setaffinity has no Node API):
 * `taskset -a -p` pins every thread a process already has, and Linux hands a thread's affinity to
 * the threads and processes it creates, so pinning early pins everything that follows.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { WsbError } from './errors.js';

/**
 * A CPU list as Linux writes it (`0`, `0-3`, `0,2-3`) → sorted CPU ids without repeats, or what is
 * wrong with it in the user's words (malformed, or naming a CPU that is not online).
 */
export function parseCpuList(text: string): { cpus: number[] } | { problem: string } {
  const cpus = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] !== undefined ? Number(m[2]) : from;
    if (!m || to < from || to > 65535) return { problem: `must be a CPU list like 0, 1-3 or 0,2 (got ${text})` };
    for (let c = from; c <= to; c++) cpus.add(c);
  }
  const online = onlineCpus();
  const offline = [...cpus].filter((c) => !online.includes(c));
  if (offline.length > 0) return { problem: `names CPU ${formatCpuList(offline)}, which is not online (online: ${formatCpuList(online)})` };
  return { cpus: [...cpus].sort((a, b) => a - b) };
}

/** The compact form Linux uses: [0, 1, 2, 5] → `0-2,5`. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}

/** CPUs the kernel has online (/sys), or 0 … cores − 1 where that file does not exist. */
export function onlineCpus(): number[] {
  try {
    return expandCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8').trim());
  } catch {
    return Array.from({ length: os.cpus().length || 1 }, (_, i) => i);
  }
}

/** `0-2,5` → [0, 1, 2, 5]; no validation (for lists the kernel wrote). */
export function expandCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    for (let c = a; c <= (Number.isInteger(b) ? b : a); c++) out.push(c);
  }
  return out;
}

/** Why CPU placement cannot be set on this system, or null when it can. */
export function affinityUnsupported(): string | null {
  if (process.platform !== 'linux') return `CPU affinity is set with Linux's sched_setaffinity, and this is ${process.platform}`;
  const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return "util-linux's taskset was not found on PATH (Debian/Ubuntu: apt-get install util-linux)";
  return null;
}

/**
 * Pins process `pid` and every thread it has to `cpus`; its later threads and children inherit it.
 * Throws WSB_ERR_AFFINITY when taskset refuses (a CPU set the process may not use, e.g. outside its
 * cgroup's cpuset). Call affinityUnsupported() first: this assumes taskset exists.
 */
export function pinProcess(pid: number, cpus: readonly number[]): void {
  const list = formatCpuList(cpus);
  const r = spawnSync('taskset', ['-a', '-p', '-c', list, String(pid)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
    throw new WsbError(
      'WSB_ERR_AFFINITY',
      `could not pin process ${pid} to CPUs ${list}: ${why}`,
      'check the CPUs this process may use: taskset -p $$ (a container or cgroup may allow fewer)',
    );
  }
}

/** The command line that starts `command args…` already pinned to `cpus` (taskset execs it). */
export function pinnedCommand(cpus: readonly number[], command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: 'taskset', args: ['-c', formatCpuList(cpus), command, ...args] };
}

/** The CPUs thread `tid` of process `pid` may run on, as the kernel reports it (null: gone). */
export function readTaskCpus(pid: number, tid: number): string | null {
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

/** The CPUs this process may run on now (its main thread's list), or null where /proc cannot tell. */
export function ownCpus(): number[] | null {
  const list = readTaskCpus(process.pid, process.pid);
  return list === null ? null : expandCpuList(list);
}
