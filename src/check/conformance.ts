/**
 * The conformance gate (`wsbench check`, and the first step of `load` and `compare`): a server
 * that does not complete the handshake, answer a message, echo binary or close cleanly cannot
 * "win" a benchmark. Uses the lean client, which validates the handshake (status, accept value,
 * subprotocol, no unoffered extension) and the frames it receives.
 */
import { randomBytes } from 'node:crypto';
import { LeanConnection, type LeanEvents } from '../load/worker/lean-connection.js';
import { PONG_PREFIX } from '../protocol/pong.js';

export interface CheckItem {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ConformanceReport {
  url: string;
  ok: boolean;
  checks: CheckItem[];
  replyStyle: 'pong' | 'echo' | null;
  greeting: string | null;
  protocol: string;
}

const STEP_TIMEOUT_MS = 5000;
/** How long to wait after open for an unsolicited greeting before sending anything. */
const GREETING_WAIT_MS = 300;

type Event = { kind: 'open' } | { kind: 'message'; data: Buffer; isBinary: boolean } | { kind: 'fail'; err: Error } | { kind: 'close'; code: number };

/** Runs the checks in order; stops at the first failure that makes the rest meaningless. */
export async function runConformance(url: string, opts: { protocols?: string[]; headers?: Record<string, string>; origin?: string; localAddress?: string } = {}): Promise<ConformanceReport> {
  const checks: CheckItem[] = [];
  const report: ConformanceReport = { url, ok: false, checks, replyStyle: null, greeting: null, protocol: '' };
  const queue: Event[] = [];
  let wake: (() => void) | undefined;
  const push = (e: Event) => {
    queue.push(e);
    wake?.();
  };
  const events: LeanEvents = {
    open: () => push({ kind: 'open' }),
    message: (_c, data, isBinary) => push({ kind: 'message', data: Buffer.from(data), isBinary }),
    fail: (_c, err) => push({ kind: 'fail', err }),
    close: (_c, code) => push({ kind: 'close', code }),
  };
  const next = async (timeoutMs: number): Promise<Event | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => (clearTimeout(t), resolve());
      });
      wake = undefined;
    }
    return queue.shift();
  };

  const conn = new LeanConnection(
    { url: new URL(url), protocols: opts.protocols ?? [], headers: opts.headers ?? {}, origin: opts.origin, handshakeTimeoutMs: STEP_TIMEOUT_MS, maxPayload: 1 << 20 },
    events,
    opts.localAddress,
  );
  try {
    const first = await next(STEP_TIMEOUT_MS + 1000);
    if (first?.kind !== 'open') {
      checks.push({ name: 'handshake', ok: false, detail: first?.kind === 'fail' ? first.err.message : 'no answer' });
      return report;
    }
    report.protocol = conn.protocol;
    checks.push({ name: 'handshake', ok: true, detail: `101, valid Sec-WebSocket-Accept${conn.protocol ? `, subprotocol ${conn.protocol}` : ''}` });

    const greet = await next(GREETING_WAIT_MS);
    if (greet?.kind === 'message' && !greet.isBinary) report.greeting = greet.data.toString('utf8');
    checks.push({ name: 'greeting', ok: true, detail: report.greeting === null ? 'none (echo-style server)' : JSON.stringify(report.greeting) });

    const text = `wsbench-check ${randomBytes(6).toString('hex')}`;
    conn.send(Buffer.from(text), { binary: false });
    const reply = await nextMessage(next);
    const replyText = reply && !reply.isBinary ? reply.data.toString('utf8') : undefined;
    if (replyText === `${PONG_PREFIX}${text}`) report.replyStyle = 'pong';
    else if (replyText === text) report.replyStyle = 'echo';
    checks.push({
      name: 'text reply',
      ok: report.replyStyle !== null,
      detail: report.replyStyle === 'pong' ? '"Pong: <msg>"' : report.replyStyle === 'echo' ? 'echo of <msg>' : `expected "Pong: ${text}" or the text itself, got ${replyText === undefined ? 'nothing' : JSON.stringify(replyText.slice(0, 80))}`,
    });
    if (report.replyStyle === null) return report;

    const bin = randomBytes(16);
    conn.send(bin, { binary: true });
    const binReply = await nextMessage(next);
    const binOk = !!binReply && binReply.isBinary && binReply.data.equals(bin);
    checks.push({ name: 'binary echo', ok: binOk, detail: binOk ? '16 bytes back as binary' : binReply ? `got ${binReply.isBinary ? 'different bytes' : 'a text message'}` : 'no answer' });

    conn.close(1000, 'wsbench check');
    let closed: Event | undefined;
    do closed = await next(STEP_TIMEOUT_MS);
    while (closed && closed.kind === 'message');
    const closeOk = closed?.kind === 'close' && closed.code === 1000;
    checks.push({ name: 'close handshake', ok: closeOk, detail: closeOk ? 'server answered 1000 and closed' : closed?.kind === 'close' ? `closed with ${closed.code}` : 'no close answer' });
    return report;
  } finally {
    report.ok = checks.length === 5 && checks.every((c) => c.ok);
    conn.terminate();
  }
}

/** Next data message, skipping nothing else: a close or failure ends the wait. */
async function nextMessage(next: (ms: number) => Promise<Event | undefined>): Promise<{ data: Buffer; isBinary: boolean } | undefined> {
  const e = await next(STEP_TIMEOUT_MS);
  return e?.kind === 'message' ? e : undefined;
}
