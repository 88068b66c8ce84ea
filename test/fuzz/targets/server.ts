/**
 * A running Pong server (`wsbench serve --runtime node|bun|deno|uws`) under mutated client frames:
 * each input is one connection that upgrades properly and then sends a generated stream of frames
 * (masked, mostly well-formed, then damaged), reading whatever comes back, and half-closes. What the
 * server answers to such a stream is its own business; what it must do is stay up, keep answering a
 * well-behaved client connected all along, and keep its memory bounded.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { connect, closeClient, type Client } from '../../helpers/ws-client.js';
import { clientFrameStream } from './frames.js';
import { hex, unhex, type FuzzTarget } from '../target.js';

export interface ServerInput {
  /** The client's bytes after its upgrade request, hex. */
  stream: string;
  /** Wait for the 101 before sending (false: pipeline the frames right behind the request). */
  waitForUpgrade: boolean;
}

/** Resident memory of a process, from /proc (kB). */
export function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** How long one connection may take before it is cut (a server may wait for bytes never sent). */
const CONNECTION_CAP_MS = 2000;

function oneConnection(port: number, input: ServerInput): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let upgraded = false;
    let head = Buffer.alloc(0);
    const cap = setTimeout(() => socket.destroy(), CONNECTION_CAP_MS);
    const send = () => socket.end(unhex(input.stream));
    socket.on('connect', () => {
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      if (!input.waitForUpgrade) send();
    });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded || !input.waitForUpgrade) return;
      head = Buffer.concat([head, chunk]);
      if (head.includes('\r\n\r\n')) {
        upgraded = true;
        send();
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A refused connection means the server is gone: that is a finding. A reset is an answer.
      if (err.code === 'ECONNREFUSED') reject(new Error(`the server refused a connection: it is down (${err.message})`));
    });
    socket.on('close', () => {
      clearTimeout(cap);
      resolve();
    });
  });
}

export interface ServerFuzzContext {
  port: number;
  pid: number;
  /** The well-behaved client, connected before the first input. */
  client: Client;
  /** Round trips the well-behaved client has completed. */
  roundTrips: number;
  rssBeforeKb: number;
  rssPeakKb: number;
}

/** The well-behaved client's check: one text message, its `Pong: ` answer (the greeting is skipped). */
export async function roundTrip(ctx: ServerFuzzContext): Promise<void> {
  const text = `fuzz-alive-${ctx.roundTrips}`;
  ctx.client.ws.send(text);
  for (;;) {
    const m = await ctx.client.nextMessage(10_000);
    if (m.text.endsWith(text)) break;
  }
  ctx.roundTrips++;
}

export async function openContext(port: number, pid: number): Promise<ServerFuzzContext> {
  const client = await connect(`ws://127.0.0.1:${port}/`);
  const rss = rssKb(pid);
  const ctx = { port, pid, client, roundTrips: 0, rssBeforeKb: rss, rssPeakKb: rss };
  await roundTrip(ctx);
  return ctx;
}

export async function closeContext(ctx: ServerFuzzContext): Promise<void> {
  await closeClient(ctx.client);
}

/** Memory the server may gain over a fuzz pass before it counts as unbounded. */
export const RSS_GROWTH_LIMIT_KB = 128 * 1024;

/** Every `every`-th input, the well-behaved client must still get its answer and the RSS stays bounded. */
export function serverTarget(name: string, ctx: ServerFuzzContext, every = 20): FuzzTarget<ServerInput> {
  let runs = 0;
  return {
    name,
    covers: [],
    arbitrary: fc.record({ stream: clientFrameStream.map(hex), waitForUpgrade: fc.boolean() }),
    async check(input) {
      await oneConnection(ctx.port, input);
      if (++runs % every !== 0) return;
      await roundTrip(ctx);
      const rss = rssKb(ctx.pid);
      ctx.rssPeakKb = Math.max(ctx.rssPeakKb, rss);
      if (rss - ctx.rssBeforeKb > RSS_GROWTH_LIMIT_KB) throw new Error(`server RSS grew from ${ctx.rssBeforeKb} kB to ${rss} kB`);
    },
    toJson: (x) => x,
    fromJson: (j) => j as ServerInput,
  };
}
