/**
 * The seed's Pong protocol (em-websocket reference server in the talk's slides):
 * greet on open, answer each text message with `Pong: <msg>`.
 */
export const PONG_PREFIX = 'Pong: ';
export const PONG_PREFIX_BYTES = Buffer.from(PONG_PREFIX);

export function greeting(path: string): string {
  return `Hello Client, you connected to ${path}`;
}

/** The request path without its query string, as em-websocket's `handshake.path`. */
export function requestPath(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * RFC 6455 §4.2.2: the server picks one of the protocols the client offered, or none.
 * We pick the first one the client offers that we support (client preference order).
 */
export function pickSubprotocol(offered: Iterable<string>, supported: readonly string[]): string | false {
  for (const p of offered) {
    if (supported.includes(p)) return p;
  }
  return false;
}
