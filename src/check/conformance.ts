/**
 * The conformance gate (`wsbench check`, and the first step of `load` and `compare`): a server
 * that does not complete the handshake, answer the run's probe intact or close cleanly cannot
 * "win" a benchmark. The gate requires what the run will use: text replies in the probe's shape.
 * Binary echo is checked too, but the seed's own server (em-websocket without an `onbinary`
 * handler) drops binary messages, so it is a warning unless the run sends binary (`requireBinary`).
 * Uses the lean client, which validates the handshake (status, accept value, subprotocol, no
 * unoffered extension) and the frames it receives.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { nowUs } from '../core/clock.js';
import { WsbError } from '../core/errors.js';
import { LOAD_DEFAULTS } from '../core/defaults.js';
import { LeanConnection, type LeanEvents } from '../client/lean-connection.js';
import { PONG_PREFIX } from '../contract/pong.js';
import { PROBE_MAX_ID, probeFraming } from '../protocol/probe.js';
import { checkProbeReply, sendProbe } from './probe-check.js';
import { checkOpening, checkTemplatedReply, type CheckEvent, type NextEvent } from './conversation-check.js';
import type { MessageTemplateConfig, OpeningStep } from '../contract/result.js';

/** What a failed check means: `fail` fails the gate; `warning` is reported and the gate still passes. */
export type CheckSeverity = 'fail' | 'warning';

export interface CheckItem {
  name: string;
  ok: boolean;
  severity: CheckSeverity;
  detail: string;
}

export interface ConformanceReport {
  url: string;
  /** Every check ran and none with severity `fail` failed (warnings do not change it). */
  ok: boolean;
  checks: CheckItem[];
  replyStyle: 'pong' | 'echo' | 'shootout' | null;
  greeting: string | null;
  protocol: string;
}

export interface ConformanceOptions {
  protocols?: string[];
  headers?: Record<string, string>;
  origin?: string;
  localAddress?: string;
  /** Size of the probe message, as the run will send it (`--payload-size`). */
  payloadBytes?: number;
  /** A missing binary echo fails the gate instead of warning: for a run that sends binary. */
  requireBinary?: boolean;
  /** What the run will send: the probe goes out as an echo or a broadcast, plain or shootout JSON. */
  pattern?: 'echo' | 'broadcast';
  format?: 'plain' | 'shootout';
  /** The run's opening conversation: checked instead of waiting for a greeting. */
  opening?: OpeningStep[];
  /** A templated run: one templated message's reply, found by its rule, instead of the text and probe checks. */
  message?: MessageTemplateConfig;
}

const STEP_TIMEOUT_MS = 5000;
/** How long to wait after open for an unsolicited greeting before sending anything. */
const GREETING_WAIT_MS = 300;
/** Room above the probe for the `Pong: ` prefix and frame headers. */
const MAX_PAYLOAD_BYTES = 1 << 20;

type Event = CheckEvent;
type Next = NextEvent;

