/**
 * A server to measure, whatever starts it: `wsbench serve` on some runtime, a user's shell command,
 * or a server already running at a URL. load, compare, capacity, the benches and the tests all
 * start, measure and stop targets through this one shape (make-targets.ts makes them).
 */
export interface Target {
  /** Names the target in logs, result labels and tables (a runtime, the --server name, or the URL). */
  readonly name: string;
  /** Starts it (a fresh process for a server wsbench runs; nothing for a URL) and resolves once it listens. */
  start(): Promise<RunningTarget>;
}

export interface RunningTarget {
  url: string;
  /** The process to sample for server RSS and CPU; undefined for a URL given without --server-pid. */
  pid: number | undefined;
  /** Ends what start() started (SIGTERM, SIGKILL after a grace period); nothing for a URL. */
  stop(): Promise<void>;
}

/** What a target's process inherits from the CLI (main.ts reads the process; nothing below it does). */
export interface TargetHost {
  env: NodeJS.ProcessEnv;
}
