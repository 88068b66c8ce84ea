import { arrivalSeedOption, arrivalsOption } from '../common/arrivals-options.js';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger, LOG_LEVELS } from '../../core/logger.js';
import { EXIT } from '../../contract/exit-codes.js';
import { usageError } from '../../core/errors.js';
import { collect, countOption, cpuListOption, durationMsOption, intOption, oneOf, positiveNumberOption, sizeBytesOption } from '../common/parse.js';
import { placeServersAndLoad } from '../common/placement.js';
import { abortOnSignal, progressSink } from '../common/interruption.js';
import { TOOL } from '../common/tool.js';
import type { CliContext } from '../common/context.js';
import { dashboardHostOption, dashboardOption, metricsHostOption, metricsPortOption, startLiveView, type LiveFlags } from '../common/live-options.js';
import { CAPACITY_DEFAULTS, LOAD_DEFAULTS, RESULTS_DIR } from '../../core/defaults.js';
import { shownDefault } from '../common/help.js';
import { RUNTIMES } from '../../targets/runtimes.js';
import type { Threshold } from '../../gate/thresholds.js';
import type { SearchSettings } from '../../capacity/search.js';
import type { CapacityOptions, CapacityOutcome } from '../../capacity/run-capacity.js';
import { messageOptions, messageSettings, type MessageCliFlags } from '../common/message-options.js';

interface CapacityCliFlags {
  runtime?: string;
  server?: string;
  slo: string[];
  rate: number;
  from: number;
  to: number;
  step: { kind: 'add'; n: number } | { kind: 'mul'; factor: number };
  bisect: boolean;
  resolution: number;
  duration: number;
  warmup: number;
  repeat: number;
  connectRate?: number;
  payloadSize?: number;
  pattern: 'echo' | 'broadcast';
  senders?: number;
  format: 'plain' | 'shootout';
  arrivals?: 'grid' | 'spread' | 'poisson';
  arrivalSeed?: number;
  serverPid?: number;
  check: boolean;
  out?: string;
  json: boolean;
  logLevel: string;
  serverCpus?: number[];
  loadCpus?: number[];
}

/** `5000` (added each step) or `x2` (multiplied). */
function stepOption(value: string): CapacityCliFlags['step'] {
  const mul = /^x(\d+(?:\.\d+)?)$/i.exec(value.trim());
  if (mul && Number(mul[1]) > 1) return { kind: 'mul', factor: Number(mul[1]) };
  const n = Number(value.replace(/k$/i, '000'));
  if (Number.isInteger(n) && n >= 1) return { kind: 'add', n };
  throw new InvalidArgumentError(`must be a client count to add (5000, 5k) or a factor like x2 (got ${value})`);
}

/** How --help shows a step: `5000` or `x2`. */
function stepLabel(step: CapacityCliFlags['step']): string {
  return step.kind === 'mul' ? `x${step.factor}` : String(step.n);
}

function percentOption(value: string): number {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || n >= 100) throw new InvalidArgumentError(`must be a percentage between 0 and 100, like 5% (got ${value})`);
  return n / 100;
}

