import { Registry, Counter, Gauge, collectDefaultMetrics } from 'prom-client';
import type { ServerStats } from './stats.js';

/**
 * Prometheus exposition of one process's ServerStats. Values are copied from the plain
 * counters at scrape time (collect callbacks), never incremented on the message path.
 * In a clustered server each worker owns one registry and the primary sums them
 * (prom-client's AggregatorRegistry.aggregate), so /metrics is always the whole server.
 */
export function createMetricsRegistry(stats: ServerStats): Registry {
  const registry = new Registry();
  // process_resident_memory_bytes, process_cpu_seconds_total, … (summed over workers).
  collectDefaultMetrics({ register: registry });

  const copy = (value: () => number) =>
    function (this: Gauge | Counter) {
      this.reset();
      (this as Counter).inc(value());
    };

  new Gauge({
    name: 'wsbench_connections_current',
    help: 'Open WebSocket connections',
    registers: [registry],
    collect() {
      this.set(stats.connectionsCurrent);
    },
  });
  new Counter({ name: 'wsbench_connections_total', help: 'WebSocket connections accepted', registers: [registry], collect: copy(() => stats.connectionsTotal) });
  new Counter({ name: 'wsbench_messages_received_total', help: 'Messages received from clients', registers: [registry], collect: copy(() => stats.messagesIn) });
  new Counter({ name: 'wsbench_messages_sent_total', help: 'Messages sent to clients (greetings included)', registers: [registry], collect: copy(() => stats.messagesOut) });
  new Counter({ name: 'wsbench_bytes_received_total', help: 'Payload bytes received from clients', registers: [registry], collect: copy(() => stats.bytesIn) });
  new Counter({ name: 'wsbench_bytes_sent_total', help: 'Payload bytes sent to clients', registers: [registry], collect: copy(() => stats.bytesOut) });
  new Counter({
    name: 'wsbench_closes_total',
    help: 'Closed connections by close code (1006: abrupt disconnect)',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of stats.closesByCode) this.inc({ code: String(code) }, n);
    },
  });
  new Counter({
    name: 'wsbench_socket_errors_total',
    help: 'Socket and protocol errors by code (ECONNRESET, WS_ERR_INVALID_UTF8, …)',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of stats.errorsByCode) this.inc({ code }, n);
    },
  });
  new Counter({
    name: 'wsbench_upgrades_rejected_total',
    help: 'Upgrade requests refused, by HTTP status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, n] of stats.rejectedByStatus) this.inc({ status: String(status) }, n);
    },
  });
  return registry;
}
