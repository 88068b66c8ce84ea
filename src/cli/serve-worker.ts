/**
 * Process entry for a `wsbench serve --workers N` cluster worker (forked by the primary).
 * Like main.ts, this is a place that touches the process: env, signals, exit.
 */
import { createLogger } from '../core/logger.js';
import { isWsbError } from '../core/errors.js';
import { EXIT } from '../core/exit-codes.js';
import { startClusterWorker } from '../server/cluster-worker.js';
import { WORKER_OPTIONS_ENV } from '../server/cluster-primary.js';
import type { ServeOptions } from '../server/options.js';
import type { WorkerToPrimary } from '../server/cluster-messages.js';

const opts = JSON.parse(process.env[WORKER_OPTIONS_ENV] ?? '{}') as ServeOptions;
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
  stop().finally(() => process.exit(EXIT.OK));
}

// The primary coordinates shutdown; a terminal's Ctrl-C reaches the whole process group, so the
// worker also shuts down gracefully on its own signal.
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('disconnect', shutdown);

startClusterWorker(
  opts,
  { send, onMessage: (l) => process.on('message', l) },
  { serverPid: Number(process.env.WSBENCH_SERVER_PID), workers: Number(process.env.WSBENCH_WORKERS) },
  log,
  shutdown,
)
  .then((s) => {
    stop = s;
    if (stopRequested) shutdown();
  })
  .catch((err: unknown) => {
    if (isWsbError(err)) send({ type: 'wsb:fatal', code: err.code, message: err.message, hint: err.hint });
    else send({ type: 'wsb:fatal', code: 'WSB_ERR_INTERNAL', message: String((err as Error)?.stack ?? err) });
    setTimeout(() => process.exit(isWsbError(err) ? err.exitCode : EXIT.INTERNAL), 50);
  });
