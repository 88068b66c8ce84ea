import { Command, Option, InvalidArgumentError } from 'commander';
import { createLogger } from '../../core/logger.js';
import {
  collect,
  countOption,
  durationMsOption,
  intOption,
  listOption,
  logLevelOption,
  positiveCountOption,
  positiveNumberOption,
  sizeBytesOption,
  cpuListOption,
} from '../common/parse.js';
import { pinThisProcess } from '../common/placement.js';
import { parseLocalAddresses } from '../../load/plan/run-plan.js';
import { parseThreshold, validateThresholdNames } from '../../gate/thresholds.js';
import type { CliContext } from '../common/context.js';
import { arrivalSeedOption, arrivalsOption } from '../common/arrivals-options.js';
import { dashboardHostOption, dashboardOption, metricsHostOption, metricsPortOption, startLiveView, type LiveFlags } from '../common/live-options.js';
import { shownDefault } from '../common/help.js';
import { LOAD_DEFAULTS, RESULTS_DIR } from '../../core/defaults.js';
import { PROBE_HEADER_BYTES } from '../../protocol/probe.js';
import { messageOptions, messageSettings, type MessageCliFlags } from '../common/message-options.js';

interface LoadCliFlags {
  clients?: number;
  rate?: number;
  duration?: number;
  warmup?: number;
  connectRate?: number;
  payloadSize?: number;
  protocol?: string[];
  deflate?: boolean;
  header: string[];
  origin?: string;
  threads?: number;
  processes?: number;
  localAddress?: string[];
  client?: 'lean' | 'ws';
  check: boolean;
  shard?: { index: number; count: number };
  startAt?: number;
  profile?: string;
  serverPid?: number;
  out?: string;
  name?: string;
  json: boolean;
  threshold: string[];
  logLevel: string;
  grace?: number;
  connectTimeout?: number;
  pattern?: 'echo' | 'broadcast';
  senders?: number;
  format?: 'plain' | 'shootout';
  arrivals?: 'grid' | 'spread' | 'poisson';
  arrivalSeed?: number;
  cpus?: number[];
}

function shardOption(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new InvalidArgumentError(`must be i/n with 0 <= i < n, e.g. 0/4 (got ${value})`);
  return { index, count };
}

function startAtOption(value: string): number {
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new InvalidArgumentError(`must be an ISO time like 2026-01-01T12:00:00Z (got ${value})`);
  return t;
}

