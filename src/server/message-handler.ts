import type { WebSocket, RawData } from 'ws';
import { PONG_PREFIX_BYTES } from '../protocol/pong.js';
import { delayReplies, type AchievedDelay, type PreciseTimer } from '../contract/reply-delay.js';
import { loadSendTimer } from '../core/native-timer.js';
import type { ServeOptions } from './options.js';
import type { ServerStats } from './stats.js';
import type { Backpressure } from './backpressure.js';

/** What answering needs from the rest of the server. */
export interface AnswerContext {
  stats: ServerStats;
  backpressure: Backpressure;
  /** --mode broadcast: sends to every client of the whole server. */
  fanOut(data: Buffer): void;
}

/**
 * The 'message' listener for every socket, by --mode and --format: pong (`Pong: <msg>`), echo,
 * broadcast, or the websocket-shootout protocol. Created once per server and shared by every
 * socket (no closure per connection). With --reply-delay each answer waits in one queue
 * (src/contract/reply-delay.ts), which keeps a connection's replies in order.
 */
export function createMessageHandler(
  opts: Pick<ServeOptions, 'mode' | 'format' | 'replyDelayMs'>,
  ctx: AnswerContext,
): { onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void; stop(): void; achieved(): AchievedDelay | null } {
  const answer = answerFor(opts, ctx);
  const { stats } = ctx;
  if (opts.replyDelayMs <= 0) {
    return {
      onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
        const buf = data as Buffer;
        stats.messagesIn++;
        stats.bytesIn += buf.length;
        answer(this, buf, isBinary);
      },
      stop() {},
      achieved: () => null,
    };
  }
  // A socket that closed while its answer waited gets none.
  const answerLater = delayReplies(
    opts.replyDelayMs,
    (ws: WebSocket, buf: Buffer, isBinary: boolean) => {
      if (ws.readyState === ws.OPEN) answer(ws, buf, isBinary);
    },
    timerfdTimer(),
  );
  return {
    onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
      const buf = data as Buffer;
      stats.messagesIn++;
      stats.bytesIn += buf.length;
      answerLater(this, buf, isBinary);
    },
    stop: () => answerLater.stop(),
    achieved: () => answerLater.achieved(),
  };
}

/**
 * The precise timer for --reply-delay on Linux: the load's timerfd addon on this thread's own loop,
 * so a sub-millisecond delay waits in epoll instead of polling (which took its CPU from the client
 * on a small host). Undefined where the addon is not built: reply-delay.ts then polls.
 */
function timerfdTimer(): ((onExpiry: () => void) => PreciseTimer) | undefined {
  const loaded = loadSendTimer();
  if (!loaded.ok) return undefined;
  const { addon } = loaded;
  return (onExpiry) => {
    let handle: unknown = addon.create(onExpiry);
    return {
      arm: (delayMs) => {
        if (handle !== undefined) addon.arm(handle, Math.max(0, delayMs) * 1e6);
      },
      cancel: () => {
        if (handle !== undefined) addon.close(handle);
        handle = undefined;
      },
    };
  };
}

type Answer = (ws: WebSocket, buf: Buffer, isBinary: boolean) => void;

function answerFor(opts: Pick<ServeOptions, 'mode' | 'format'>, ctx: AnswerContext): Answer {
  const { stats, backpressure } = ctx;
  function send(ws: WebSocket, data: Buffer, binary: boolean): void {
    ws.send(data, { binary });
    stats.messagesOut++;
    stats.bytesOut += data.length;
    backpressure.afterSend(ws);
  }
  // Binary in pong mode, and everything in echo mode: the payload unchanged, same type.
  const echo: Answer = (ws, buf, isBinary) => send(ws, buf, isBinary);
  if (opts.format === 'shootout') {
    return (ws, buf, isBinary) => (isBinary ? echo(ws, buf, isBinary) : answerShootout(ws, buf, send, ctx));
  }
  if (opts.mode === 'broadcast') return (ws, buf, isBinary) => (isBinary ? echo(ws, buf, isBinary) : ctx.fanOut(buf));
  if (opts.mode === 'pong') {
    return (ws, buf, isBinary) => {
      if (isBinary) return echo(ws, buf, isBinary);
      const reply = Buffer.allocUnsafe(PONG_PREFIX_BYTES.length + buf.length);
      PONG_PREFIX_BYTES.copy(reply, 0);
      buf.copy(reply, PONG_PREFIX_BYTES.length);
      send(ws, reply, false);
    };
  }
  return echo;
}

/**
 * The websocket-shootout protocol: `{"type":"echo",…}` comes back unchanged; `{"type":"broadcast",
 * "payload":p}` goes to every client as `{"type":"broadcast","payload":p}`, and the sender also
 * gets `{"type":"broadcastResult","payload":p}`. Anything else is counted and ignored.
 */
function answerShootout(ws: WebSocket, buf: Buffer, send: (ws: WebSocket, data: Buffer, binary: boolean) => void, ctx: AnswerContext): void {
  let msg: { type?: unknown; payload?: unknown };
  try {
    msg = JSON.parse(buf.toString('utf8')) as typeof msg;
  } catch {
    return ctx.stats.countError('SHOOTOUT_NOT_JSON');
  }
  if (msg.type === 'echo') return send(ws, buf, false);
  if (msg.type !== 'broadcast') return ctx.stats.countError('SHOOTOUT_UNKNOWN_TYPE');
  const payload = JSON.stringify(msg.payload ?? null);
  ctx.fanOut(Buffer.from(`{"type":"broadcast","payload":${payload}}`));
  send(ws, Buffer.from(`{"type":"broadcastResult","payload":${payload}}`), false);
}
