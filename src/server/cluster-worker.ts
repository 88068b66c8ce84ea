import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import { limitsOf, type ServeOptions } from './options.js';
import { createPongServer } from './pong-server.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { loadTls } from './tls.js';
import { listenOn } from '../core/listen.js';
import type { ClusterView } from './http-routes.js';
import { isWsbMessage, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.js';

type Send = (msg: WorkerToPrimary) => void;

/**
 * One cluster worker: serves its share of connections and, for /metrics and /healthz, asks the
 * primary for whole-server figures. Returns a shutdown function; `onShutdownRequest` fires when
 * the primary asks this worker to stop.
 */
export async function startClusterWorker(
  opts: ServeOptions,
  ipc: { send: Send; onMessage(listener: (msg: unknown) => void): void },
  cluster: { serverPid: number; workers: number },
  log: Logger,
  onShutdownRequest: () => void,
): Promise<() => Promise<void>> {
  let nextReqId = 1;
  const waiting = new Map<number, (m: Extract<PrimaryToWorker, { type: 'wsb:stats-res' }>) => void>();

  let relayListener: (data: Buffer) => void = () => {};
  let nextAdmitId = 1;
  const admitWaiting = new Map<number, (admitted: boolean) => void>();
  const view: ClusterView = {
    admit: () =>
      new Promise<boolean>((resolve) => {
        const id = nextAdmitId++;
        admitWaiting.set(id, resolve);
        ipc.send({ type: 'wsb:admit-req', id });
      }),
    release: () => ipc.send({ type: 'wsb:release' }),
    relay: (data) => ipc.send({ type: 'wsb:broadcast', data: data.toString('utf8') }),
    onRelay: (listener) => (relayListener = listener),
    workers: cluster.workers,
    serverPid: cluster.serverPid,
    snapshot() {
      const id = nextReqId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (waiting.delete(id), reject(new Error('cluster primary did not answer'))), 5000);
        waiting.set(id, (res) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (res.error) reject(new Error(res.error));
          else resolve({ metricsText: res.metricsText, contentType: res.contentType, connections: res.connections });
        });
        ipc.send({ type: 'wsb:stats-req', id });
      });
    },
  };

  const server = createPongServer(opts, loadTls(opts.certPath, opts.keyPath), view, log);
  const registry: Registry = createMetricsRegistry(server.stats, limitsOf(opts));

  ipc.onMessage((msg) => {
    if (!isWsbMessage(msg)) return;
    const m = msg as PrimaryToWorker;
    if (m.type === 'wsb:stats-collect') {
      registry
        .getMetricsAsJSON()
        .then((metrics) => ipc.send({ type: 'wsb:stats-part', id: m.id, metrics, connections: server.stats.connectionsCurrent }))
        .catch((err: Error) => log.warn({ err: err.message }, 'could not read metrics'));
    } else if (m.type === 'wsb:admit-res') {
      admitWaiting.get(m.id)?.(m.admitted);
      admitWaiting.delete(m.id);
    } else if (m.type === 'wsb:stats-res') {
      waiting.get(m.id)?.(m);
    } else if (m.type === 'wsb:broadcast') {
      relayListener(Buffer.from(m.data, 'utf8'));
    } else if (m.type === 'wsb:shutdown') {
      onShutdownRequest();
    }
  });

  await listenOn(server.httpServer, { host: opts.host, port: opts.port, backlog: 4096 });
  return () => server.shutdown();
}
