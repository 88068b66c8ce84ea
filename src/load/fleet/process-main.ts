/**
 * Process entry of a load child process (forked by the orchestrator when one process's open-file
 * limit cannot hold every client). A place that touches the process: IPC, signals, exit.
 */
import { runProcessHost } from './process-host.js';
import type { FromProcess, ToProcess } from './hosts.js';

// The orchestrator decides when to stop (it relays `finish`); a terminal Ctrl-C reaching the whole
// process group must not kill this process before its results are sent.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => process.exit(143));
process.on('disconnect', () => process.exit(0));

// Exit only once every message is handed to the IPC channel: a result still queued behind a busy
// pipe would be lost (seen in an overloaded 100 000-client run), and the run would count this
// process's clients as never reported.
let unsent = 0;
let exitCode: number | undefined;
function flushed(): void {
  if (--unsent === 0 && exitCode !== undefined) process.exit(exitCode);
}

const host = runProcessHost({
  send: (m: FromProcess) => {
    if (!process.connected) return;
    unsent++;
    process.send!(m, undefined, undefined, flushed);
  },
  onMessage: (l: (m: ToProcess) => void) => process.on('message', l),
  exit: (code) => {
    exitCode = code;
    if (unsent === 0) process.exit(code);
  },
});
// Reported as the worker's failure (a send tick that threw), not a stack trace on the terminal.
process.on('uncaughtException', (err) => host.fail(err));
