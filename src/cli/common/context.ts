import type { ProgressSink } from '../../core/progress.js';

/** What a command may use of the process; main.ts builds it, so commands never touch `process` directly. */
export interface CliContext {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Resolves with the first SIGINT/SIGTERM received from now on. */
  waitForSignal(): Promise<NodeJS.Signals>;
  /** CI=true in the environment: no live progress line. */
  readonly isCI: boolean;
  argv: readonly string[];
  /** The environment the servers and runtimes it starts inherit (and where WSBENCH_BUN and friends are read). */
  readonly env: NodeJS.ProcessEnv;
  /** Set by load, compare and capacity (live-options.ts): the progress sink of each run. */
  live?: { sink(): ProgressSink };
  /** Set by the command's action; main.ts exits with it. */
  exitCode: number;
}
