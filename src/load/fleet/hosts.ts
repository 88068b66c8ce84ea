import { Worker } from 'node:worker_threads';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker, WorkerConfig } from '../worker/messages.js';

const THREAD_ENTRY = fileURLToPath(new URL('./thread-main.js', import.meta.url));
const PROCESS_ENTRY = fileURLToPath(new URL('./process-main.js', import.meta.url));

/**
 * V8's young generation, kept small where connections live. Its default (16 MB semi-spaces) is a
 * fixed cost that grows with each connect storm and shows up as ~1 KB of RSS per connection at
 * 10 000 clients; per-message garbage is small, so the extra scavenges cost little CPU.
 * (Measured in bench/load-client-cost.ts; see the README's "Limitations".)
 */
const SEMI_SPACE_MB = 2;

/**
 * Where load workers live: a thread of this process, or a child process that runs several worker
 * threads and relays their messages. The orchestrator sees the same messages either way, so results
 * from processes merge exactly as thread results do.
 */
export interface WorkerHost {
  post(msg: ToWorker): void;
  terminate(): Promise<void>;
}

export interface HostEvents {
  message(msg: FromWorker): void;
  gone(workerIndexes: number[], reason: string): void;
}

/** One worker thread in this process. */
export function threadHost(config: WorkerConfig, events: HostEvents): WorkerHost {
  const w = new Worker(THREAD_ENTRY, { workerData: config, resourceLimits: { maxYoungGenerationSizeMb: SEMI_SPACE_MB * 3 } });
  const index = config.slice.workerIndex;
  let done = false;
  w.on('message', (msg: FromWorker) => {
    if (msg.type === 'result') done = true;
    events.message(msg);
  });
  w.on('error', (err) => events.gone([index], `worker ${index} crashed: ${err.stack ?? err.message}`));
  w.on('exit', (code) => {
    if (!done) events.gone([index], `worker ${index} exited (code ${code}) before reporting`);
  });
  return {
    post: (msg) => w.postMessage(msg),
    terminate: async () => void (await w.terminate()),
  };
}

/** Messages between the orchestrator and a load child process. */
export type ToProcess = { type: 'start'; configs: WorkerConfig[] } | { type: 'relay'; msg: ToWorker };
export type FromProcess = { type: 'relay'; msg: FromWorker } | { type: 'gone'; workerIndexes: number[]; reason: string };

/** A child process (its own open-file table) running worker threads for several slices. */
export function processHost(configs: WorkerConfig[], events: HostEvents): WorkerHost {
  const indexes = configs.map((c) => c.slice.workerIndex);
  const reported = new Set<number>();
  const child: ChildProcess = fork(PROCESS_ENTRY, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
    execArgv: [...process.execArgv, `--max-semi-space-size=${SEMI_SPACE_MB}`],
  });
  child.on('message', (m: FromProcess) => {
    if (m.type === 'relay') {
      if (m.msg.type === 'result') reported.add(m.msg.workerIndex);
      events.message(m.msg);
    } else {
      events.gone(m.workerIndexes, m.reason);
    }
  });
  // 'close', not 'exit': 'exit' can come before the last IPC messages are read (measured: a
  // saturated orchestrator saw children exit before their results), 'close' after the channel ends.
  child.on('close', (code, signal) => {
    const missing = indexes.filter((i) => !reported.has(i));
    if (missing.length) events.gone(missing, `load process ${child.pid} exited (${signal ?? code}) before reporting`);
  });
  const send = (m: ToProcess) => {
    if (child.connected) child.send(m);
  };
  send({ type: 'start', configs });
  return {
    post: (msg) => send({ type: 'relay', msg }),
    terminate: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => (clearTimeout(timer), resolve()));
        child.kill('SIGTERM');
      }),
  };
}
