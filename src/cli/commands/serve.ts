import os from 'node:os';
import { readyAnnouncement, readyLine } from '../../contract/ready.js';
import { Command, Option, InvalidArgumentError } from 'commander';
import { createLogger, LOG_LEVELS, type Logger } from '../../core/logger.js';
import { EXIT } from '../../contract/exit-codes.js';
import { runServer } from '../../server/run-server.js';
import { perProcessCapacity } from '../../server/http-server.js';
import { type ServeOptions } from '../../server/options.js';
import { SERVE_DEFAULTS } from '../../core/defaults.js';
import { RUNTIMES, assertRuntimeSupports, spawnRuntimeServer, type ExternalRuntime, type Runtime } from '../../targets/runtimes.js';
import { intOption, durationMsOption, durationExactMsOption, sizeBytesOption, listOption, oneOf, cpuListOption } from '../common/parse.js';
import { formatDurationMs } from '../../profile/units.js';
import { UWS_PACKAGE } from '../../targets/uws-addon.js';
import { pinThisProcess } from '../common/placement.js';
import type { CliContext } from '../common/context.js';

interface ServeFlags {
  runtime: Runtime;
  host: string;
  port: number;
  path?: string;
  mode: 'pong' | 'echo' | 'broadcast';
  format: 'plain' | 'shootout';
  protocols: string[];
  deflate: boolean;
  maxPayload: number;
  maxConnections: number;
  pingInterval?: number;
  cert?: string;
  key?: string;
  workers: number | 'auto';
  logLevel: string;
  shutdownTimeout?: number;
  maxSendBuffer: number;
  sendBufferTimeout: number;
  handshakeTimeout: number;
  readyJson: boolean;
  replyDelay: number;
  cpus?: number[];
}

function workersOption(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  try {
    return intOption(1, 256)(value);
  } catch (err) {
    throw new InvalidArgumentError(`must be a number of processes or auto (${(err as Error).message})`);
  }
}

