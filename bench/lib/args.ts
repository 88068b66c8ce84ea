/** The bench scripts' command-line loop: numeric `--flag value` / `--flag=value` options, usage errors exit 2. */

export interface FlagSpec<K extends string> {
  /** Prefix of every error message (the script's name). */
  script: string;
  /** Numeric flags: command-line spelling to settings key. */
  names: Record<string, K>;
  /** Appended to the "unknown argument" message. */
  unknownHint?: string;
  /** Seen first for each argument: 'next' when it was handled (a switch), 'stop' to end the loop there. */
  before?: (arg: string, index: number) => 'next' | 'stop' | undefined;
  /** What is wrong with a value, said after the flag ("needs a whole number"); undefined when it is fine. */
  check: (key: K, value: number) => string | undefined;
  set: (key: K, value: number) => void;
}

/** Writes `script: message` to stderr and exits with code 2. */
export function usageError(script: string, message: string): never {
  process.stderr.write(`${script}: ${message}\n`);
  process.exit(2);
}

export function parseFlags<K extends string>(argv: string[], spec: FlagSpec<K>): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const pre = spec.before?.(a, i);
    if (pre === 'next') continue;
    if (pre === 'stop') break;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const key = spec.names[flag];
    if (!key) usageError(spec.script, `unknown argument ${a}${spec.unknownHint ?? ''}`);
    const value = Number(inline ?? argv[++i]);
    const problem = spec.check(key, value);
    if (problem !== undefined) usageError(spec.script, `${flag} ${problem}`);
    spec.set(key, value);
  }
}
