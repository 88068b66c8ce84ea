/**
 * The steps of the conformance check, in the order runConformance takes them. Each adds its checks
 * to the report and says whether the check goes on: a failure that makes the rest meaningless
 * stops it, and a judged close handshake completes it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { nowUs } from '../core/clock.js';
import type { LeanConnection } from '../client/lean-connection.js';
import { PONG_PREFIX } from '../contract/pong.js';
import { PROBE_MAX_ID, probeFraming } from '../protocol/probe.js';
import { nextMessage, STEP_TIMEOUT_MS, type CheckEvent, type NextEvent } from './check-connection.js';
import { probeBytes, type ConformanceOptions, type ConformanceReport } from './conformance-report.js';
import { checkProbeReply, sendProbe } from './probe-reply-check.js';
import { checkOpening, checkTemplatedReply } from './conversation-check.js';

/** What every step works on: the connection, its events, the report it adds to, and what the run will send. */
export interface CheckRun {
  conn: LeanConnection;
  next: NextEvent;
  report: ConformanceReport;
  opts: ConformanceOptions;
}

/** After a step: go on; stop (the rest would mean nothing); or closed (the close handshake was judged: complete). */
export type StepEnd = 'next' | 'stop' | 'closed';
export type CheckStep = (run: CheckRun) => Promise<StepEnd>;

/** How long to wait after open for an unsolicited greeting before sending anything. */
const GREETING_WAIT_MS = 300;

/** The opening handshake: 101 with a valid Sec-WebSocket-Accept (and subprotocol, when one was offered). */
export async function handshake({ conn, next, report }: CheckRun): Promise<StepEnd> {
  const first = await next(STEP_TIMEOUT_MS + 1000);
  if (first?.kind !== 'open') {
    report.checks.push({ name: 'handshake', ok: false, severity: 'fail', detail: first?.kind === 'fail' ? first.err.message : 'no answer' });
    return 'stop';
  }
  report.protocol = conn.protocol;
  report.checks.push({
    name: 'handshake',
    ok: true,
    severity: 'fail',
    detail: `101, valid Sec-WebSocket-Accept${conn.protocol ? `, subprotocol ${conn.protocol}` : ''}`,
  });
  return 'next';
}

/**
 * The run's own opening conversation (--on-open, --await; it may await the greeting), or without
 * one a wait for a greeting the server sends unasked (the Pong server's), kept in the report; none is fine.
 */
export async function opening({ conn, next, report, opts }: CheckRun): Promise<StepEnd> {
  if (opts.opening?.length) {
    const conversation = await checkOpening(conn, next, opts.opening, STEP_TIMEOUT_MS);
    report.checks.push({ name: 'opening conversation', severity: 'fail', ...conversation });
    return conversation.ok ? 'next' : 'stop';
  }
  const greet = await next(GREETING_WAIT_MS);
  if (greet?.kind === 'message' && !greet.isBinary) report.greeting = greet.data.toString('utf8');
  report.checks.push({
    name: 'greeting',
    ok: true,
    severity: 'fail',
    detail: report.greeting === null ? 'none (echo-style server)' : JSON.stringify(report.greeting),
  });
  return 'next';
}

const REPLY_STYLE_TEXT = { pong: '"Pong: <msg>"', echo: 'echo of <msg>', shootout: 'shootout echo' } as const;

/** One short text message, answered as `Pong: <msg>`, echoed, or (shootout) its JSON echoed: the reply style. */
export async function textReply({ conn, next, report, opts }: CheckRun): Promise<StepEnd> {
  const shootout = opts.format === 'shootout';
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
  const got = `expected ${expected}, got ${replyText === undefined ? 'nothing' : JSON.stringify(replyText.slice(0, 80))}`;
  const detail = report.replyStyle === null ? got : REPLY_STYLE_TEXT[report.replyStyle];
  report.checks.push({ name: 'text reply', ok: report.replyStyle !== null, severity: 'fail', detail });
  return report.replyStyle === null ? 'stop' : 'next';
}

/** A templated run's first message (client 0, message 0, id 0), its reply found by --reply-id. */
export async function templatedReply({ conn, next, report, opts }: CheckRun): Promise<StepEnd> {
  if (!opts.message) return 'next';
  const templated = await checkTemplatedReply(conn, next, opts.message, STEP_TIMEOUT_MS);
  report.checks.push({ name: 'templated reply', severity: 'fail', ...templated });
  return templated.ok ? 'next' : 'stop';
}