/** `auto`: one worker per core, or more when --max-connections needs more processes' worth of files. */
export function resolveWorkers(workers: number | 'auto', maxConnections: number, capacityPerProcess: number): number {
  if (workers !== 'auto') return workers;
  const forCores = os.availableParallelism();
  const forConnections = maxConnections > 0 && capacityPerProcess > 0 ? Math.ceil(maxConnections / capacityPerProcess) : 1;
  return Math.max(forCores, forConnections);
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the Pong server: greets each client, answers every message with "Pong: <msg>"')
    .addOption(
      new Option(
        '--runtime <name>',
        `node: ws on Node (every flag); bun / deno: the native server of that runtime; uws: uWebSockets.js on Node (installed on demand: npm install --save-dev ${UWS_PACKAGE}); all but node run as a child process`,
      )
        .argParser(oneOf(RUNTIMES))
        .default(SERVE_DEFAULTS.runtime),
    )
    .option('--host <addr>', 'address to listen on', SERVE_DEFAULTS.host)
    .option('--port <n>', 'port to listen on (0 = any free port, printed at start)', intOption(0, 65535), SERVE_DEFAULTS.port)
    .option('--path <path>', 'only this path upgrades to WebSocket; others get 404 (default: every path)')
    .addOption(
      new Option(
        '--mode <mode>',
        'pong: seed greeting and "Pong: " replies; echo: payload back unchanged, no greeting; broadcast: every text message to every client (across workers)',
      )
        .argParser(oneOf(['pong', 'echo', 'broadcast'] as const))
        .default(SERVE_DEFAULTS.mode),
    )
    .addOption(
      new Option('--format <format>', 'plain: the modes above; shootout: the websocket-shootout JSON protocol (echo and broadcast messages)')
        .argParser(oneOf(['plain', 'shootout'] as const))
        .default(SERVE_DEFAULTS.format),
    )
    .option('--protocols <list>', 'subprotocols supported, comma-separated; the first one the client offers wins', listOption, SERVE_DEFAULTS.protocols)
    .option('--deflate', 'negotiate permessage-deflate (RFC 7692)', SERVE_DEFAULTS.deflate)
    .option('--max-payload <size>', 'largest message accepted; larger ones close with 1009', sizeBytesOption, SERVE_DEFAULTS.maxPayloadBytes)
    .option('--max-connections <n>', 'upgrades beyond this many open connections get HTTP 503 (0 = no limit)', intOption(0), SERVE_DEFAULTS.maxConnections)
    .option('--ping-interval <duration>', 'heartbeat: ping every peer this often, terminate peers that miss one (default off)', durationMsOption)
    .option('--cert <file>', 'PEM certificate: serve wss:// (with --key)')
    .option('--key <file>', 'PEM private key (with --cert)')
    .option('--cpus <list>', 'pin the server (every process and thread, --workers and --runtime children included) to these CPUs, e.g. 0 or 0-1', cpuListOption)
    .option(
      '--workers <n|auto>',
      'processes sharing the port (auto: one per core, more if --max-connections needs them)',
      workersOption,
      SERVE_DEFAULTS.workers,
    )
    .addOption(new Option('--log-level <level>', 'log level').choices([...LOG_LEVELS, 'silent']).default(SERVE_DEFAULTS.logLevel))
    .option(
      '--shutdown-timeout <duration>',
      `how long SIGINT/SIGTERM waits for close handshakes (default ${formatDurationMs(SERVE_DEFAULTS.shutdownTimeoutMs)})`,
      durationMsOption,
    )
    .option(
      '--max-send-buffer <size>',
      'unsent bytes one connection may hold; past it the server stops reading from that client until it drains',
      sizeBytesOption,
      SERVE_DEFAULTS.maxSendBufferBytes,
    )
    .option(
      '--send-buffer-timeout <duration>',
      'close a connection (1008) that stays paused by --max-send-buffer this long (0 = never)',
      durationMsOption,
      SERVE_DEFAULTS.sendBufferTimeoutMs,
    )
    .option(
      '--handshake-timeout <duration>',
      'deadline from accept to a complete request header block (TLS included); later ones get 408 (0 = none)',
      durationMsOption,
      SERVE_DEFAULTS.handshakeTimeoutMs,
    )
    .option(
      '--ready-json',
      'announce readiness as one JSON line on stdout (url, port, pid, workers, runtime, mode) instead of the sentence: for programs',
      SERVE_DEFAULTS.readyJson,
    )
    .option(
      '--reply-delay <duration>',
      'calibration only: wait this long before answering each message (e.g. 1ms, 200us; broadcast: before the fan-out), ' +
        "a known difference for checking that wsbench's significance tests detect it; greetings are not delayed; " +
        'on Linux the Node server waits on a timerfd; other runtimes poll the last 2ms of each wait; /healthz reports the achieved delay',
      durationExactMsOption,
      SERVE_DEFAULTS.replyDelayMs,
    )
    .action(async (flags: ServeFlags) => {
      const log = createLogger(flags.logLevel, ctx.stderr, { fieldsOnTerminal: true });
      pinThisProcess(flags.cpus, '--cpus', log);
      if (flags.runtime !== 'node') {
        ctx.exitCode = await serveOnRuntime(flags.runtime, flags, ctx, log);
        return;
      }
      const opts: ServeOptions = {
        host: flags.host,
        port: flags.port,
        path: flags.path,
        mode: flags.mode,
        format: flags.format,
        protocols: flags.protocols,
        deflate: flags.deflate,
        maxPayloadBytes: flags.maxPayload,
        maxConnections: flags.maxConnections,
        pingIntervalMs: flags.pingInterval ?? 0,
        certPath: flags.cert,
        keyPath: flags.key,
        workers: resolveWorkers(flags.workers, flags.maxConnections, perProcessCapacity()),
        logLevel: flags.logLevel,
        shutdownTimeoutMs: flags.shutdownTimeout ?? SERVE_DEFAULTS.shutdownTimeoutMs,
        maxSendBufferBytes: flags.maxSendBuffer,
        sendBufferTimeoutMs: flags.sendBufferTimeout,
        handshakeTimeoutMs: flags.handshakeTimeout,
        replyDelayMs: flags.replyDelay,
      };
      const server = await runServer(opts, log);
      const scheme = opts.certPath ? 'wss' : 'ws';
      log.info({ port: server.port, serverPid: server.pid, workers: server.workers, mode: opts.mode }, 'listening');
      const ready = readyAnnouncement({
        scheme,
        host: opts.host,
        port: server.port,
        path: opts.path ?? null,
        pid: server.pid,
        workers: server.workers,
        runtime: 'node',
        mode: opts.mode,
        format: opts.format,
      });
      ctx.stdout.write(readyLine(ready, flags.readyJson));
      const signal = await ctx.waitForSignal();
      log.info({ signal }, 'shutting down: closing connections with 1001');
      await server.shutdown();
      log.info('stopped');
      ctx.exitCode = EXIT.OK;
    });
}

/**
 * --runtime bun|deno|uws: the runtime's server prints the listening line itself (stdio inherited);
 * the first SIGINT/SIGTERM is passed on, and its exit code becomes ours.
 */
async function serveOnRuntime(runtime: ExternalRuntime, flags: ServeFlags, ctx: CliContext, log: Logger): Promise<number> {
  assertRuntimeSupports(runtime, {
    workers: flags.workers,
    deflate: flags.deflate,
    cert: flags.cert,
    key: flags.key,
    pingIntervalMs: flags.pingInterval,
    maxConnections: flags.maxConnections,
    mode: flags.mode,
    format: flags.format,
  });
  const server = spawnRuntimeServer(
    runtime,
    {
      host: flags.host,
      port: flags.port,
      path: flags.path ?? null,
      mode: flags.mode,
      protocols: flags.protocols,
      maxPayloadBytes: flags.maxPayload,
      maxSendBufferBytes: flags.maxSendBuffer,
      shutdownTimeoutMs: flags.shutdownTimeout ?? SERVE_DEFAULTS.shutdownTimeoutMs,
      readyJson: flags.readyJson,
      replyDelayMs: flags.replyDelay,
    },
    { env: ctx.env },
  );
  log.info({ runtime, command: server.command.command, serverPid: server.child.pid }, `starting the ${runtime} server`);
  void ctx.waitForSignal().then((signal) => {
    log.info({ signal }, `passing ${signal} to the ${runtime} server`);
    server.forward(signal);
  });
  return server.exited;
}
