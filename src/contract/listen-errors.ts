/**
 * The start-up failures a server meets when it listens, in the CLI's words (one line, a code, a
 * hint), whatever its runtime: the Node server (src/server/listen.ts) and the Bun, Deno and
 * uWebSockets.js servers (servers/pong-common.ts) name the failure and take the text from here. Part of the contract.
 */
export type ListenFailure = 'port-in-use' | 'no-free-port' | 'privileged-port' | 'host-not-found' | 'address-not-available';

export interface ListenFailureText {
  code: 'WSB_ERR_PORT_IN_USE' | 'WSB_ERR_PRIVILEGED_PORT' | 'WSB_ERR_HOST_NOT_FOUND' | 'WSB_ERR_ADDRESS_NOT_AVAILABLE';
  message: string;
  hint: string;
}

export function listenFailureText(kind: ListenFailure, host: string, port: number, detail = ''): ListenFailureText {
  switch (kind) {
    case 'no-free-port':
      return {
        code: 'WSB_ERR_PORT_IN_USE',
        message: `no free port on ${host}: the ephemeral port range is used up`,
        hint: 'wait for other connections to close (TIME_WAIT), or choose a --port outside net.ipv4.ip_local_port_range',
      };
    case 'port-in-use':
      return {
        code: 'WSB_ERR_PORT_IN_USE',
        message: `port ${port} on ${host} is already in use`,
        hint: 'stop the other server or choose another --port (0 picks a free one)',
      };
    case 'privileged-port':
      return {
        code: 'WSB_ERR_PRIVILEGED_PORT',
        message: `port ${port} is below 1024 and needs root or the CAP_NET_BIND_SERVICE capability`,
        hint: `use --port ${port === 80 ? 8080 : 8000 + port} (or grant it: sudo setcap cap_net_bind_service=+ep "$(command -v node)")`,
      };
    case 'host-not-found':
      return {
        code: 'WSB_ERR_HOST_NOT_FOUND',
        message: `--host ${host} does not resolve to an address${detail ? ` (${detail})` : ''}`,
        hint: 'use an IP address (0.0.0.0, 127.0.0.1, ::) or a name in /etc/hosts or DNS',
      };
    case 'address-not-available':
      return {
        code: 'WSB_ERR_ADDRESS_NOT_AVAILABLE',
        message: `address ${host} is not available on this machine`,
        hint: 'use --host 0.0.0.0 or an address of one of its interfaces',
      };
  }
}
