import { cpuPercent, readProcessLinks, readSocketMemoryKb, sampleProcessTree, type ProcessLinks, type ProcessSample } from './process-sampler.js';

/**
 * How often a sample is a full one: a fresh scan of /proc for the process trees (they change only
 * at start-up: load child processes, server workers) and PSS (smaps_rollup walks page tables, ~1 ms
 * per 250 MB). Doing both every second cost the load generator ~3 ms of CPU per second on a busy
 * host (measured), a few percent of its CPU per round trip. RSS and CPU are read every sample.
 */
const FULL_SAMPLE_EVERY_MS = 5000;

/** A moment of the run worth remembering for the summary. */
type Mark = 'baseline' | 'connected' | 'windowStart' | 'windowEnd';

interface Snapshot {
  client: ProcessSample | undefined;
  server: ProcessSample | undefined;
  socketMemKb: number | null;
}

/**
 * Samples the load generator (its whole process tree, so every process and thread is included)
 * and, when a pid is given, the server with its children (a clustered server), once per call.
 * Keeps peaks and the marked snapshots the summary needs (RSS per connection, CPU over the window).
 */
export class ResourceMonitor {
  private readonly clientPid: number;
  private readonly serverPid: number | undefined;
  private readonly marks = new Map<Mark, Snapshot>();
  private last: Snapshot | undefined;
  private prev: Snapshot | undefined;
  private links: ProcessLinks | undefined;
  private linksAtMs = 0;
  clientRssPeakKb = 0;
  serverRssPeakKb = 0;
  clientPssPeakKb = 0;
  serverPssPeakKb = 0;
  socketMemPeakKb: number | null = null;
  serverGone = false;

  constructor(clientPid: number, serverPid: number | undefined) {
    this.clientPid = clientPid;
    this.serverPid = serverPid;
  }

  /** One sample; `fresh` makes it a full one (see FULL_SAMPLE_EVERY_MS). */
  sample(fresh = false): Snapshot {
    const now = Date.now();
    const full = fresh || !this.links || now - this.linksAtMs >= FULL_SAMPLE_EVERY_MS;
    if (full) {
      this.links = readProcessLinks();
      this.linksAtMs = now;
    }
    const links = this.links!;
    const server = this.serverPid !== undefined && !this.serverGone ? sampleProcessTree(this.serverPid, undefined, links, full) : undefined;
    if (this.serverPid !== undefined && !server) this.serverGone = true;
    const snap: Snapshot = { client: sampleProcessTree(this.clientPid, this.serverPid, links, full), server, socketMemKb: readSocketMemoryKb() };
    this.clientRssPeakKb = Math.max(this.clientRssPeakKb, snap.client?.rssKb ?? 0);
    this.serverRssPeakKb = Math.max(this.serverRssPeakKb, snap.server?.rssKb ?? 0);
    this.clientPssPeakKb = Math.max(this.clientPssPeakKb, snap.client?.pssKb ?? 0);
    this.serverPssPeakKb = Math.max(this.serverPssPeakKb, snap.server?.pssKb ?? 0);
    if (snap.socketMemKb !== null) this.socketMemPeakKb = Math.max(this.socketMemPeakKb ?? 0, snap.socketMemKb);
    this.prev = this.last;
    this.last = snap;
    return snap;
  }

  /** A sample for the summary, over freshly scanned trees. */
  mark(name: Mark): void {
    this.marks.set(name, this.sample(true));
  }

  /** CPU percent (of one core) between the two latest samples. */
  recentCpu(): { client: number; server: number | null } {
    const a = this.prev;
    const b = this.last;
    const client = a?.client && b?.client ? cpuPercent(a.client, b.client) : 0;
    const server = a?.server && b?.server ? cpuPercent(a.server, b.server) : null;
    return { client, server };
  }

  /** (RSS with all clients connected − RSS before connecting) / connections, in KB. */
  rssPerConnectionKb(side: 'client' | 'server', connections: number): number | null {
    const before = this.marks.get('baseline')?.[side];
    const after = this.marks.get('connected')?.[side];
    if (!before || !after || connections <= 0) return null;
    return round2((after.rssKb - before.rssKb) / connections);
  }

  /** RSS at a marked moment, in KB. */
  rssAt(name: Mark, side: 'client' | 'server'): number | null {
    return this.marks.get(name)?.[side]?.rssKb ?? null;
  }

  /** Mean CPU percent over the measured window. */
  windowCpuPercent(side: 'client' | 'server'): number | null {
    const a = this.marks.get('windowStart')?.[side];
    const b = this.marks.get('windowEnd')?.[side];
    return a && b ? round2(cpuPercent(a, b)) : null;
  }

  /** CPU ms spent over the measured window. */
  windowCpuMs(side: 'client' | 'server'): number | null {
    const a = this.marks.get('windowStart')?.[side];
    const b = this.marks.get('windowEnd')?.[side];
    return a && b ? b.cpuMs - a.cpuMs : null;
  }

  socketMemKb(name: Mark): number | null {
    return this.marks.get(name)?.socketMemKb ?? null;
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
