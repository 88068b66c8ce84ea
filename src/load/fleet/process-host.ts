import { threadHost, type FromProcess, type ToProcess, type WorkerHost } from './hosts.js';
import { startWorker, type RunningWorker } from '../worker/worker-runtime.js';
import type { FromWorker, ToWorker } from '../worker/messages.js';

/**
 * The body of a load child process. With one slice the worker runs on this process's main thread
 * (no extra isolate: about 12 MB less per process, which adds up at 100 000 clients over 6
 * processes); with several, one worker thread per slice. Messages are relayed both ways; the
 * orchestrator does all merging.
 */
export function runProcessHost(ipc: { send(m: FromProcess): void; onMessage(l: (m: ToProcess) => void): void; exit(code: number): void }): {
  /** An uncaught exception of this process: the inline worker finishes and reports; without one, the process goes. */
  fail(err: unknown): void;
} {
  let hosts: WorkerHost[] = [];
  let inline: ((msg: ToWorker) => void) | undefined;
  let inlineWorker: RunningWorker | undefined;
  let workerIndexes: number[] = [];
  let pendingResults = 0;
  const relay = (msg: FromWorker) => {
    ipc.send({ type: 'relay', msg });
    // The host's exit waits until this last message is handed to the IPC channel (process-main.ts).
    if (msg.type === 'result' && --pendingResults === 0) ipc.exit(0);
  };
  ipc.onMessage((m) => {
    if (m.type === 'start') {
      pendingResults = m.configs.length;
      workerIndexes = m.configs.map((c) => c.slice.workerIndex);
      if (m.configs.length === 1) {
        inlineWorker = startWorker(m.configs[0], { post: relay, onMessage: (l) => (inline = l), close: () => {} });
        return;
      }
      hosts = m.configs.map((config) =>
        threadHost(config, {
          message: relay,
          gone: (workerIndexes, reason) => ipc.send({ type: 'gone', workerIndexes, reason }),
        }),
      );
    } else if (inline) {
      inline(m.msg);
    } else {
      for (const h of hosts) h.post(m.msg);
    }
  });
  return {
    fail(err) {
      if (inlineWorker) return inlineWorker.fail(err);
      ipc.send({
        type: 'gone',
        workerIndexes,
        reason: `load process ${process.pid} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      });
      ipc.exit(1);
    },
  };
}