export function registerCapacity(program: Command, ctx: CliContext): void {
  const command = program
    .command('capacity')
    .description('search for the most clients a server holds at a fixed rate while meeting an SLO (each step a full run with its verdict)')
    .argument('[url]', 'target WebSocket URL (one server for every step); or use --runtime / --server')
    .addOption(new Option('--runtime <name>', 'start `wsbench serve --runtime <name>` fresh for every run').choices([...RUNTIMES]))
    .option('--server <spec>', "start an external server fresh for every run: 'name=command with {port}'")
    .option(
      '--slo <limit>',
      `what a step must meet, on the median of its runs, e.g. 'latency.p99<100ms' (repeatable; the --threshold figure names) (default: ${CAPACITY_DEFAULTS.slo})`,
      collect,
      [],
    )
    .option('-r, --rate <n>', 'messages per second per client', positiveNumberOption, CAPACITY_DEFAULTS.ratePerClient)
    .option('--from <n>', 'first client count (k/m suffixes: 10k)', countOption(1), CAPACITY_DEFAULTS.from)
    .option('--to <n>', 'largest client count to try', countOption(1), CAPACITY_DEFAULTS.to)
    .addOption(
      shownDefault(
        new Option('--step <n|xF>', 'growth until the first failure: add n clients, or multiply by F (x2)')
          .argParser(stepOption)
          .default(CAPACITY_DEFAULTS.step),
        stepLabel(CAPACITY_DEFAULTS.step),
      ),
    )
    .option('--no-bisect', 'stop at the first failing step instead of bisecting between it and the last passing one')
    .option(
      '--resolution <percent>',
      'bisect until first failing − last passing is at most this share of the last passing count',
      percentOption,
      CAPACITY_DEFAULTS.resolution,
    )
    .option('-d, --duration <duration>', 'measured window of each run', durationMsOption, CAPACITY_DEFAULTS.durationMs)
    .option('--warmup <duration>', 'warm-up of each run', durationMsOption, CAPACITY_DEFAULTS.warmupMs)
    .option('--repeat <n>', 'runs per step, judged on their median', intOption(1, 20), CAPACITY_DEFAULTS.repeat)
    .addOption(
      shownDefault(new Option('--connect-rate <n>', 'new connections per second during each ramp').argParser(positiveNumberOption), LOAD_DEFAULTS.connectRate),
    )
    .addOption(shownDefault(new Option('--payload-size <size>', 'message size in bytes').argParser(sizeBytesOption), LOAD_DEFAULTS.payloadBytes))
    .addOption(arrivalsOption())
    .addOption(arrivalSeedOption())
    .addOption(
      new Option('--pattern <pattern>', 'echo, or broadcast: --senders clients send and every client times each delivery')
        .choices(['echo', 'broadcast'])
        .default(CAPACITY_DEFAULTS.pattern),
    )
    .option('--senders <n>', "broadcast: clients that send (default: 1 % of each step's clients, at least 1)", intOption(1))
    .addOption(
      new Option('--format <format>', 'plain, or shootout: the websocket-shootout JSON protocol')
        .choices(['plain', 'shootout'])
        .default(CAPACITY_DEFAULTS.format),
    );
  // The same templated run and opening conversation as load's, for every step.
  for (const option of messageOptions()) command.addOption(option);
  command
    .option('--server-pid <pid>', 'with a URL: sample this process (and its children) for server RSS and CPU', intOption(1))
    .option('--no-check', 'skip the conformance check before the first step')
    .option('--server-cpus <list>', 'with --runtime or --server: pin every server it starts to these CPUs, e.g. 0', cpuListOption)
    .option('--load-cpus <list>', 'pin its own load to these CPUs, e.g. 1; must not overlap --server-cpus', cpuListOption)
    .addOption(shownDefault(new Option('-o, --out <dir>', 'output folder'), `${RESULTS_DIR}/capacity-<timestamp>`))
    .option('--json', 'print capacity.json on stdout (the table goes to stderr)', false)
    .addOption(metricsPortOption())
    .addOption(metricsHostOption())
    .addOption(dashboardOption())
    .addOption(dashboardHostOption())
    .addOption(new Option('--log-level <level>', 'log level').choices([...LOG_LEVELS, 'silent']).default(CAPACITY_DEFAULTS.logLevel))
    .addHelpText(
      'after',
      `
Exit codes: 0 an answer was found (or the SLO held up to --to), 3 the target is unreachable or fails the
conformance check, 5 the load generator became the limit before the server did (the answer is a lower
bound), 130/143 interrupted (the steps so far are written).`,
    )
    .action(async (url: string | undefined, flags: CapacityCliFlags & LiveFlags & MessageCliFlags) => {
      const log = createLogger(flags.logLevel, ctx.stderr);
      const { checkOneTarget, oneTarget, referenceServeArgs } = await import('../../targets/make-targets.js');
      const targetFlags = {
        url,
        runtime: flags.runtime === undefined ? undefined : oneOf(RUNTIMES)(flags.runtime),
        server: flags.server,
        serverPid: flags.serverPid,
        serverCpus: flags.serverCpus,
      };
      checkOneTarget(targetFlags, 'capacity');
      if (flags.from > flags.to) throw usageError(`--from must not be above --to (got ${flags.from} > ${flags.to})`);
      const serverCpus = placeServersAndLoad(flags.serverCpus, flags.loadCpus, log);
      const slos = await parseSlos(flags.slo);
      const { runCapacity } = await import('../../capacity/run-capacity.js');
      const { STEP_TABLE_HEADER, stepLine } = await import('../../capacity/capacity-report.js');
      const { fileTimestamp } = await import('../../result-files/write-results.js');
      // The reference server speaks what the load will send.
      const target = oneTarget(targetFlags, referenceServeArgs(flags), serverCpus, 'capacity', { env: ctx.env });
      const outDir = flags.out ?? path.join(RESULTS_DIR, `capacity-${fileTimestamp(new Date())}`);
      const live = await startLiveView(ctx, log, flags, { title: 'wsbench capacity' });
      const interrupt = abortOnSignal(ctx, log, 'finishing the current run and writing the steps so far');
      const startedAt = new Date();
      ctx.stderr.write(`wsbench capacity ${target.name}: ${slos.map((s) => s.source).join(', ')} at ${flags.rate} msg/s per client\n${STEP_TABLE_HEADER}\n`);
      const outcome = await runCapacity(
        {
          target,
          slos,
          search: searchSettings(flags),
          repeat: flags.repeat,
          check: flags.check,
          load: loadSettings(flags),
          outDir,
          tool: TOOL,
          argv: ctx.argv,
        },
        { log, abort: interrupt.signal, progress: () => progressSink(ctx, log), onStep: (step, i) => ctx.stderr.write(stepLine(step, i) + '\n') },
      );
      const written = await writeAndReport({ ctx, flags, targetName: target.name, slos, outcome, outDir, startedAt });
      await live.finish({ htmlFile: written.html });
      if (outcome.interrupted) ctx.exitCode = interrupt.interruptedExitCode();
      else if (outcome.runError) ctx.exitCode = outcome.runError.exitCode;
      else if (outcome.answer.kind === 'client-limit') ctx.exitCode = EXIT.CLIENT_SATURATED;
    });
}

