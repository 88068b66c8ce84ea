import { readdirSync } from 'node:fs';
import { expandCpuList, formatCpuList, readTaskCpus } from '../core/cpu-affinity.js';
import { processTree, readProcessLinks, type ProcessLinks } from './process-sampler.js';
import type { CpuAffinity } from '../contract/result.js';

/**
 * The CPU placement actually in force for a process tree, read back from every thread's
 * /proc/<pid>/task/<tid>/status (Cpus_allowed_list), never copied from a flag: a run whose placement
 * is not recorded cannot be reproduced. `excludePid`'s subtree is left out (the demo's server is a
 * child of the load generator). Null when the root process is gone or /proc cannot be read.
 */
export function readTreeAffinity(rootPid: number, excludePid?: number, links: ProcessLinks = readProcessLinks()): CpuAffinity | null {
  const excluded = new Set(excludePid === undefined ? [] : processTree(excludePid, links));
  const lists = new Set<string>();
  let processes = 0;
  let threads = 0;
  for (const pid of processTree(rootPid, links)) {
    if (excluded.has(pid)) continue;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      if (pid === rootPid) return null;
      continue;
    }
    processes++;
    for (const tid of tids) {
      const list = readTaskCpus(pid, Number(tid));
      if (list === null) continue;
      lists.add(list);
      threads++;
    }
  }
  if (threads === 0) return null;
  const union = formatCpuList([...lists].flatMap(expandCpuList));
  return { cpus: union, uniform: lists.size === 1, processes, threads };
}
