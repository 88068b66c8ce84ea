import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import { limitsOf, type ServeOptions, type ServerHandle } from './options.js';
import { createPongServer } from './pong-server.js';
import { perProcessCapacity } from './http-server.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { singleProcessView } from './local-cluster-view.js';
import { loadTls } from './tls.js';
import { listenOn } from '../core/listen.js';
import { startPrimary } from './cluster-primary.js';

/** The process entry of a cluster worker (forked by the primary). */
const CLUSTER_WORKER_ENTRY = fileURLToPath(new URL('./cluster-worker-main.js', import.meta.url));

/**
 * Starts `wsbench serve`: in this process when --workers is 1, otherwise as a node:cluster primary
 * whose workers share the port (round-robin, so connections spread evenly and each worker stays
 * under its own open-file limit).
 */
export async function runServer(opts: ServeOptions, log: Logger): Promise<ServerHandle> {
  const tls = loadTls(opts.certPath, opts.keyPath);
  const capacity = perProcessCapacity();
  log.info({ limits: limitsOf(opts) }, 'limits');
  log.info(
    { perProcessCapacity: capacity, workers: opts.workers, totalCapacity: capacity * opts.workers },
    `capacity: ${capacity} connections per process x ${opts.workers} worker(s) = ${capacity * opts.workers}`,
  );
  if (opts.maxConnections > capacity * opts.workers) {
    log.warn(
      { maxConnections: opts.maxConnections },
      `--max-connections ${opts.maxConnections} exceeds what ${opts.workers} worker(s) can hold; use --workers ${Math.ceil(opts.maxConnections / Math.max(1, capacity))} or more`,
    );
  }
  if (opts.workers > 1) {
    return startPrimary(opts, CLUSTER_WORKER_ENTRY, log);
  }
  // The view reads the registry only when /metrics is asked, after both exist.
  const server = createPongServer(
    opts,
    tls,
    singleProcessView(() => registry, opts.maxConnections),
    log,
  );
  const registry: Registry = createMetricsRegistry(server.stats, limitsOf(opts));
  const port = await listenOn(server.httpServer, { host: opts.host, port: opts.port, backlog: 4096 });
  return { port, pid: process.pid, workers: 1, shutdown: () => server.shutdown() };
}
