/**
 * Every exit code wsbench uses. `EXIT_CODE_TABLE` below says what each means: `wsbench --help`
 * prints it, and a test checks that the README and docs/reference.md show it.
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

/** One row of the exit-code table: Markdown in `meaning` and `details` (--help drops the backticks). */
export interface ExitCodeRow {
  codes: readonly ExitCode[];
  /** What --help and the README say. */
  meaning: string;
  /** What docs/reference.md adds after the meaning. */
  details?: string;
}

/** The one exit-code table; every code of EXIT appears in exactly one row (a unit test checks it). */
export const EXIT_CODE_TABLE: readonly ExitCodeRow[] = [
  { codes: [EXIT.OK], meaning: 'success (`load`: verdict `valid`)' },
  { codes: [EXIT.INTERNAL], meaning: 'internal error (a bug: please report it)' },
  {
    codes: [EXIT.USAGE],
    meaning: 'usage: bad flag, profile or input file',
    details: 'also an unreadable or non-PEM `--cert`/`--key`, a `--host` that does not resolve, a file that is not a wsbench result',
  },
  {
    codes: [EXIT.TARGET],
    meaning: 'target unreachable, handshake rejected, or failed the conformance check',
    details: 'a rejected handshake prints its HTTP status',
  },
  {
    codes: [EXIT.ENVIRONMENT],
    meaning: 'environment: port in use, privileged port, open-file or port limits, results not writable',
    details: 'also a runtime that is not installed, or CPUs `taskset` refuses',
  },
  {
    codes: [EXIT.CLIENT_SATURATED],
    meaning: '`load` finished but the client was saturated',
    details: '`capacity`: the load generator became the limit before the server did',
  },
  { codes: [EXIT.TARGET_ERRORS], meaning: '`load` finished with target errors' },
  { codes: [EXIT.THRESHOLD], meaning: 'a `--threshold` or `--max-regression` limit was crossed', details: 'the CI gate; printed on stderr' },
  {
    codes: [EXIT.PARTIAL],
    meaning: '`compare` finished partly: a server could not be started',
    details: 'e.g. a runtime whose binary does not run; the runs that finished are written',
  },
  {
    codes: [EXIT.SIGINT, EXIT.SIGTERM],
    meaning: 'interrupted by SIGINT / SIGTERM (`load` writes the partial result)',
    details:
      'the partial result has `interrupted: true`; a signal during the trial connection or the conformance check stops at once with nothing to write; a second signal exits at once and discards the partial result',
  },
];

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
