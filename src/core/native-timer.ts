import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon native/send-timer.c, built by `npm install` (native/build.mjs) on Linux. */
export interface SendTimerAddon {
  create(onExpiry: () => void): unknown;
  /** One expiry `delayNs` from now, replacing any pending one. */
  arm(handle: unknown, delayNs: number): void;
  close(handle: unknown): void;
}

/** Where node-gyp puts it: <package>/build/Release, three folders above dist/src/core. */
const ADDON_PATH = fileURLToPath(new URL('../../../build/Release/send_timer.node', import.meta.url));

let cached: { ok: true; addon: SendTimerAddon } | { ok: false; why: string } | undefined;

/** The addon, or why it cannot be had (not Linux, not built, or it does not load on this Node). */
export function loadSendTimer(): { ok: true; addon: SendTimerAddon } | { ok: false; why: string } {
  if (cached) return cached;
  if (process.platform !== 'linux') return (cached = { ok: false, why: `it is Linux-only and this is ${process.platform}` });
  try {
    cached = { ok: true, addon: createRequire(import.meta.url)(ADDON_PATH) as SendTimerAddon };
  } catch (err) {
    cached = { ok: false, why: `${ADDON_PATH} did not load (${(err as Error).message.split('\n')[0]}); npm rebuild wsbench builds it` };
  }
  return cached;
}
