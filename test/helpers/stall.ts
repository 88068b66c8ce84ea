/** Stalling a process the test started, for a while it chooses: SIGSTOP, seen stopped, SIGCONT. */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from './http.js';

/** The state letter of /proc/PID/stat (R running, S sleeping, T stopped, …). */
export function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat[stat.lastIndexOf(')') + 2];
}

/**
 * Stops `pid` and resumes it `ms` after the stop is seen: the stall is at least `ms` long, and is
 * timed from that moment because its length is what the test feeds in.
 */
export async function stallProcess(pid: number, ms: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  await waitFor('the process stopped', () => Promise.resolve(processState(pid) === 'T'));
  await sleep(ms);
  process.kill(pid, 'SIGCONT');
}