/** --slo, or the default SLO when none is given; an unknown figure name is a usage error. */
async function parseSlos(given: string[]): Promise<Threshold[]> {
  const { parseThreshold, validateThresholdNames } = await import('../../gate/thresholds.js');
  const slos = (given.length ? given : [CAPACITY_DEFAULTS.slo]).map(parseThreshold);
  validateThresholdNames(slos);
  return slos;
}

function searchSettings(flags: CapacityCliFlags): SearchSettings {
  return { from: flags.from, to: flags.to, step: flags.step, bisect: flags.bisect, resolution: flags.resolution };
}

/** The load settings every run of the search shares. */
function loadSettings(flags: CapacityCliFlags & MessageCliFlags): CapacityOptions['load'] {
  return {
    rate: flags.rate,
    durationMs: flags.duration,
    warmupMs: flags.warmup,
    connectRate: flags.connectRate,
    payloadBytes: flags.payloadSize,
    pattern: flags.pattern,
    senders: flags.senders,
    format: flags.format,
    arrivals: flags.arrivals,
    arrivalSeed: flags.arrivalSeed,
    ...messageSettings(flags),
  };
}

/** capacity.json, .csv and .html, then the answer on stderr (and the document on stdout with --json). */
async function writeAndReport(r: {
  ctx: CliContext;
  flags: CapacityCliFlags & MessageCliFlags;
  targetName: string;
  slos: Threshold[];
  outcome: CapacityOutcome;
  outDir: string;
  startedAt: Date;
}): Promise<{ html: string }> {
  const { writeCapacity } = await import('../../capacity/write-capacity.js');
  const { ctx, flags, outcome } = r;
  const written = writeCapacity(r.outDir, {
    kind: 'wsbench-capacity',
    schemaVersion: 1,
    tool: TOOL,
    target: r.targetName,
    startedAt: r.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: {
      ...searchSettings(flags),
      ratePerClient: flags.rate,
      durationS: flags.duration / 1000,
      warmupS: flags.warmup / 1000,
      repeat: flags.repeat,
      slos: r.slos.map((s) => s.source),
      ...(flags.message !== undefined || flags.messageFile !== undefined ? { messaging: messageSettings(flags) } : {}),
    },
    steps: outcome.steps,
    answer: outcome.answer,
    interrupted: outcome.interrupted,
  });
  const a = outcome.answer;
  const margin =
    a.lastPassing !== null && a.firstFailing !== null
      ? ` (margin: passed at ${a.lastPassing.toLocaleString('en-US')}, failed at ${a.firstFailing.toLocaleString('en-US')})`
      : '';
  ctx.stderr.write(`\ncapacity: ${a.message}${margin}\nresults: ${written.json}\n         ${written.csv}\n         ${written.html}\n`);
  if (flags.json) ctx.stdout.write(written.text);
  return written;
}
