import type { ArrivalPattern, MessageTemplateConfig, OpeningStep } from '../contract/result.js';

/** A fully resolved, validated, frozen description of one load run (defaults ← profile ← flags). */
export interface LoadConfig {
  url: string;
  clients: number;
  /** Messages per second per client; fractions allowed (0.1 = one every 10 s). */
  ratePerClient: number;
  durationMs: number;
  warmupMs: number;
  /** New connections per second during the ramp (whole run). */
  connectRate: number;
  payloadBytes: number;
  protocols: string[];
  deflate: boolean;
  headers: Record<string, string>;
  origin: string | undefined;
  /** Worker threads per load process; undefined = cores / processes. */
  threads: number | undefined;
  /** Load processes; undefined = as many as the open-file limit requires. */
  processes: number | undefined;
  /** Source addresses to bind; empty = automatic (several 127.x addresses for large loopback runs). */
  localAddresses: string[];
  /** This machine's slice of a run spread over several (`--shard i/n`); undefined = the whole run. */
  shard: { index: number; count: number } | undefined;
  /** Shared start of the send schedule (epoch ms, `--start-at`), so shards begin their phases together. */
  startAtMs: number | undefined;
  /** Run the conformance check (`wsbench check`) before the load. */
  check: boolean;
  /** `lean`: wsbench's own RFC 6455 client on net sockets; `ws`: the ws library (the reference). */
  client: 'lean' | 'ws';
  /** How long after the window replies may still arrive before a message counts as lost. */
  graceMs: number;
  connectTimeoutMs: number;
  serverPid: number | undefined;
  outDir: string;
  name: string;
  profileName: string | undefined;
  /**
   * `echo`: every client sends and times its own replies. `broadcast`: `senders` of the clients send,
   * the server fans each message out to every client, and every client times each delivery.
   */
  pattern: 'echo' | 'broadcast';
  /** Clients that send in the broadcast pattern (spread evenly over the ids, so over workers and phases). */
  senders: number;
  /** `plain`: the probe is the message; `shootout`: the websocket-shootout JSON protocol. */
  format: 'plain' | 'shootout';
  /** When each client's messages are due (src/load/worker/arrivals.ts), and the poisson pattern's seed. */
  arrivals: ArrivalPattern;
  arrivalSeed: number;
  /** Self-check limits: above either, the client was the bottleneck (`client-saturated`). */
  maxSendLagP99Ms: number;
  maxEventLoopDelayP99Ms: number;
  /**
   * What each client sends instead of the probe (`--message`, `--message-file`) and how a reply
   * names the message it answers (`--reply-id`); undefined: the probe.
   */
  message: MessageTemplateConfig | undefined;
  /** The opening conversation (`--on-open`, `--await`, in the order given); empty: none. */
  opening: OpeningStep[];
}
