/** Entry of a load worker thread: the worker runtime, talking through parentPort. */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../worker/messages.js';
import { startWorker } from '../worker/worker-runtime.js';

const port = parentPort!;
const worker = startWorker(workerData as WorkerConfig, {
  post: (msg) => port.postMessage(msg),
  onMessage: (listener) => port.on('message', listener),
  close: () => port.close(),
});
// This thread's own uncaught exceptions (a send tick that threw, reported by the native timer or a
// rejected wake-up of the clock thread): the worker finishes and reports instead of the thread dying.
process.on('uncaughtException', (err) => worker.fail(err));
