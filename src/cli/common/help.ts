/**
 * What `--help` says beyond the flag list: defaults in the units the README uses, an Examples
 * block per command and, on `wsbench --help`, the exit codes (as k6 lists them, from contract/exit-codes.ts). Kept in one file
 * so the help reads alike on every command.
 */
import type { Command, HelpConfiguration, Option } from 'commander';
import { formatDurationMs } from '../../profile/units.js';
import { EXIT_CODE_TABLE } from '../../contract/exit-codes.js';

/** 65536 → `64KiB`, 1048576 → `1MiB`; sizes that are not whole KiB stay in bytes. */
function sizeText(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return String(bytes);
}

/**
 * A default as a user would type it: lists comma-separated (not JSON), sizes in KiB/MiB and
 * durations as `30s`, recognised by the flag's value name (`<size>`, `<duration>`).
 */
export function defaultText(option: Option, value: unknown = option.defaultValue): string {
  const v = value;
  if (option.defaultValueDescription) return option.defaultValueDescription;
  if (Array.isArray(v)) return v.length ? v.join(',') : 'none';
  if (typeof v === 'number' && /<size>/.test(option.flags)) return sizeText(v);
  if (typeof v === 'number' && /<duration>/.test(option.flags)) return formatDurationMs(v);
  return String(v);
}

/**
 * Shows `value` (from src/core/defaults.ts) as the flag's default in --help while the flag's own
 * default stays undefined: a profile's value must still show through when the flag is not given.
 */
export function shownDefault(option: Option, value: unknown): Option {
  option.defaultValueDescription = defaultText(option, value);
  return option;
}

/** Commander's option description, with our default text and choices without JSON quotes. */
function optionDescription(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`choices: ${option.argChoices.join(', ')}`);
  const takesValue = option.required || option.optional;
  // A description that already names its default ("(default 30s)") needs no second one.
  const hasDefault = option.defaultValue !== undefined || option.defaultValueDescription !== undefined;
  if (hasDefault && takesValue && !/\bdefault\b/.test(option.description)) extra.push(`default: ${defaultText(option)}`);
  if (option.envVar !== undefined) extra.push(`env: ${option.envVar}`);
  if (extra.length === 0) return option.description;
  return option.description ? `${option.description} (${extra.join('; ')})` : `(${extra.join('; ')})`;
}

export const HELP_CONFIG: HelpConfiguration = { optionDescription, showGlobalOptions: false };

const EXAMPLES: Record<string, string[]> = {
  serve: [
    'wsbench serve --port 8080',
    'wsbench serve --port 8080 --workers auto --max-payload 64KiB --ping-interval 30s',
    'wsbench serve --port 0 --host 127.0.0.1 --log-level warn    # a free port, printed on stdout',
    'wsbench serve --runtime bun --port 8081',
  ],
  load: [
    'wsbench load ws://127.0.0.1:8080/ --clients 1k --rate 1 --duration 1m --warmup 10s --server-pid <pid>',
    'wsbench load --profile 10k --server-pid <pid>',
    'wsbench load --profile smoke --threshold "latency.p99<50ms" --threshold "errors==0"',
    'wsbench load ws://target:8080/ --profile 100k --shard 0/4 --start-at 2026-12-01T12:00:00Z --out shard0',
    'wsbench load --profile smoke --json > result.json',
  ],
  demo: ['wsbench demo', 'wsbench demo --profile 1k --out /tmp/results'],
  check: [
    'wsbench check ws://127.0.0.1:8080/',
    'wsbench check ws://127.0.0.1:8080/chat --protocol chat --payload-size 1KiB --json',
    'wsbench check wss://example.test/ws --require-binary',
  ],
  report: [
    'wsbench report results/*.json',
    'wsbench report results/*.json --format html --out report.html',
    'wsbench report results/*.json --format md >> "$GITHUB_STEP_SUMMARY"',
    'wsbench report new.json --baseline base.json --max-regression latency.p99=10%,messagesPerSec=5%,server.rssPerConnectionKb=5%',
  ],
  compare: [
    'wsbench compare --runtimes node,bun,deno,uws --profiles 1k,10k,100k --repeat 3',
    "wsbench compare --runtimes node --server 'mine=node my-server.js --port {port}' --profiles smoke",
  ],
  capacity: [
    "wsbench capacity --runtime node --slo 'latency.p99<100ms'",
    'wsbench capacity ws://127.0.0.1:8080/ --server-pid 1234 --from 5k --step 5k --to 60k --repeat 3',
    "wsbench capacity --runtime uws --slo 'latency.p99<50ms' --slo 'errors==0'",
    "wsbench capacity --server 'mine=node my-server.js {port}' --to 20k",
    "wsbench capacity --runtime node --pattern broadcast --senders 10 --slo 'latency.p99<500ms'",
  ],
  merge: ['wsbench merge shard0/*.json shard1/*.json shard2/*.json shard3/*.json --out merged', 'wsbench merge shard*/*.json --json > merged.json'],
};

/** `wsbench --help`: the exit codes a script can rely on, from the one table (contract/exit-codes.ts). */
function exitCodesHelp(): string {
  const rows = EXIT_CODE_TABLE.map((row) => `  ${row.codes.join(' / ').padEnd(9)}  ${row.meaning.replace(/`/g, '')}`);
  return `
Exit codes:
${rows.join('\n')}

Numbers take k and m for thousand and million (--clients 10k); durations take 90, 90s, 1m30s, 500ms.
Run \`wsbench <command> --help\` for a command's flags and examples.
`;
}

function examplesText(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** Appends the Examples blocks to the commands and the exit codes to the top-level help. */
export function addHelpTexts(program: Command): void {
  for (const cmd of program.commands) {
    const lines = EXAMPLES[cmd.name()];
    if (lines) cmd.addHelpText('after', examplesText(lines));
  }
  program.addHelpText('after', exitCodesHelp());
}
