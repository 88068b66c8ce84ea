import { PONG_PREFIX } from '../contract/pong.js';

/** `Pong: ` as bytes, for the hot paths that build and recognise replies without strings. */
export const PONG_PREFIX_BYTES = Buffer.from(PONG_PREFIX);
