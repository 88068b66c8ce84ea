/**
 * Names a connection failure by its cause, in the words the result's `failuresByCause` uses:
 * refused, timeout, reset, EADDRNOTAVAIL, EMFILE, handshake-<status>, or the error code.
 */
export function failureCause(err: Error & { code?: string }): string {
  const status = /Unexpected server response: (\d+)/.exec(err.message);
  if (status) return `handshake-${status[1]}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'EMFILE':
    case 'ENFILE':
      return 'EMFILE';
    case 'EADDRNOTAVAIL':
    case 'EADDRINUSE':
      return 'EADDRNOTAVAIL';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    default:
      if (/handshake has timed out/i.test(err.message)) return 'timeout';
      return err.code ?? 'other';
  }
}