export function registerLoad(program: Command, ctx: CliContext): void {
  const command = program
    .command('load')
    .description('open-model load: N clients each send on a fixed schedule; latency (HDR), memory and CPU into results/')
    .argument('[url]', "target WebSocket URL (default: ws://127.0.0.1:8080/, or the profile's)")
    .addOption(
      shownDefault(new Option('-c, --clients <n>', 'connections to open; k = thousand, m = million: 10k, 1m').argParser(countOption(1)), LOAD_DEFAULTS.clients),
    )
    .addOption(
      shownDefault(
        new Option('-r, --rate <n>', 'messages per second per client; fractions allowed, e.g. 0.1').argParser(positiveNumberOption),
        LOAD_DEFAULTS.ratePerClient,
      ),
    )
    .addOption(
      shownDefault(
        new Option('-d, --duration <duration>', 'measured window: 60s, 1m30s, 2m; a bare number is seconds').argParser(durationMsOption),
        LOAD_DEFAULTS.durationMs,
      ),
    )
    .addOption(
      shownDefault(new Option('--warmup <duration>', 'sending before the window, excluded from figures').argParser(durationMsOption), LOAD_DEFAULTS.warmupMs),
    )
    .addOption(
      shownDefault(
        new Option('--connect-rate <n>', 'new connections per second during the ramp; 2k = 2000').argParser(positiveCountOption),
        LOAD_DEFAULTS.connectRate,
      ),
    )
    .addOption(
      shownDefault(
        new Option('--payload-size <size>', `message size in bytes, at least the ${PROBE_HEADER_BYTES}-byte probe header`).argParser(sizeBytesOption),
        LOAD_DEFAULTS.payloadBytes,
      ),
    )
    .option('--protocol <list>', 'subprotocols to offer, comma-separated', listOption)
    .option('--deflate', 'offer permessage-deflate')
    .option('-H, --header <header>', 'extra handshake header "Name: value" (repeatable)', collect, [])
    .option('--origin <origin>', 'Origin header for the handshake')
    .option('-t, --threads <n>', 'worker threads per load process (default: cores / processes, at least 1)', intOption(1, 256))
    .option('--processes <n>', 'load processes (default: as many as the open-file limit needs)', intOption(1, 1024))
    .option('--cpus <list>', 'pin the load (every process and thread) to these CPUs, e.g. 1 or 2-3; the result records the placement in force', cpuListOption)
    .option(
      '--local-address <list>',
      'source addresses to spread connections over: a,b,c or a range 10.0.0.1-10.0.0.8 (default: automatic on loopback)',
      parseLocalAddresses,
    )
    .addOption(new Option('--client <kind>', "lean: wsbench's own RFC 6455 client (default); ws: the ws library, as a reference").choices(['lean', 'ws']))
    .option('--shard <i/n>', 'run only the i-th of n deterministic slices of the run (0-based), for several machines', shardOption)
    .option('--start-at <ISO time>', 'shared start of the send schedule, so shards begin their phases together', startAtOption)
    .addOption(
      new Option(
        '--pattern <pattern>',
        'echo: every client times its own replies (default); broadcast: --senders clients send and every client times each delivery',
      ).choices(['echo', 'broadcast']),
    )
    .option('--senders <n>', 'clients that send in the broadcast pattern (default: 1 % of --clients, at least 1)', intOption(1))
    .addOption(
      new Option(
        '--format <format>',
        'plain: the probe is the message (default); shootout: the websocket-shootout JSON protocol ({"type":"echo"|"broadcast","payload":…})',
      ).choices(['plain', 'shootout']),
    )
    .addOption(arrivalsOption())
    .addOption(arrivalSeedOption());
  for (const option of messageOptions()) command.addOption(option);
  command
    .option('--no-check', 'skip the conformance check that runs before the load')
    .option('-p, --profile <name|path>', 'bench-profiles/<name>.json or a path; flags override its fields')
    .option('--server-pid <pid>', 'sample this process (and its children) for server RSS and CPU', intOption(1))
    .addOption(
      shownDefault(
        new Option('--grace <duration>', 'wait this long after the window for replies before counting them lost').argParser(durationMsOption),
        LOAD_DEFAULTS.graceMs,
      ),
    )
    .addOption(
      shownDefault(
        new Option(
          '--connect-timeout <duration>',
          'handshake timeout per connection; the opening conversation (--on-open, --await) then has as long again',
        ).argParser(durationMsOption),
        LOAD_DEFAULTS.connectTimeoutMs,
      ),
    )
    .addOption(shownDefault(new Option('-o, --out <dir>', 'where result files go'), `${RESULTS_DIR}/`))
    .option('--name <name>', 'name in the result file names (default: the profile name or "load")')
    .option('--json', 'print the result document on stdout (the summary goes to stderr)', false)
    .option('--threshold <limit>', "fail (exit 7) when a figure crosses a limit, e.g. 'latency.p99<50ms', 'errors==0' (repeatable)", collect, [])
    .addOption(metricsPortOption())
    .addOption(metricsHostOption())
    .addOption(dashboardOption())
    .addOption(dashboardHostOption())
    .addOption(logLevelOption())
    .action(async (url: string | undefined, flags: LoadCliFlags & LiveFlags & MessageCliFlags) => {
      const log = createLogger(flags.logLevel, ctx.stderr);
      const { resolveLoadConfig } = await import('../../profile/resolve-config.js');
      const { runLoadSession } = await import('../common/load-session.js');
      const { urlTarget } = await import('../../targets/make-targets.js');
      const config = resolveLoadConfig({
        url,
        clients: flags.clients,
        rate: flags.rate,
        durationMs: flags.duration,
        warmupMs: flags.warmup,
        connectRate: flags.connectRate,
        payloadBytes: flags.payloadSize,
        protocols: flags.protocol,
        deflate: flags.deflate,
        headers: flags.header,
        origin: flags.origin,
        threads: flags.threads,
        processes: flags.processes,
        localAddresses: flags.localAddress,
        client: flags.client,
        check: flags.check,
        shard: flags.shard,
        startAtMs: flags.startAt,
        profile: flags.profile,
        serverPid: flags.serverPid,
        outDir: flags.out,
        name: flags.name,
        graceMs: flags.grace,
        connectTimeoutMs: flags.connectTimeout,
        pattern: flags.pattern,
        senders: flags.senders,
        format: flags.format,
        arrivals: flags.arrivals,
        arrivalSeed: flags.arrivalSeed,
        ...messageSettings(flags),
      });
      const target = urlTarget(config.url, config.serverPid);
      const thresholds = flags.threshold.map(parseThreshold);
      validateThresholdNames(thresholds);
      pinThisProcess(flags.cpus, '--cpus', log);
      const live = await startLiveView(ctx, log, flags, { title: 'wsbench load', plannedRuns: 1 });
      const { code, doc } = await runLoadSession(target, () => config, ctx, log, { json: flags.json, thresholds });
      await live.finish({ docs: [doc] });
      ctx.exitCode = code;
    });
}
