import { pino, type Logger, type Level } from 'pino';
import pretty from 'pino-pretty';
import { Writable } from 'node:stream';

export type { Logger };

export const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** What owns the terminal's last lines (the live progress bar): cleared before a log line, redrawn after it. */
export interface TerminalOverlay {
  clear(): void;
  redraw(): void;
}

let overlay: TerminalOverlay | undefined;

/** The live view registers its bar here while it is drawn (undefined: none). */
export function setTerminalOverlay(o: TerminalOverlay | undefined): void {
  overlay = o;
}

/**
 * JSON lines on stderr, human-readable when stderr is a terminal: there, one line per message, its
 * fields shown only at debug and trace (JSON logs always have them), written above the live bar;
 * `fieldsOnTerminal` keeps the fields, a key per line (serve: its start-up limits are in them).
 * stdout stays free for results (`--json`).
 */
export function createLogger(level: string, stream: NodeJS.WriteStream = process.stderr, opts: { fieldsOnTerminal?: boolean } = {}): Logger {
  const lvl = level === 'silent' ? 'silent' : level;
  if (stream.isTTY) {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        overlay?.clear();
        // One message per chunk; with hideObject pino-pretty leaves the line unterminated.
        const line = chunk.toString();
        stream.write(line.endsWith('\n') ? line : `${line}\n`);
        overlay?.redraw();
        callback();
      },
    });
    if (opts.fieldsOnTerminal) return pino({ level: lvl }, pretty({ destination, sync: true, ignore: 'pid,hostname' }));
    const hideObject = lvl !== 'debug' && lvl !== 'trace';
    return pino({ level: lvl }, pretty({ destination, sync: true, ignore: 'pid,hostname', hideObject, singleLine: true }));
  }
  return pino({ level: lvl, base: { pid: process.pid } }, pino.destination({ fd: (stream as NodeJS.WriteStream & { fd?: number }).fd ?? 2, sync: true }));
}
