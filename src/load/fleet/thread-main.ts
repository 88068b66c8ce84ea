/** Entry of a load worker thread: the worker runtime, talking through parentPort. */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerConfig } from '../worker/messages.js';
import { startWorker } from '../worker/worker-runtime.js';

const port = parentPort!;
startWorker(workerData as WorkerConfig, {
  post: (msg) => port.postMessage(msg),
  onMessage: (listener) => port.on('message', listener),
  close: () => port.close(),
});
