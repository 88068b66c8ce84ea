import { readFileSync } from 'node:fs';
import { WsbError } from '../core/errors.js';

/** Reads --cert/--key up front so a bad path is one clear line, not a TLS stack trace. */
export function loadTls(certPath: string | undefined, keyPath: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) {
    throw new WsbError('WSB_ERR_TLS_FILE', '--cert and --key must be given together', 'pass both PEM files to serve wss://');
  }
  return { cert: readPem(certPath, '--cert'), key: readPem(keyPath, '--key') };
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new WsbError('WSB_ERR_TLS_FILE', `cannot read ${flag} file ${path} (${code})`, 'check the path and its permissions');
  }
}
