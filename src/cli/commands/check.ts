import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT } from '../../contract/exit-codes.js';
import { PROBE_HEADER_BYTES } from '../../protocol/probe.js';
import { createLogger } from '../../core/logger.js';
import { listOption, logLevelOption, sizeBytesOption } from '../common/parse.js';
import type { CliContext } from '../common/context.js';
import { shownDefault } from '../common/help.js';
import { LOAD_DEFAULTS } from '../../core/defaults.js';
import { messageOptions, openingOf, type MessageCliFlags } from '../common/message-options.js';

/** The same limit `load --payload-size` enforces: the probe header must fit. */
function probeSizeOption(value: string): number {
  const bytes = sizeBytesOption(value);
  if (bytes < PROBE_HEADER_BYTES) throw new InvalidArgumentError(`must be at least ${PROBE_HEADER_BYTES} bytes, the size of the probe header (got ${value})`);
  return bytes;
}

export function registerCheck(program: Command, ctx: CliContext): void {
  const command = program
    .command('check')
    .description('conformance check: handshake, greeting, Pong or echo reply, the probe back intact, close handshake; binary echo warns')
    .argument('<url>', 'WebSocket URL of the server to check')
    .option('--protocol <list>', 'subprotocols to offer, comma-separated', listOption)
    .addOption(
      shownDefault(
        new Option('--payload-size <size>', 'size of the probe message, as `load --payload-size` will send it').argParser(probeSizeOption),
        LOAD_DEFAULTS.payloadBytes,
      ),
    )
    .option('--require-binary', 'fail (exit 3) when binary messages are not echoed, instead of warning', false)
    .addOption(
      new Option('--pattern <pattern>', 'what the load will send: echo (default), or broadcast (the probe must come back to its sender too)')
        .choices(['echo', 'broadcast'])
        .default('echo'),
    )
    .addOption(
      new Option('--format <format>', 'plain (default), or shootout: the websocket-shootout JSON protocol').choices(['plain', 'shootout']).default('plain'),
    );
  // What a templated load sends: the check runs its opening conversation and one templated message.
  for (const option of messageOptions()) if (option.long !== '--max-in-flight') command.addOption(option);
  command
    .option('--json', 'print the report as JSON on stdout', false)
    .addOption(logLevelOption())
    .action(
      async (
        url: string,
        flags: {
          protocol?: string[];
          payloadSize?: number;
          requireBinary: boolean;
          pattern: 'echo' | 'broadcast';
          format: 'plain' | 'shootout';
          json: boolean;
          logLevel: string;
        } & MessageCliFlags,
      ) => {
        const log = createLogger(flags.logLevel, ctx.stderr);
        // Implementation modules load on use, so `serve` does not carry every command's dependencies.
        const { runConformance } = await import('../../check/conformance.js');
        const { renderConformance, renderWarnings } = await import('../../check/render-check.js');
        const { messageConfig, validateMessaging } = await import('../../profile/message-config.js');
        const message = messageConfig(flags, LOAD_DEFAULTS);
        const opening = openingOf(flags);
        validateMessaging({ message, opening, pattern: flags.pattern, format: flags.format }, { payloadSizeGiven: flags.payloadSize !== undefined });
        log.debug({ url, protocols: flags.protocol, payloadBytes: flags.payloadSize }, `checking ${url}`);
        const report = await runConformance(url, {
          protocols: flags.protocol,
          payloadBytes: flags.payloadSize,
          requireBinary: flags.requireBinary,
          pattern: flags.pattern,
          format: flags.format,
          message,
          opening,
        });
        for (const c of report.checks) log.debug({ check: c.name, ok: c.ok, severity: c.severity }, `${c.name}: ${c.detail}`);
        log.debug(
          { url, ok: report.ok, replyStyle: report.replyStyle, protocol: report.protocol },
          report.ok ? 'conformance check passed' : 'conformance check failed',
        );
        ctx.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderConformance(report));
        // Warnings pass the check (exit 0), so they also go to stderr where a script's log shows them.
        if (report.ok) ctx.stderr.write(renderWarnings(report));
        ctx.exitCode = report.ok ? EXIT.OK : EXIT.TARGET;
      },
    );
}