/** Runs the checks in order; stops at the first failure that makes the rest meaningless. */
export async function runConformance(url: string, opts: ConformanceOptions = {}): Promise<ConformanceReport> {
  const checks: CheckItem[] = [];
  const report: ConformanceReport = { url, ok: false, checks, replyStyle: null, greeting: null, protocol: '' };
  const payloadBytes = opts.payloadBytes ?? LOAD_DEFAULTS.payloadBytes;
  const binarySeverity: CheckSeverity = opts.requireBinary ? 'fail' : 'warning';
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
  const next: Next = async (timeoutMs) => {
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
    {
      url: new URL(url),
      protocols: opts.protocols ?? [],
      headers: opts.headers ?? {},
      origin: opts.origin,
      handshakeTimeoutMs: STEP_TIMEOUT_MS,
      maxPayload: Math.max(MAX_PAYLOAD_BYTES, payloadBytes + 1024),
    },
    events,
    opts.localAddress,
  );
  let completed = false;
  const closeHandshake = async (): Promise<ConformanceReport> => {
    conn.close(1000, 'wsbench check');
    let closed: Event | undefined;
    do closed = await next(STEP_TIMEOUT_MS);
    while (closed && closed.kind === 'message');
    const closeOk = closed?.kind === 'close' && closed.code === 1000;
    checks.push({
      name: 'close handshake',
      ok: closeOk,
      severity: 'fail',
      detail: closeOk ? 'server answered 1000 and closed' : closed?.kind === 'close' ? `closed with ${closed.code}` : 'no close answer',
    });
    completed = true;
    return report;
  };
  try {
    const first = await next(STEP_TIMEOUT_MS + 1000);
    if (first?.kind !== 'open') {
      checks.push({ name: 'handshake', ok: false, severity: 'fail', detail: first?.kind === 'fail' ? first.err.message : 'no answer' });
      return report;
    }
    report.protocol = conn.protocol;
    checks.push({
      name: 'handshake',
      ok: true,
      severity: 'fail',
      detail: `101, valid Sec-WebSocket-Accept${conn.protocol ? `, subprotocol ${conn.protocol}` : ''}`,
    });

    if (opts.opening?.length) {
      // The run's own opening conversation (which may await the greeting) stands where the greeting wait does.
      const opening = await checkOpening(conn, next, opts.opening, STEP_TIMEOUT_MS);
      checks.push({ name: 'opening conversation', severity: 'fail', ...opening });
      if (!opening.ok) return report;
    } else {
      // Without one, the opening is an optional wait for an unsolicited greeting (the Pong server's).
      const greet = await next(GREETING_WAIT_MS);
      if (greet?.kind === 'message' && !greet.isBinary) report.greeting = greet.data.toString('utf8');
      checks.push({
        name: 'greeting',
        ok: true,
        severity: 'fail',
        detail: report.greeting === null ? 'none (echo-style server)' : JSON.stringify(report.greeting),
      });
    }

    if (opts.message) {
      const templated = await checkTemplatedReply(conn, next, opts.message, STEP_TIMEOUT_MS);
      checks.push({ name: 'templated reply', severity: 'fail', ...templated });
      if (!templated.ok) return report;
      return await closeHandshake();
    }

    const shootout = opts.format === 'shootout';
    const pattern = opts.pattern ?? 'echo';
    // The shootout protocol answers only its JSON: its echo message comes back unchanged.
    const token = `wsbench-check ${randomBytes(6).toString('hex')}`;
    const text = shootout ? JSON.stringify({ type: 'echo', payload: token }) : token;
    conn.send(Buffer.from(text), { binary: false });
    const reply = await nextMessage(next);
    const replyText = reply && !reply.isBinary ? reply.data.toString('utf8') : undefined;
    if (shootout) report.replyStyle = replyText === text ? 'shootout' : null;
    else if (replyText === `${PONG_PREFIX}${text}`) report.replyStyle = 'pong';
    else if (replyText === text) report.replyStyle = 'echo';
    const expected = shootout ? `the shootout echo ${text}` : `"Pong: ${text}" or the text itself`;
    checks.push({
      name: 'text reply',
      ok: report.replyStyle !== null,
      severity: 'fail',
      detail:
        report.replyStyle === 'pong'
          ? '"Pong: <msg>"'
          : report.replyStyle === 'echo'
            ? 'echo of <msg>'
            : report.replyStyle === 'shootout'
              ? 'shootout echo'
              : `expected ${expected}, got ${replyText === undefined ? 'nothing' : JSON.stringify(replyText.slice(0, 80))}`,
    });
    if (report.replyStyle === null) return report;

    // The message the load sends first on a connection (seq 0), read back as the recorder does; a
    // random id and distinct times show that every field comes back, not just a constant one.
    const fields = { connId: randomInt(1, PROBE_MAX_ID + 1), seq: 0, intendedUs: nowUs(), sentUs: nowUs() + 1 };
    const framing = probeFraming(opts.format ?? 'plain', pattern);
    const probe = sendProbe(conn, payloadBytes, fields, framing);
    const probeCheck = checkProbeReply(probe, fields, await nextMessage(next), framing.prefix.length);
    checks.push({ name: pattern === 'broadcast' ? 'probe broadcast (delivered to the sender too)' : 'probe reply', severity: 'fail', ...probeCheck });
    if (!probeCheck.ok) return report;
    if (shootout && pattern === 'broadcast') {
      const result = await nextMessage(next);
      const resultText = result?.data.toString('utf8') ?? '';
      const ok = resultText.startsWith('{"type":"broadcastResult"');
      checks.push({
        name: 'broadcast result',
        ok,
        severity: 'fail',
        detail: ok
          ? 'broadcastResult to the sender'
          : `expected {"type":"broadcastResult",…}, got ${resultText ? JSON.stringify(resultText.slice(0, 80)) : 'nothing'}`,
      });
      if (!ok) return report;
    }

    if (report.replyStyle === 'shootout') {
      checks.push({ name: 'binary echo', severity: 'warning', ok: true, detail: 'skipped: not part of the shootout protocol' });
      return await closeHandshake();
    }
    const binary = await checkBinaryEcho(conn, next, report.replyStyle);
    checks.push({ name: 'binary echo', severity: binarySeverity, ok: binary.ok, detail: binary.detail });
    if (binary.closedWith !== undefined) {
      // The server ended the connection over the binary message (1003 "unsupported data" is
      // legitimate for a text-only server): that was its close handshake, so judge it.
      const clean = binary.closedWith !== 1006;
      checks.push({
        name: 'close handshake',
        ok: clean,
        severity: 'fail',
        detail: clean ? `server closed with ${binary.closedWith} after the binary message` : 'server dropped the connection without a close frame',
      });
      completed = true;
      return report;
    }

    return await closeHandshake();
  } finally {
    report.ok = completed && checks.every((c) => c.ok || c.severity === 'warning');
    conn.terminate();
  }
}

