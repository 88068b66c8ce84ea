import { InvalidArgumentError, Option } from 'commander';
import { LOG_LEVELS } from '../../core/logger.js';
import { parseCount, parseDurationExactMs, parseDurationMs, parseScaled } from '../../profile/units.js';
import { parseCpuList } from '../../core/cpu-affinity.js';

/**
 * Flag value parsers. Each validates at the edge and says what was wrong in the user's words;
 * commander turns the thrown InvalidArgumentError into a usage error (exit 2).
 */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = /^-?\d[\d_]*$/.test(value.trim()) ? Number(value.replace(/_/g, '')) : NaN;
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`must be a whole number (got ${value})`);
    if (n < min) throw new InvalidArgumentError(`must be at least ${min} (got ${n})`);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max} (got ${n})`);
    return n;
  };
}

/** A count with optional decimal suffix: `500`, `10k` (10 000), `1m` (1 000 000). */
export function countOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = parseCount(value);
    if (n === undefined)
      throw new InvalidArgumentError(`must be a whole number, optionally with k (thousand) or m (million), like 500, 10k or 1m (got ${value})`);
    if (n < min) throw new InvalidArgumentError(`must be at least ${min} (got ${value})`);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max} (got ${value})`);
    return n;
  };
}

/** A positive number with optional k/m suffix (`--connect-rate 2k`); fractions allowed. */
export function positiveCountOption(value: string): number {
  const n = parseScaled(value);
  if (n === undefined || !(n > 0)) throw new InvalidArgumentError(`must be a number above 0, optionally with k or m, like 500 or 2k (got ${value})`);
  return n;
}

export function positiveNumberOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`must be a number above 0 (got ${value})`);
  return n;
}

/** `60s`, `2m`, `1m30s`, `500ms`, or a bare number of seconds. */
export function durationMsOption(value: string): number {
  const msValue = parseDurationMs(value);
  if (msValue === undefined) throw new InvalidArgumentError(`must be a duration like 30s, 1m30s or 500ms (got ${value})`);
  return msValue;
}

/** As durationMsOption, to the microsecond: `1ms`, `200us`, `0`. */
export function durationExactMsOption(value: string): number {
  const msValue = parseDurationExactMs(value);
  if (msValue === undefined) throw new InvalidArgumentError(`must be a duration like 1ms, 200us, 1.5ms or 0 (got ${value})`);
  return msValue;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** `65536`, `64KiB`, `64k`, `1MiB` → bytes. */
export function sizeBytesOption(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError(`must be a size like 65536, 64KiB or 1MiB (got ${value})`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes < 1) throw new InvalidArgumentError(`must be at least 1 byte (got ${value})`);
  return bytes;
}

export function listOption(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`must be one of ${choices.join(', ')} (got ${value})`);
    }
    return value as T;
  };
}

/** Repeatable flags (`--header a --header b`) collect their values in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--log-level`, the same on every command: pino's levels, or silent. */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'log level (JSON lines on stderr, pretty on a terminal)').choices([...LOG_LEVELS, 'silent']).default('info');
}

/** `--cpus 0`, `1-3`, `0,2`: CPUs that are online, sorted (pinning itself happens in placement.ts). */
export function cpuListOption(value: string): number[] {
  const parsed = parseCpuList(value);
  if ('problem' in parsed) throw new InvalidArgumentError(parsed.problem);
  return parsed.cpus;
}