/**
 * The message the load sends first on a connection (seq 0), of the run's size and framing, read
 * back as the reply recorder does; a random id and distinct times show that every field comes back,
 * not just a constant one.
 */
export async function probeReply({ conn, next, report, opts }: CheckRun): Promise<StepEnd> {
  const pattern = opts.pattern ?? 'echo';
  const fields = { connId: randomInt(1, PROBE_MAX_ID + 1), seq: 0, intendedUs: nowUs(), sentUs: nowUs() + 1 };
  const framing = probeFraming(opts.format ?? 'plain', pattern);
  const probe = sendProbe(conn, probeBytes(opts), fields, framing);
  const judged = checkProbeReply(probe, fields, await nextMessage(next), framing.prefix.length);
  report.checks.push({ name: pattern === 'broadcast' ? 'probe broadcast (delivered to the sender too)' : 'probe reply', severity: 'fail', ...judged });
  return judged.ok ? 'next' : 'stop';
}

/** A shootout broadcast: the sender also gets its broadcastResult. Other runs skip it. */
export async function broadcastResult({ next, report, opts }: CheckRun): Promise<StepEnd> {
  if (opts.format !== 'shootout' || opts.pattern !== 'broadcast') return 'next';
  const result = await nextMessage(next);
  const resultText = result?.data.toString('utf8') ?? '';
  const ok = resultText.startsWith('{"type":"broadcastResult"');
  report.checks.push({
    name: 'broadcast result',
    ok,
    severity: 'fail',
    detail: ok
      ? 'broadcastResult to the sender'
      : `expected {"type":"broadcastResult",…}, got ${resultText ? JSON.stringify(resultText.slice(0, 80)) : 'nothing'}`,
  });
  return ok ? 'next' : 'stop';
}

/**
 * Binary echo: a warning unless the run sends binary (`requireBinary`), as the seed's own server
 * (em-websocket without an `onbinary` handler) drops binary messages. Not part of the shootout
 * protocol. A server that closes over it has had its close handshake, judged here.
 */
export async function binaryEcho({ conn, next, report, opts }: CheckRun): Promise<StepEnd> {
  if (report.replyStyle === 'shootout') {
    report.checks.push({ name: 'binary echo', severity: 'warning', ok: true, detail: 'skipped: not part of the shootout protocol' });
    return 'next';
  }
  const binary = await sendBinaryAndMarker(conn, next, report.replyStyle === 'pong');
  report.checks.push({ name: 'binary echo', severity: opts.requireBinary ? 'fail' : 'warning', ok: binary.ok, detail: binary.detail });
  if (binary.closedWith === undefined) return 'next';
  // The server ended the connection over the binary message (1003 "unsupported data" is
  // legitimate for a text-only server): that was its close handshake, so judge it.
  const clean = binary.closedWith !== 1006;
  report.checks.push({
    name: 'close handshake',
    ok: clean,
    severity: 'fail',
    detail: clean ? `server closed with ${binary.closedWith} after the binary message` : 'server dropped the connection without a close frame',
  });
  return 'closed';
}

/** Our close (1000), answered with the server's close frame: the connection ends cleanly. */
export async function closeHandshake({ conn, next, report }: CheckRun): Promise<StepEnd> {
  conn.close(1000, 'wsbench check');
  let closed: CheckEvent | undefined;
  do closed = await next(STEP_TIMEOUT_MS);
  while (closed && closed.kind === 'message');
  const closeOk = closed?.kind === 'close' && closed.code === 1000;
  report.checks.push({
    name: 'close handshake',
    ok: closeOk,
    severity: 'fail',
    detail: closeOk ? 'server answered 1000 and closed' : closed?.kind === 'close' ? `closed with ${closed.code}` : 'no close answer',
  });
  return 'closed';
}

/**
 * Sends 16 random bytes as binary, then a text marker. Replies come in order, so a marker reply
 * arriving first means the binary message was dropped: no need to sit out a timeout for the
 * seed server, which ignores binary, on every `load`.
 */
async function sendBinaryAndMarker(conn: LeanConnection, next: NextEvent, pong: boolean): Promise<{ ok: boolean; detail: string; closedWith?: number }> {
  const bin = randomBytes(16);
  const marker = `wsbench-check ${randomBytes(6).toString('hex')}`;
  const markerReply = pong ? `${PONG_PREFIX}${marker}` : marker;
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
