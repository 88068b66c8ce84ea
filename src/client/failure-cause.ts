import { HandshakeError } from './handshake.js';

/** The code of an attempt whose TCP connection the server closed, without a reset, before answering. */
export const CLOSED_BEFORE_UPGRADE = 'WSB_CLOSED_BEFORE_UPGRADE';

/** Causes of a connection whose opening conversation (--on-open, --await) did not finish: no answer in time, or the server closed it. */
export const OPENING_TIMEOUT = 'opening-timeout';
export const OPENING_CLOSED = 'opening-closed';

/**
 * Names a connection failure by its cause, in the words the result's `failuresByCause` uses:
 * refused, timeout, reset, closed (before the upgrade's answer), EADDRNOTAVAIL, EADDRINUSE, EMFILE,
 * dns, handshake-<status>, handshake (a 101 that breaks RFC 6455), opening-timeout / opening-closed (the opening conversation did not finish), or the error code. By code and status only: both clients raise a
 * HandshakeError for a refused handshake (connector.ts turns ws's 'unexpected-response' into one).
 */
export function failureCause(err: Error & { code?: string }): string {
  if (err instanceof HandshakeError) return err.status === undefined ? 'handshake' : `handshake-${err.status}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case CLOSED_BEFORE_UPGRADE:
      return 'closed';
    case 'EMFILE':
    case 'ENFILE':
      return 'EMFILE';
    case 'EADDRNOTAVAIL':
      return 'EADDRNOTAVAIL';
    case 'EADDRINUSE':
      return 'EADDRINUSE';
    case OPENING_TIMEOUT:
    case OPENING_CLOSED:
      return err.code;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    default:
      // ws's own handshake timeout is the one error it raises without a code (ws 8.x).
      if (/handshake has timed out/i.test(err.message)) return 'timeout';
      return err.code ?? 'other';
  }
}
