import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { WsbError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ServeOptions, ServerHandle } from './options.js';
import { clusterWorkerEnv, isWsbMessage, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.js';

/** Environment variable carrying the validated options to each worker. */

const STATS_TIMEOUT_MS = 2000;

/**
 * The cluster primary: forks the workers, waits until every one listens, answers their requests for
 * whole-server stats (it asks every worker for its registry and sums them), restarts a worker that
 * dies while serving, and shuts them all down together.
 */
export async function startPrimary(opts: ServeOptions, entry: string, log: Logger): Promise<ServerHandle> {
  // Round-robin: the primary accepts and hands sockets out evenly, so no worker exceeds its fd limit.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ exec: entry, args: [] });
  const env = clusterWorkerEnv({ opts, serverPid: process.pid, workers: opts.workers });
  let stopping = false;
  let nextCollectId = 1;
  // --max-connections is one limit for the whole server: workers ask the primary for each slot.
  const slotsByWorker = new Map<number, number>();
  let slotsTaken = 0;
  const pending = new Map<number, { parts: WorkerToPrimary[]; expected: number; done: () => void }>();

  function onWorkerMessage(worker: Worker, msg: unknown): void {
    if (!isWsbMessage(msg)) return;
    const m = msg as WorkerToPrimary;
    if (m.type === 'wsb:stats-req') {
      collectStats()
        .then((snap) => send(worker, { type: 'wsb:stats-res', id: m.id, ...snap }))
        .catch((err: Error) =>
          send(worker, { type: 'wsb:stats-res', id: m.id, metricsText: '', contentType: 'text/plain', connections: 0, error: err.message }),
        );
    } else if (m.type === 'wsb:admit-req') {
      const admitted = slotsTaken < opts.maxConnections;
      if (admitted) {
        slotsTaken++;
        slotsByWorker.set(worker.id, (slotsByWorker.get(worker.id) ?? 0) + 1);
      }
      send(worker, { type: 'wsb:admit-res', id: m.id, admitted });
    } else if (m.type === 'wsb:release') {
      slotsTaken--;
      slotsByWorker.set(worker.id, (slotsByWorker.get(worker.id) ?? 1) - 1);
    } else if (m.type === 'wsb:broadcast') {
      // Broadcast fan-out across workers: each worker sends to its own clients, the primary relays.
      for (const w of liveWorkers()) if (w !== worker) send(w, m);
    } else if (m.type === 'wsb:stats-part') {
      const p = pending.get(m.id);
      if (p) {
        p.parts.push(m);
        if (p.parts.length >= p.expected) p.done();
      }
    }
  }

  async function collectStats(): Promise<{ metricsText: string; contentType: string; connections: number }> {
    const workers = liveWorkers();
    const id = nextCollectId++;
    const parts: WorkerToPrimary[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STATS_TIMEOUT_MS);
      pending.set(id, { parts, expected: workers.length, done: () => (clearTimeout(timer), resolve()) });
      for (const w of workers) send(w, { type: 'wsb:stats-collect', id });
    });
    pending.delete(id);
    const statsParts = parts.filter((p): p is Extract<WorkerToPrimary, { type: 'wsb:stats-part' }> => p.type === 'wsb:stats-part');
    const aggregated = AggregatorRegistry.aggregate(statsParts.map((p) => p.metrics));
    return {
      metricsText: await aggregated.metrics(),
      contentType: aggregated.contentType,
      connections: statsParts.reduce((sum, p) => sum + p.connections, 0),
    };
  }

  function fork(): Promise<number> {
    const worker = cluster.fork(env);
    worker.on('message', (msg) => onWorkerMessage(worker, msg));
    return new Promise((resolve, reject) => {
      worker.once('listening', (addr) => resolve(addr.port));
      worker.on('message', (msg) => {
        if (isWsbMessage(msg) && msg.type === 'wsb:fatal') {
          const f = msg as Extract<WorkerToPrimary, { type: 'wsb:fatal' }>;
          reject(new WsbError(f.code as ErrorCode, f.message, f.hint));
        }
      });
      worker.once('exit', (code, signal) => {
        reject(new WsbError('WSB_ERR_INTERNAL', `worker ${worker.process.pid} exited during start-up (${signal ?? code})`));
      });
    });
  }

  let ports: number[];
  try {
    ports = await Promise.all(Array.from({ length: opts.workers }, () => fork()));
  } catch (err) {
    stopping = true;
    for (const w of liveWorkers()) w.kill();
    throw err;
  }

  cluster.on('exit', (worker, code, signal) => {
    // A dead worker's connections are gone with it: give their slots back.
    slotsTaken -= slotsByWorker.get(worker.id) ?? 0;
    slotsByWorker.delete(worker.id);
    if (stopping) return;
    log.error({ workerPid: worker.process.pid, code, signal }, 'worker died; starting a replacement');
    fork().catch((err: Error) => log.error({ err: err.message }, 'replacement worker failed to start'));
  });

  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    const workers = liveWorkers();
    const exited = workers.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
    for (const w of workers) send(w, { type: 'wsb:shutdown' });
    const timer = setTimeout(() => {
      for (const w of liveWorkers()) w.kill('SIGKILL');
    }, opts.shutdownTimeoutMs + 2000);
    await Promise.all(exited);
    clearTimeout(timer);
  }

  return { port: ports[0], pid: process.pid, workers: opts.workers, shutdown };
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
}

function send(worker: Worker, msg: PrimaryToWorker): void {
  if (worker.isConnected()) worker.send(msg);
}
