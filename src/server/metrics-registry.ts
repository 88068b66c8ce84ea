import { SERVER_METRICS } from '../contract/server-counters.js';
import { Registry, Counter, Gauge, collectDefaultMetrics } from 'prom-client';
import type { ServerStats } from './stats.js';
import type { ServerLimits } from './options.js';

/**
 * Prometheus exposition of one process's ServerStats. Values are copied from the plain
 * counters at scrape time (collect callbacks), never incremented on the message path.
 * In a clustered server each worker owns one registry and the primary sums them
 * (prom-client's AggregatorRegistry.aggregate), so /metrics is always the whole server.
 */
export function createMetricsRegistry(stats: ServerStats, limits: ServerLimits): Registry {
  const registry = new Registry();
  // process_resident_memory_bytes, process_cpu_seconds_total, … (summed over workers).
  collectDefaultMetrics({ register: registry });

  const copy = (value: () => number) =>
    function (this: Gauge | Counter) {
      this.reset();
      (this as Counter).inc(value());
    };

  new Gauge({
    ...SERVER_METRICS.connectionsCurrent,
    registers: [registry],
    collect() {
      this.set(stats.connectionsCurrent);
    },
  });
  new Counter({ ...SERVER_METRICS.connectionsTotal, registers: [registry], collect: copy(() => stats.connectionsTotal) });
  new Counter({ ...SERVER_METRICS.messagesIn, registers: [registry], collect: copy(() => stats.messagesIn) });
  new Counter({ ...SERVER_METRICS.messagesOut, registers: [registry], collect: copy(() => stats.messagesOut) });
  new Counter({ name: 'wsbench_bytes_received_total', help: 'Payload bytes received from clients', registers: [registry], collect: copy(() => stats.bytesIn) });
  new Counter({ name: 'wsbench_bytes_sent_total', help: 'Payload bytes sent to clients', registers: [registry], collect: copy(() => stats.bytesOut) });
  new Counter({
    ...SERVER_METRICS.closes,
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
  const byLabel = <K>(name: string, help: string, label: string, map: Map<K, number>) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, n] of map) this.inc({ [label]: String(key) }, n);
      },
    });
  byLabel(SERVER_METRICS.upgradesRejected.name, SERVER_METRICS.upgradesRejected.help, 'status', stats.rejectedByStatus);
  byLabel(
    'wsbench_http_rejected_total',
    'Plain HTTP requests refused or unparseable, by status (408: handshake timeout, 426: not an upgrade)',
    'status',
    stats.httpRejectedByStatus,
  );
  byLabel(SERVER_METRICS.terminated.name, SERVER_METRICS.terminated.help, 'cause', stats.terminatedByCause);
  byLabel('wsbench_resets_total', 'Connections reset by the peer, by phase (request, handshake, open)', 'phase', stats.resetsByPhase);

  // Backpressure: how many connections are paused now, and how often it happened.
  new Gauge({
    name: 'wsbench_connections_paused',
    help: 'Connections not being read because their unsent bytes passed --max-send-buffer',
    registers: [registry],
    collect() {
      this.set(stats.connectionsPaused);
    },
  });
  new Counter({
    name: 'wsbench_backpressure_pauses_total',
    help: 'Times reading from a connection was paused by --max-send-buffer',
    registers: [registry],
    collect: copy(() => stats.backpressurePauses),
  });

  // The limits the server runs with: the same in every worker, so not summed.
  const limit = (name: string, help: string, value: number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      aggregator: 'first',
      collect() {
        this.set(value);
      },
    });
  limit(SERVER_METRICS.maxSendBuffer.name, SERVER_METRICS.maxSendBuffer.help, limits.maxSendBufferBytes);
  limit('wsbench_send_buffer_timeout_seconds', 'A connection paused this long is closed with 1008 (--send-buffer-timeout)', limits.sendBufferTimeoutMs / 1000);
  limit('wsbench_handshake_timeout_seconds', 'Deadline for TLS handshake and request headers (--handshake-timeout)', limits.handshakeTimeoutMs / 1000);
  limit('wsbench_max_payload_bytes', 'Largest message accepted (--max-payload)', limits.maxPayloadBytes);
  limit('wsbench_max_connections', 'Whole-server connection limit, 0 = none (--max-connections)', limits.maxConnections);
  return registry;
}
