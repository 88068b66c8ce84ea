/**
 * Process entry of a load child process (forked by the orchestrator when one process's open-file
 * limit cannot hold every client). A place that touches the process: IPC, signals, exit.
 */
import { runProcessHost } from '../load/process-host.js';
import type { FromProcess, ToProcess } from '../load/worker-hosts.js';

// The orchestrator decides when to stop (it relays `finish`); a terminal Ctrl-C reaching the whole
// process group must not kill this process before its results are sent.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => process.exit(143));
process.on('disconnect', () => process.exit(0));

runProcessHost({
  send: (m: FromProcess) => {
    if (process.connected) process.send!(m);
  },
  onMessage: (l: (m: ToProcess) => void) => process.on('message', l),
  exit: (code) => process.exit(code),
});
