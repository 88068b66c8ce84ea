import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon native/send-timer.c: a prebuild shipped in the package, or built by `npm install` (native/build.mjs). */
export interface SendTimerAddon {
  create(onExpiry: () => void): unknown;
  /** One expiry `delayNs` from now, replacing any pending one. */
  arm(handle: unknown, delayNs: number): void;
  close(handle: unknown): void;
}

/** The package root, three folders above dist/src/core: where build/Release and prebuilds/ are. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type SendTimerLoad = { ok: true; addon: SendTimerAddon; file: string } | { ok: false; why: string };

let cached: SendTimerLoad | undefined;

/**
 * The addon, or why it cannot be had (not Linux, neither built nor prebuilt, or it does not load on
 * this Node). node-gyp-build picks it: a local build (build/Release) first, else the prebuild that
 * fits this platform and arch.
 */
export function loadSendTimer(): SendTimerLoad {
  if (cached) return cached;
  if (process.platform !== 'linux') return (cached = { ok: false, why: `it is Linux-only and this is ${process.platform}` });
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    file = (require('node-gyp-build') as { path(dir: string): string }).path(PACKAGE_ROOT);
  } catch {
    return (cached = { ok: false, why: `no build of it and no prebuild for linux-${process.arch}; npm rebuild wsbench builds it (with a C compiler)` });
  }
  try {
    cached = { ok: true, addon: require(file) as SendTimerAddon, file };
  } catch (err) {
    cached = { ok: false, why: `${file} did not load (${firstLine(err)}); npm rebuild wsbench builds it` };
  }
  return cached;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
