import { pino, type Logger, type Level } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * JSON lines on stderr, human-readable when stderr is a terminal.
 * stdout stays free for results (`--json`).
 */
export function createLogger(level: string, stream: NodeJS.WriteStream = process.stderr): Logger {
  const lvl = level === 'silent' ? 'silent' : level;
  if (stream.isTTY) {
    return pino({ level: lvl }, pretty({ destination: stream, sync: true, ignore: 'pid,hostname' }));
  }
  return pino({ level: lvl, base: { pid: process.pid } }, pino.destination({ fd: (stream as NodeJS.WriteStream & { fd?: number }).fd ?? 2, sync: true }));
}
