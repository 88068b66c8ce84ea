import type { Server } from 'node:http';
import { listenOn } from '../core/listen.js';
import type { ListenFlags } from '../contract/listen-errors.js';

/**
 * Listens for a live endpoint (`--metrics-port`, `--dashboard`) before the load starts, so a port in
 * use or a host that does not resolve is the usual error (the same words as `serve`), naming the
 * endpoint's own flag. Resolves with the endpoint's URL.
 */
export async function listenHttp(server: Server, host: string, port: number, flags: ListenFlags): Promise<string> {
  const bound = await listenOn(server, { host, port, flags });
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}
