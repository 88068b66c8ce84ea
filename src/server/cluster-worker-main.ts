/**
 * Process entry for a `wsbench serve --workers N` cluster worker (forked by the primary). Like
 * cli/main.ts, an entry point: one of the few files that touch the process (env, signals, exit).
 */
import { createLogger } from '../core/logger.js';
import { isWsbError } from '../core/errors.js';
import { EXIT } from '../contract/exit-codes.js';
import { startClusterWorker } from './cluster-worker.js';
import { readClusterWorkerEnv, type WorkerToPrimary } from './cluster-messages.js';

const start = readClusterWorkerEnv(process.env);
const opts = start.opts;
const log = createLogger(opts.logLevel ?? 'info').child({ worker: process.pid });
const send = (msg: WorkerToPrimary) => {
  // The primary may be gone (killed): a failed send must not become an unhandled 'error' and a
  // stack trace; 'disconnect' shuts this worker down.
  if (process.connected) process.send!(msg, undefined, undefined, ignoreSendError);
};
function ignoreSendError(): void {}

let stop: (() => Promise<void>) | undefined;
let stopRequested = false;
let stopping = false;
function shutdown(): void {
  stopRequested = true;
  if (!stop || stopping) return; // not listening yet: shut down as soon as it is
  stopping = true;
  void stop().finally(() => process.exit(EXIT.OK));
}

// The primary coordinates shutdown; a terminal's Ctrl-C reaches the whole process group, so the
// worker also shuts down gracefully on its own signal.
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('disconnect', shutdown);

startClusterWorker(opts, { send, onMessage: (l) => process.on('message', l) }, { serverPid: start.serverPid, workers: start.workers }, log, shutdown)
  .then((s) => {
    stop = s;
    if (stopRequested) shutdown();
  })
  .catch((err: unknown) => {
    if (isWsbError(err)) send({ type: 'wsb:fatal', code: err.code, message: err.message, hint: err.hint });
    else send({ type: 'wsb:fatal', code: 'WSB_ERR_INTERNAL', message: String((err as Error)?.stack ?? err) });
    setTimeout(() => process.exit(isWsbError(err) ? err.exitCode : EXIT.INTERNAL), 50);
  });
