import { createHash } from 'node:crypto';

/** RFC 6455 §1.3: the GUID appended to the client's key before hashing. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The `Sec-WebSocket-Accept` value a server must answer for a client key. */
export function acceptKey(clientKey: string): string {
  return createHash('sha1')
    .update(clientKey + WS_GUID)
    .digest('base64');
}

/**
 * A WebSocket handshake that did not end in a usable connection: a status other than 101
 * (`status` set), or a 101 that breaks RFC 6455 (bad accept value, unoffered extension, …).
 * A typed error, so that failures are named by code and status, never by parsing message text.
 */
export class HandshakeError extends Error {
  readonly code = 'WSB_HANDSHAKE';
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'HandshakeError';
    this.status = status;
  }
}
