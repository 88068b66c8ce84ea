import { readFileSync } from 'node:fs';

/** Soft and hard open-file limits of this process (Linux: /proc/self/limits). */
export function readFdLimit(): { soft: number; hard: number } {
  try {
    const text = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
    if (m) return { soft: parseLimit(m[1]), hard: parseLimit(m[2]) };
  } catch {
    // Not Linux: fall through to a conservative default.
  }
  return { soft: 1024, hard: 1024 };
}

function parseLimit(s: string): number {
  return s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s);
}

/** The kernel's ephemeral port range (Linux: ip_local_port_range). */
export function readPortRange(): { low: number; high: number; size: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return { low, high, size: high - low + 1 };
  } catch {
    // Not Linux: the IANA default range.
  }
  return { low: 49152, high: 65535, size: 16384 };
}

/** TCP sockets in use and in TIME_WAIT machine-wide (/proc/net/sockstat); zeros where unknown. */
export function readTcpSocketCounts(): { inUse: number; timeWait: number } {
  try {
    const m = /^TCP: inuse (\d+) orphan \d+ tw (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'));
    if (m) return { inUse: Number(m[1]), timeWait: Number(m[2]) };
  } catch {
    // Not Linux.
  }
  return { inUse: 0, timeWait: 0 };
}
