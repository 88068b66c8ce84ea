import { threadHost, type FromProcess, type ToProcess, type WorkerHost } from './worker-hosts.js';

/**
 * The body of a load child process: starts one worker thread per slice it was given and relays
 * messages both ways. It holds no state of its own; the orchestrator does the merging.
 */
export function runProcessHost(ipc: { send(m: FromProcess): void; onMessage(l: (m: ToProcess) => void): void; exit(code: number): void }): void {
  let hosts: WorkerHost[] = [];
  let pendingResults = 0;
  ipc.onMessage((m) => {
    if (m.type === 'start') {
      pendingResults = m.configs.length;
      hosts = m.configs.map((config) =>
        threadHost(config, {
          message: (msg) => {
            ipc.send({ type: 'relay', msg });
            if (msg.type === 'result' && --pendingResults === 0) setTimeout(() => ipc.exit(0), 100);
          },
          gone: (workerIndexes, reason) => ipc.send({ type: 'gone', workerIndexes, reason }),
        }),
      );
    } else {
      for (const h of hosts) h.post(m.msg);
    }
  });
}
