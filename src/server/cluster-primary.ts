import cluster, { type Worker } from 'node:cluster';
import { WsbError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ServeOptions, ServerHandle } from './options.js';
import { clusterWorkerEnv, isWsbMessage, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.js';
import { ClusterSlots } from './cluster-slots.js';
import { ClusterStats } from './cluster-stats.js';

/**
 * The cluster primary: forks the workers, waits until every one listens, answers their requests for
 * whole-server stats and connection slots, relays broadcasts, restarts a worker that dies while
 * serving, and shuts them all down together.
 */
export async function startPrimary(opts: ServeOptions, entry: string, log: Logger): Promise<ServerHandle> {
  // Round-robin: the primary accepts and hands sockets out evenly, so no worker exceeds its fd limit.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  cluster.setupPrimary({ exec: entry, args: [] });
  const env = clusterWorkerEnv({ opts, serverPid: process.pid, workers: opts.workers });
  const slots = new ClusterSlots(opts.maxConnections);
  const stats = new ClusterStats(liveWorkers, send);
  const onMessage = (worker: Worker, msg: unknown) => answerWorker(worker, msg, slots, stats);
  const fork = () => forkWorker(env, onMessage);
  const state = { stopping: false };

  let ports: number[];
  try {
    ports = await Promise.all(Array.from({ length: opts.workers }, fork));
  } catch (err) {
    state.stopping = true;
    for (const w of liveWorkers()) w.kill();
    throw err;
  }
  replaceDeadWorkers(slots, state, fork, log);
  const shutdown = async () => {
    if (state.stopping) return;
    state.stopping = true;
    await stopWorkers(opts.shutdownTimeoutMs);
  };
  return { port: ports[0], pid: process.pid, workers: opts.workers, shutdown };
}

/** One worker's request, answered: stats, a connection slot, a broadcast to relay, a stats part. */
function answerWorker(worker: Worker, msg: unknown, slots: ClusterSlots, stats: ClusterStats): void {
  if (!isWsbMessage(msg)) return;
  const m = msg as WorkerToPrimary;
  if (m.type === 'wsb:stats-req') {
    stats
      .collect()
      .then((snap) => send(worker, { type: 'wsb:stats-res', id: m.id, ...snap }))
      .catch((err: Error) => send(worker, { type: 'wsb:stats-res', id: m.id, metricsText: '', contentType: 'text/plain', connections: 0, error: err.message }));
  } else if (m.type === 'wsb:admit-req') {
    send(worker, { type: 'wsb:admit-res', id: m.id, admitted: slots.admit(worker.id) });
  } else if (m.type === 'wsb:release') {
    slots.release(worker.id);
  } else if (m.type === 'wsb:broadcast') {
    // Broadcast fan-out across workers: each worker sends to its own clients, the primary relays.
    for (const w of liveWorkers()) if (w !== worker) send(w, m);
  } else if (m.type === 'wsb:stats-part') {
    stats.onPart(m);
  }
}

/** Forks one worker; resolves with its port once it listens, rejects if it fails or exits first. */
function forkWorker(env: Record<string, string>, onMessage: (worker: Worker, msg: unknown) => void): Promise<number> {
  const worker = cluster.fork(env);
  worker.on('message', (msg) => onMessage(worker, msg));
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

/** A worker that dies while serving gives its slots back and is replaced (not while stopping). */
function replaceDeadWorkers(slots: ClusterSlots, state: { stopping: boolean }, fork: () => Promise<number>, log: Logger): void {
  cluster.on('exit', (worker, code, signal) => {
    slots.forgetWorker(worker.id);
    if (state.stopping) return;
    log.error({ workerPid: worker.process.pid, code, signal }, 'worker died; starting a replacement');
    fork().catch((err: Error) => log.error({ err: err.message }, 'replacement worker failed to start'));
  });
}

/** Asks every worker to shut down; kills the ones still there 2 s after their own shutdown timeout. */
async function stopWorkers(shutdownTimeoutMs: number): Promise<void> {
  const workers = liveWorkers();
  const exited = workers.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
  for (const w of workers) send(w, { type: 'wsb:shutdown' });
  const timer = setTimeout(() => {
    for (const w of liveWorkers()) w.kill('SIGKILL');
  }, shutdownTimeoutMs + 2000);
  await Promise.all(exited);
  clearTimeout(timer);
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
}

function send(worker: Worker, msg: PrimaryToWorker): void {
  if (worker.isConnected()) worker.send(msg);
}
