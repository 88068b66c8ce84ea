import type { Server } from 'node:http';
import { WsbError } from '../core/errors.js';
import { listenFailureText, type ListenFailure } from '../contract/listen-errors.js';

/**
 * Listens for a live endpoint (`--metrics-port`, `--dashboard`) before the load starts, so a port in
 * use or a privileged port is the usual exit-4 error (the same words as `serve`), naming the flag.
 */
export function listenHttp(server: Server, host: string, port: number, flag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(err, host, port, flag));
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number, flag: string): Error {
  const kind = failureKind(err.code, port);
  if (!kind) return err;
  const t = listenFailureText(kind, host, port, err.code);
  return new WsbError(t.code, `${flag}: ${t.message}`, t.hint.replaceAll('--port', flag));
}

function failureKind(code: string | undefined, port: number): ListenFailure | undefined {
  if (code === 'EADDRINUSE') return port === 0 ? 'no-free-port' : 'port-in-use';
  if (code === 'EACCES' && port < 1024) return 'privileged-port';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_FAIL') return 'host-not-found';
  if (code === 'EADDRNOTAVAIL') return 'address-not-available';
  return undefined;
}
