import type { ResultDocument } from '../contract/result.js';

/**
 * What each client sent, in a few words: the probe's size, or for a templated run the reply rule
 * (a template's size changes with its placeholders, so a byte count would mislead).
 */
export function messageDescription(c: Pick<ResultDocument['config'], 'payloadBytes' | 'message'>): string {
  return c.message ? `templated messages (--reply-id ${c.message.replyId})` : `${c.payloadBytes} B payload`;
}
