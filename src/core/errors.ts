import { ERROR_EXIT, EXIT, type ErrorCode, type ExitCode } from '../contract/exit-codes.js';

export type { ErrorCode };

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