/**
 * Sends 16 random bytes as binary, then a text marker. Replies come in order, so a marker reply
 * arriving first means the binary message was dropped: no need to sit out a timeout for the
 * seed server, which ignores binary, on every `load`.
 */
async function checkBinaryEcho(conn: LeanConnection, next: Next, style: 'pong' | 'echo'): Promise<{ ok: boolean; detail: string; closedWith?: number }> {
  const bin = randomBytes(16);
  const marker = `wsbench-check ${randomBytes(6).toString('hex')}`;
  const markerReply = style === 'pong' ? `${PONG_PREFIX}${marker}` : marker;
  conn.send(bin, { binary: true });
  conn.send(Buffer.from(marker), { binary: false });
  const e = await next(STEP_TIMEOUT_MS);
  if (e?.kind === 'close') return { ok: false, detail: `no echo: the server closed the connection (${e.code})`, closedWith: e.code };
  if (e?.kind !== 'message') return { ok: false, detail: 'no answer' };
  if (!e.isBinary && e.data.toString('utf8') === markerReply)
    return { ok: false, detail: 'no answer: the text message sent after it was answered, so the server drops binary messages' };
  const ok = e.isBinary && e.data.equals(bin);
  // Whatever came first, the marker's reply is still on its way; the close step skips it.
  return { ok, detail: ok ? '16 bytes back as binary' : `got ${e.isBinary ? 'different bytes' : 'a text message'}` };
}

/** Next data message, skipping nothing else: a close or failure ends the wait. */
async function nextMessage(next: Next): Promise<{ data: Buffer; isBinary: boolean } | undefined> {
  const e = await next(STEP_TIMEOUT_MS);
  return e?.kind === 'message' ? e : undefined;
}

/** Throws WSB_ERR_CONFORMANCE with the failed checks (warnings pass) when a server failed the gate. */
export function requireConformance(report: ConformanceReport, whatNoCheckDoes: string): void {
  if (report.ok) return;
  const failed = report.checks.filter((c) => !c.ok && c.severity === 'fail').map((c) => `${c.name}: ${c.detail}`);
  throw new WsbError(
    'WSB_ERR_CONFORMANCE',
    `${report.url} failed the conformance check (${failed.join('; ')})`,
    `run \`wsbench check <url>\` for the details, or --no-check to ${whatNoCheckDoes}`,
  );
}
