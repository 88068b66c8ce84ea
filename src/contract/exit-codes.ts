/**
 * Every exit code wsbench uses. The README lists the same table; keep them in step.
 * CI jobs gate on these, so a code never changes meaning once released.
 */
export const EXIT = {
  /** The command did what was asked (for `load`: the verdict is `valid`). */
  OK: 0,
  /** A bug in wsbench: an unexpected exception. Please report it. */
  INTERNAL: 1,
  /** Bad flags, bad profile, unreadable input files: fix the command line. */
  USAGE: 2,
  /** The target could not be reached or refused the WebSocket handshake. */
  TARGET: 3,
  /** This machine cannot run what was asked: port in use, privileges, open-file or port limits. */
  ENVIRONMENT: 4,
  /** The run finished but the load generator, not the server, was the limit. */
  CLIENT_SATURATED: 5,
  /** The run finished but the target failed connections, lost messages or closed unexpectedly. */
  TARGET_ERRORS: 6,
  /** A --threshold or --max-regression limit was crossed (the CI gate). */
  THRESHOLD: 7,
  /** `compare` finished partly: a server could not be started (the runs that finished are written). */
  PARTIAL: 8,
  /** Interrupted by SIGINT (128 + 2); partial results were written. */
  SIGINT: 130,
  /** Interrupted by SIGTERM (128 + 15); partial results were written. */
  SIGTERM: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Stable error codes. Each maps to one exit code and carries a hint that says how to fix it.
 * The README's "Errors" table lists them.
 */
export const ERROR_EXIT = {
  WSB_ERR_USAGE: EXIT.USAGE,
  WSB_ERR_PROFILE: EXIT.USAGE,
  WSB_ERR_TLS_FILE: EXIT.USAGE,
  WSB_ERR_HOST_NOT_FOUND: EXIT.USAGE,
  WSB_ERR_RESULT_FILE: EXIT.USAGE,
  WSB_ERR_MERGE: EXIT.USAGE,
  WSB_ERR_TARGET_UNREACHABLE: EXIT.TARGET,
  WSB_ERR_HANDSHAKE_REJECTED: EXIT.TARGET,
  WSB_ERR_CONFORMANCE: EXIT.TARGET,
  WSB_ERR_PORT_IN_USE: EXIT.ENVIRONMENT,
  WSB_ERR_PRIVILEGED_PORT: EXIT.ENVIRONMENT,
  WSB_ERR_ADDRESS_NOT_AVAILABLE: EXIT.ENVIRONMENT,
  WSB_ERR_FD_LIMIT: EXIT.ENVIRONMENT,
  WSB_ERR_PORT_RANGE: EXIT.ENVIRONMENT,
  WSB_ERR_WRITE_RESULTS: EXIT.ENVIRONMENT,
  WSB_ERR_RUNTIME_NOT_FOUND: EXIT.ENVIRONMENT,
  /** taskset refused the CPU placement asked for (--cpus, --server-cpus, --load-cpus). */
  WSB_ERR_AFFINITY: EXIT.ENVIRONMENT,
  /** A signal before the load started: nothing was measured (the CLI exits 130 or 143 by the signal). */
  WSB_ERR_INTERRUPTED: EXIT.SIGINT,
  WSB_ERR_INTERNAL: EXIT.INTERNAL,
} as const satisfies Record<string, ExitCode>;

/** Every error code, as a union: a misspelt code does not compile. */
export type ErrorCode = keyof typeof ERROR_EXIT;
