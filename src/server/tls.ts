import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { WsbError } from '../core/errors.js';

/**
 * Reads and parses --cert/--key up front, so a bad path or a file that is not PEM is one clear
 * line (in the primary, before any worker starts), not an OpenSSL stack trace.
 */
export function loadTls(certPath: string | undefined, keyPath: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) {
    throw new WsbError('WSB_ERR_TLS_FILE', '--cert and --key must be given together', 'pass both PEM files to serve wss://');
  }
  const cert = readPem(certPath, '--cert');
  const key = readPem(keyPath, '--key');
  parse({ cert }, `--cert file ${certPath} is not a PEM certificate`, 'pass the certificate (-----BEGIN CERTIFICATE-----), not the key or a DER file');
  parse({ key }, `--key file ${keyPath} is not a PEM private key (or it is encrypted)`, 'pass an unencrypted PEM key (-----BEGIN PRIVATE KEY-----)');
  parse({ cert, key }, `--key file ${keyPath} does not belong to --cert file ${certPath}`, 'pass the key the certificate was issued for');
  return { cert, key };
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new WsbError('WSB_ERR_TLS_FILE', `cannot read ${flag} file ${path} (${code})`, 'check the path and its permissions');
  }
}

function parse(files: { cert?: Buffer; key?: Buffer }, message: string, hint: string): void {
  try {
    createSecureContext(files);
  } catch (err) {
    // OpenSSL's reason ("PEM routines::no start line") is kept, without its stack.
    const reason = (err as Error).message.replace(/^error:[0-9A-F]+:/, '');
    throw new WsbError('WSB_ERR_TLS_FILE', `${message} (${reason})`, hint);
  }
}
