import type { ServerStats } from './stats.js';
import type { ClusterView } from './http-routes.js';
import type { Registry } from 'prom-client';

/** The whole server is this one process: snapshots come straight from its own registry. */
export function singleProcessView(registry: () => Registry, maxConnections: number): ClusterView {
  let admitted = 0;
  return {
    admit: () => (admitted < maxConnections ? (admitted++, true) : false),
    release: () => void admitted--,
    relay: () => {},
    onRelay: () => {},
    workers: 1,
    serverPid: process.pid,
    async snapshot(local: ServerStats) {
      const reg = registry();
      return { metricsText: await reg.metrics(), contentType: reg.contentType, connections: local.connectionsCurrent };
    },
  };
}
