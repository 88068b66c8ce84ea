import { cpuPercent, readProcessLinks, readSocketMemoryKb, sampleProcessTree, type ProcessLinks, type ProcessSample } from './process-sampler.js';

/**
 * How often a sample is a full one: a fresh scan of /proc for the process trees (they change only
 * at start-up: load child processes, server workers) and PSS from smaps_rollup. RSS and CPU (status
 * and stat, ~0.01 ms a process) are read every sample.
 *
 * Why no full sample from the 'connected' mark until POST_WINDOW_HOLD_MS after 'windowEnd' (issue
 * 12: per-second p99 spikes on the full sample's 5 s period): its reads are the only periodic work
 * the tool adds to a run, and they are the expensive ones. Measured on the 2-core test host (kernel
 * 6.18; 5 000 clients, client ~100 MB and server ~120 MB RSS): the /proc scan costs 0.7 ms of CPU
 * per ~80 processes on the machine, smaps_rollup ~5 µs per MB of the target; a full sample took
 * 4–15 ms of the orchestrator's main thread, a cheap one 0.3 ms. Reading a process's smaps_rollup
 * does stall its other threads through the mmap lock, but only as a flood: back-to-back reads raised
 * the target's 1 ms-timer p99 lateness to 3.9 ms (2.2 ms in its worker thread) against 1.2 ms for the
 * same reads of a same-sized decoy. One read at a time did not show: slow replies (> 5 ms) in the
 * 160 ms at each in-window full sample came at the rate of the rest of the window (37/s vs 35/s, 16
 * samples), and runs without them had the same spikes (the host's other load). Marks and samples in
 * the stretch read RSS and CPU over the pids of the last scan; RSS peaks are still read every
 * second, PSS peaks at the ramp, 'connected' and the first sample after the window (every connection
 * still open, nothing sent any more, only replies already POST_WINDOW_HOLD_MS late in flight).
 */
const FULL_SAMPLE_EVERY_MS = 5000;
/** How long after the window the first full sample waits: replies to the last sends have arrived. */
const POST_WINDOW_HOLD_MS = 500;

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
  /** Full samples are held off from the 'connected' mark until this time (see FULL_SAMPLE_EVERY_MS). */
  private quietUntilMs = 0;
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

  /**
   * One sample: a full one when asked (`fresh`) or due, unless in the held-off stretch around the
   * measured window, where it reads RSS and CPU only (see FULL_SAMPLE_EVERY_MS).
   */
  sample(fresh = false): Snapshot {
    const now = Date.now();
    const quiet = now < this.quietUntilMs;
    const due = !this.links || now - this.linksAtMs >= FULL_SAMPLE_EVERY_MS;
    const full = !this.links || (!quiet && (fresh || due));
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

  /**
   * A sample for the summary. 'baseline' and 'connected' are full (fresh trees, PSS); from
   * 'connected' on, sampling stays cheap until POST_WINDOW_HOLD_MS after 'windowEnd', whose first
   * later sample is a full one again.
   */
  mark(name: Mark): void {
    this.marks.set(name, this.sample(name === 'baseline' || name === 'connected'));
    if (name === 'connected') this.quietUntilMs = Number.POSITIVE_INFINITY;
    if (name === 'windowEnd') {
      this.quietUntilMs = Date.now() + POST_WINDOW_HOLD_MS;
      this.linksAtMs = 0;
    }
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
