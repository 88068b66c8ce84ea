import http from 'node:http';
import type { LoadMetrics } from './load-metrics.js';
import { listenHttp } from './http-listen.js';

export interface LiveEndpoint {
  url: string;
  close(): Promise<void>;
}

/** GET /metrics on the orchestrator: the load's metrics as Prometheus text (OpenMetrics when asked). */
export async function startMetricsEndpoint(metrics: LoadMetrics, host: string, port: number): Promise<LiveEndpoint> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith('/metrics')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('wsbench load: metrics are at /metrics\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    );
  });
  const url = await listenHttp(server, host, port, { host: '--metrics-host', port: '--metrics-port' });
  return { url: `${url}/metrics`, close: () => closeServer(server) };
}

/** Stops listening and drops open connections (a scrape or a browser must never hold the exit). */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
