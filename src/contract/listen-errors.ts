/**
 * The start-up failures a server or an endpoint meets when it listens, named and worded in one place
 * whatever the runtime: the Node server and wsbench's own endpoints (src/core/listen.ts) and the
 * Bun, Deno and uWebSockets.js servers (servers/pong-common.ts) classify the error here and take
 * the text from here (one line, a code, a hint). Part of the contract: no imports, no Node API.
 */
export type ListenFailure = 'port-in-use' | 'no-free-port' | 'privileged-port' | 'host-not-found' | 'address-not-available';

export interface ListenFailureText {
  code: 'WSB_ERR_PORT_IN_USE' | 'WSB_ERR_PRIVILEGED_PORT' | 'WSB_ERR_HOST_NOT_FOUND' | 'WSB_ERR_ADDRESS_NOT_AVAILABLE';
  message: string;
  hint: string;
  /** The flag to fix: the host flag or the port flag of ListenFlags. */
  flag: string;
}

/** The flags that chose where to listen: serve's, or a live endpoint's (`--metrics-host`, `--metrics-port`). */
export interface ListenFlags {
  host: string;
  port: string;
}

export const SERVE_LISTEN_FLAGS: ListenFlags = { host: '--host', port: '--port' };

/**
 * Which failure an error from listening is: Node's errno codes (`EADDRINUSE`), Deno's error names
 * (`AddrInUse`), and the messages Bun and uWebSockets.js give instead of a code. Undefined for a
 * failure with no known cause and fix.
 */
export function classifyListenFailure(err: unknown, port: number): ListenFailure | undefined {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; name?: unknown; message?: unknown };
  const code = `${typeof e.code === 'string' ? e.code : ''} ${typeof e.name === 'string' ? e.name : ''}`;
  const message = typeof e.message === 'string' ? e.message : '';
  if (/EADDRINUSE|AddrInUse/i.test(code) || /address already in use|in use/i.test(message)) return port === 0 ? 'no-free-port' : 'port-in-use';
  if ((/EACCES|PermissionDenied/i.test(code) || /permission denied/i.test(message)) && port < 1024) return 'privileged-port';
  // A name that does not resolve is a flag to fix (exit 2), like any other bad value.
  if (/ENOTFOUND|EAI_AGAIN|EAI_NODATA|EAI_FAIL/.test(code)) return 'host-not-found';
  if (/EADDRNOTAVAIL|AddrNotAvailable/i.test(code)) return 'address-not-available';
  return undefined;
}

export function listenFailureText(kind: ListenFailure, host: string, port: number, detail = '', flags: ListenFlags = SERVE_LISTEN_FLAGS): ListenFailureText {
  switch (kind) {
    case 'no-free-port':
      return {
        code: 'WSB_ERR_PORT_IN_USE',
        message: `no free port on ${host}: the ephemeral port range is used up`,
        hint: `wait for other connections to close (TIME_WAIT), or choose a ${flags.port} outside net.ipv4.ip_local_port_range`,
        flag: flags.port,
      };
    case 'port-in-use':
      return {
        code: 'WSB_ERR_PORT_IN_USE',
        message: `port ${port} on ${host} is already in use`,
        hint: `stop the other server or choose another ${flags.port} (0 picks a free one)`,
        flag: flags.port,
      };
    case 'privileged-port':
      return {
        code: 'WSB_ERR_PRIVILEGED_PORT',
        message: `port ${port} is below 1024 and needs root or the CAP_NET_BIND_SERVICE capability`,
        hint: `use ${flags.port} ${port === 80 ? 8080 : 8000 + port} (or grant it: sudo setcap cap_net_bind_service=+ep "$(command -v node)")`,
        flag: flags.port,
      };
    case 'host-not-found':
      return {
        code: 'WSB_ERR_HOST_NOT_FOUND',
        message: `${flags.host} ${host} does not resolve to an address${detail ? ` (${detail})` : ''}`,
        hint: 'use an IP address (0.0.0.0, 127.0.0.1, ::) or a name in /etc/hosts or DNS',
        flag: flags.host,
      };
    case 'address-not-available':
      return {
        code: 'WSB_ERR_ADDRESS_NOT_AVAILABLE',
        message: `address ${host} is not available on this machine`,
        hint: `use ${flags.host} 0.0.0.0 or an address of one of its interfaces`,
        flag: flags.host,
      };
  }
}

/**
 * The failure's line for an endpoint besides the server (`--metrics-port`, `--dashboard`): the
 * message names the flag to fix, so a user with two listening flags knows which one.
 */
export function namingTheFlag(t: ListenFailureText): string {
  return t.message.startsWith(t.flag) ? t.message : `${t.flag}: ${t.message}`;
}
