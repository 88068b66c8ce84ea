/**
 * The seed's Pong protocol and the handshake rules every wsbench server follows (the talk's
 * em-websocket server): greet on open, answer each text message with `Pong: <msg>`, pick the first
 * offered subprotocol we support. Part of the contract: no imports, no Node-only API, so the Node
 * server (src/server/) and the Bun, Deno and uWebSockets.js servers (servers/; Bun and Deno run it as
 * TypeScript) share this file. The HTTP routes and refusals are in pong-routes.ts.
 */

export const PONG_PREFIX = 'Pong: ';

export function greeting(path: string): string {
  return `Hello Client, you connected to ${path}`;
}

/** Header on every 101 answer: which process holds the connection. */
export const WORKER_PID_HEADER = 'X-Wsbench-Pid';

/** The offers of a Sec-WebSocket-Protocol header, in the client's order ("a,b" and "a, b" alike). */
export function offeredProtocols(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * RFC 6455 §4.2.2: the server picks one of the protocols the client offered, or none. We pick the
 * first one the client offers that we support (client preference order).
 */
export function pickSubprotocol(offered: Iterable<string>, supported: readonly string[]): string | false {
  for (const p of offered) {
    if (supported.includes(p)) return p;
  }
  return false;
}

/**
 * The request path without query or fragment, as em-websocket's `handshake.path`, from a request
 * target (`/chat?x`, Node) or a full URL (`ws://host/chat`, the web Request API). No normalisation.
 */
export function requestPath(url: string | undefined): string {
  if (!url) return '/';
  const scheme = url.indexOf('://');
  const start = url.indexOf('/', scheme === -1 ? 0 : scheme + 3);
  if (start === -1) return '/';
  const q = url.indexOf('?', start);
  const hash = url.indexOf('#', start);
  const end = Math.min(q === -1 ? url.length : q, hash === -1 ? url.length : hash);
  return url.slice(start, end);
}
