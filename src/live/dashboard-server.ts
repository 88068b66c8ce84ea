import http from 'node:http';
import { listenHttp } from './http-listen.js';
import type { DashboardState } from './dashboard-state.js';
import { dashboardPage } from './dashboard-page.js';
import { closeServer, type LiveEndpoint } from './metrics-endpoint.js';

/** How long the end waits, at most, for the final report's bytes to leave (never for a browser to read them). */
const FLUSH_LIMIT_MS = 1000;

export interface DashboardEndpoint extends LiveEndpoint {
  /** The command is done: the page becomes the final report, open pages are sent it, the server closes. */
  finish(reportHtml: string): Promise<void>;
}

/**
 * The live dashboard's HTTP server, on the orchestrator: GET / is the page (the final report once
 * the command is done), GET /events the Server-Sent Events stream.
 */
export async function startDashboard(state: DashboardState, host: string, port: number): Promise<DashboardEndpoint> {
  const streams = new Set<http.ServerResponse>();
  let report: string | undefined;
  const page = dashboardPage(state.snapshot().title);
  // One serialization per change, written to every open page (not one per page).
  state.listen((e) => {
    if (streams.size === 0) return;
    const text = e.type === 'point' ? event('point', { index: e.index, run: e.run, point: e.point }) : event('run', e.run);
    for (const res of streams) res.write(text);
  });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(report ?? page);
    if (path !== '/events') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    if (report !== undefined) return void res.end(event('report', report));
    res.write(event('state', state.snapshot()));
    streams.add(res);
    res.on('close', () => streams.delete(res));
  });
  const url = await listenHttp(server, host, port, { host: '--dashboard-host', port: '--dashboard' });
  return {
    url: `${url}/`,
    close: () => closeServer(server),
    async finish(reportHtml: string) {
      report = reportHtml;
      const sent = [...streams].map((res) => new Promise<void>((resolve) => res.end(event('report', reportHtml), () => resolve())));
      await Promise.race([Promise.all(sent), new Promise((r) => setTimeout(r, FLUSH_LIMIT_MS).unref())]);
      await closeServer(server);
    },
  };
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
