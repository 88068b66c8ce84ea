import type { Server } from 'node:net';
import { WsbError } from '../core/errors.js';

/** Listens and turns the common start-up failures into one clear line with a fix. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(err, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, backlog: 4096 });
  });
}

export function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === 'EADDRINUSE' && port === 0) {
    return new WsbError('WSB_ERR_PORT_IN_USE', `no free port on ${host}: the ephemeral port range is used up`, 'wait for other connections to close (TIME_WAIT), or choose a --port outside net.ipv4.ip_local_port_range');
  }
  if (err.code === 'EADDRINUSE') {
    return new WsbError('WSB_ERR_PORT_IN_USE', `port ${port} on ${host} is already in use`, 'stop the other server or choose another --port (0 picks a free one)');
  }
  if (err.code === 'EACCES' && port < 1024) {
    return new WsbError(
      'WSB_ERR_PRIVILEGED_PORT',
      `port ${port} is below 1024 and needs root or the CAP_NET_BIND_SERVICE capability`,
      `use --port ${port === 80 ? 8080 : 8000 + port} (or grant it: sudo setcap cap_net_bind_service=+ep "$(command -v node)")`,
    );
  }
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'EAI_NODATA' || err.code === 'EAI_FAIL') {
    // A name that does not resolve is a flag to fix (exit 2), like any other bad value.
    return new WsbError('WSB_ERR_HOST_NOT_FOUND', `--host ${host} does not resolve to an address (${err.code})`, 'use an IP address (0.0.0.0, 127.0.0.1, ::) or a name in /etc/hosts or DNS');
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new WsbError('WSB_ERR_ADDRESS_NOT_AVAILABLE', `address ${host} is not available on this machine`, 'use --host 0.0.0.0 or an address of one of its interfaces');
  }
  return err;
}
