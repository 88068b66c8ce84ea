/**
 * Listening on Node, for the Pong server and wsbench's own endpoints (`--metrics-port`,
 * `--dashboard`): the common start-up failures become one clear line with a fix and the usual exit
 * code, worded by src/contract/listen-errors.ts (which the other runtimes' servers share).
 */
import type { Server } from 'node:net';
import { WsbError } from './errors.js';
import { classifyListenFailure, listenFailureText, namingTheFlag, SERVE_LISTEN_FLAGS, type ListenFlags } from '../contract/listen-errors.js';

export interface ListenAt {
  host: string;
  port: number;
  backlog?: number;
  /** The flags that chose host and port, named in the error (serve's --host and --port by default). */
  flags?: ListenFlags;
}

/** Listens; resolves with the bound port. */
export function listenOn(server: Server, at: ListenAt): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(err, at));
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : at.port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: at.host, port: at.port, backlog: at.backlog });
  });
}

/** A listen error as a WsbError when its cause is known; the error itself otherwise. */
export function listenError(err: NodeJS.ErrnoException, at: ListenAt): Error {
  const kind = classifyListenFailure(err, at.port);
  if (!kind) return err;
  const t = listenFailureText(kind, at.host, at.port, err.code, at.flags ?? SERVE_LISTEN_FLAGS);
  return new WsbError(t.code, at.flags ? namingTheFlag(t) : t.message, t.hint);
}
