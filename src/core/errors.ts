import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * Stable error codes. Each maps to one exit code and carries a hint that says how to fix it.
 * The README's "Errors" table lists them.
 */
export const ERROR_EXIT: Record<string, ExitCode> = {
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
  /** A signal before the load started: nothing was measured (the CLI exits 130 or 143 by the signal). */
  WSB_ERR_INTERRUPTED: EXIT.SIGINT,
  WSB_ERR_INTERNAL: EXIT.INTERNAL,
};

export type ErrorCode = keyof typeof ERROR_EXIT;

/** A failure the user can act on: one line of message, one line of hint, no stack trace. */
export class WsbError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  /** `exitCode` overrides the code's own only where the code cannot know it (which signal interrupted). */
  constructor(code: ErrorCode, message: string, hint?: string, exitCode?: ExitCode) {
    super(message);
    this.name = 'WsbError';
    this.code = code;
    this.exitCode = exitCode ?? ERROR_EXIT[code] ?? EXIT.INTERNAL;
    this.hint = hint;
  }
}

/** Shorthand for the most common failure: a flag or profile field with a bad value. */
export function usageError(message: string, hint?: string): WsbError {
  return new WsbError('WSB_ERR_USAGE', message, hint);
}

export function isWsbError(err: unknown): err is WsbError {
  return err instanceof WsbError;
}
