import os from 'node:os';
import { readFdLimit, readPortRange } from '../core/limits.js';
import type { CpuAffinity, ResultDocument } from '../contract/result.js';

/** Where a result was measured: figures from different machines are not comparable without it. */
export function environmentFingerprint(
  argv: readonly string[],
  cpuAffinity: { load: CpuAffinity | null; server: CpuAffinity | null } = { load: null, server: null },
): ResultDocument['environment'] {
  const cpus = os.cpus();
  const range = readPortRange();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memTotalBytes: os.totalmem(),
    kernel: os.release(),
    os: `${os.type()} ${os.arch()}`,
    node: process.version,
    fdLimit: readFdLimit(),
    portRange: { low: range.low, high: range.high },
    commandLine: ['wsbench', ...argv.slice(2)].join(' '),
    hostname: os.hostname(),
    cpuAffinity,
  };
}
