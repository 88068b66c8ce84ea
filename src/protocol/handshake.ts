import { createHash } from 'node:crypto';

/** RFC 6455 §1.3: the GUID appended to the client's key before hashing. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The `Sec-WebSocket-Accept` value a server must answer for a client key. */
export function acceptKey(clientKey: string): string {
  return createHash('sha1').update(clientKey + WS_GUID).digest('base64');
}

/** Protocol versions the server speaks; anything else gets 426 with this list (RFC 6455 §4.4). */
export const SUPPORTED_VERSIONS = ['13', '8'] as const;
