import type { Server } from 'node:net';
import { WsbError } from '../core/errors.js';
import { listenFailureText, type ListenFailure } from '../contract/listen-errors.js';

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
  const kind = listenFailureKind(err.code, port);
  if (!kind) return err;
  const t = listenFailureText(kind, host, port, err.code);
  return new WsbError(t.code, t.message, t.hint);
}

function listenFailureKind(code: string | undefined, port: number): ListenFailure | undefined {
  if (code === 'EADDRINUSE') return port === 0 ? 'no-free-port' : 'port-in-use';
  if (code === 'EACCES' && port < 1024) return 'privileged-port';
  // A name that does not resolve is a flag to fix (exit 2), like any other bad value.
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_FAIL') return 'host-not-found';
  if (code === 'EADDRNOTAVAIL') return 'address-not-available';
  return undefined;
}
