import WebSocket from 'ws';
import { WsbError } from '../../core/errors.js';
import { createProbeBuffer, probeFraming, probeOffset, writeProbe } from '../../protocol/probe.js';
import { PONG_PREFIX_BYTES } from '../../protocol/pong.js';
import type { LoadConfig } from '../../profile/load-config.js';
import { failureCause } from '../../client/failure-cause.js';
import { HandshakeError } from '../../client/handshake.js';
import { Opening } from '../../protocol/opening.js';
import { compileMessage, TemplateWriter } from '../../protocol/template.js';
import { parseReplyIdRule, ReplyIdExtractor } from '../../protocol/reply-id.js';

const TRIAL_TIMEOUT_MS = 5000;

/** What one trial connection learned about the target. */
export interface TrialResult {
  /**
   * `pong`: replies `Pong: <msg>` (the seed server); `echo`: the payload unchanged; `reply-id`: a
   * templated run's reply, found by its id (--reply-id).
   */
  replyStyle: 'pong' | 'echo' | 'shootout' | 'reply-id';
  greeting: string | null;
  protocol: string;
  extensions: string;
}

/**
 * Opens one connection, has its opening conversation (--on-open, --await) and sends one probe, or
 * one templated message (as client 0, message 0), before the run, so an unreachable target, a
 * rejected handshake or a server that never answers is one clear error instead of a run full of
 * failures.
 */
export function tryTarget(config: LoadConfig, localAddress?: string): Promise<TrialResult> {
  return new Promise((resolve, reject) => {
    let greeting: string | null = null;
    let settled = false;
    const opening = new Opening(config.opening);
    let step = 0;
    const templated = templatedExchange(config);
    /** The first message that was not the awaited one or the reply: what the error says came back instead. */
    let instead: string | undefined;
    const ws = new WebSocket(config.url, config.protocols, {
      headers: config.headers,
      origin: config.origin,
      perMessageDeflate: config.deflate,
      handshakeTimeout: Math.min(config.connectTimeoutMs, TRIAL_TIMEOUT_MS),
      localAddress,
    });
    const timer = setTimeout(() => fail(noAnswer()), TRIAL_TIMEOUT_MS + 1000);
    function noAnswer(): WsbError {
      const got = instead === undefined ? 'nothing came back' : `got ${JSON.stringify(instead.slice(0, 80))}`;
      if (step < opening.length)
        return new WsbError(
          'WSB_ERR_TARGET_UNREACHABLE',
          `${config.url}: the opening conversation got no answer to ${opening.describe(step)} within ${TRIAL_TIMEOUT_MS / 1000} s (${got})`,
          'check the --on-open messages and the --await patterns against what the server sends',
        );
      if (templated)
        return new WsbError(
          'WSB_ERR_TARGET_UNREACHABLE',
          `${config.url} did not answer the templated message with id 0 (by --reply-id ${config.message!.replyId}) within ${TRIAL_TIMEOUT_MS / 1000} s (${got})`,
          'check that --reply-id finds the id in the replies, and that the template is a message the server answers',
        );
      return new WsbError(
        'WSB_ERR_TARGET_UNREACHABLE',
        `${config.url} accepted the connection but did not answer a message within ${TRIAL_TIMEOUT_MS / 1000} s`,
        'the target must echo messages or answer them with "Pong: <msg>"',
      );
    }
    const sendText = (m: Buffer) => ws.send(Buffer.from(m), { binary: false });
    function afterOpening(): void {
      if (templated) return void ws.send(Buffer.from(templated.message), { binary: templated.binary });
      const framing = probeFraming(config.format, config.pattern);
      const probe = createProbeBuffer(config.payloadBytes, framing);
      writeProbe(probe, 0, 0, 0, 0, framing.prefix.length);
      ws.send(probe, { binary: false });
    }
    function answered(replyStyle: TrialResult['replyStyle']): void {
      settled = true;
      clearTimeout(timer);
      resolve({ replyStyle, greeting, protocol: ws.protocol, extensions: ws.extensions });
      ws.close(1000);
    }
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    }
    ws.on('open', () => {
      step = opening.advance(0, 0, sendText);
      if (step === opening.length) afterOpening();
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (settled) return;
      if (step < opening.length) {
        if (!opening.matches(step, data)) return void (instead ??= data.toString('utf8'));
        step = opening.advance(step + 1, 0, sendText);
        if (step === opening.length) afterOpening();
        return;
      }
      if (templated) {
        if (templated.extractor.extract(data) === 0) return answered('reply-id');
        instead ??= data.toString('utf8');
        return;
      }
      const at = probeOffset(data);
      if (at < 0) {
        if (greeting === null && !isBinary) greeting = data.toString('utf8');
        return;
      }
      answered(at === 0 ? 'echo' : data.subarray(0, at).equals(PONG_PREFIX_BYTES) ? 'pong' : 'shootout');
    });
    ws.on('error', (err: Error & { code?: string }) => fail(describeConnectError(config.url, err)));
    // A non-101 answer: ws raises no error when this is listened to, so its status is read here.
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      fail(describeConnectError(config.url, new HandshakeError(`HTTP ${res.statusCode}`, res.statusCode)));
    });
    ws.on('close', (code) =>
      fail(
        new WsbError(
          'WSB_ERR_TARGET_UNREACHABLE',
          `${config.url} closed the trial connection (code ${code}) before answering`,
          'check that the target is a WebSocket echo or Pong server',
        ),
      ),
    );
  });
}

/** A templated run's first message (client 0, message 0, id 0, so its reply must carry 0) and the rule that finds its reply. */
function templatedExchange(config: LoadConfig): { message: Buffer; binary: boolean; extractor: ReplyIdExtractor } | undefined {
  const m = config.message;
  if (m === undefined) return undefined;
  const binary = m.encoding === 'base64';
  const writer = new TemplateWriter(compileMessage(m));
  return { message: Buffer.from(writer.write(0, 0, 0, Date.now())), binary, extractor: new ReplyIdExtractor(parseReplyIdRule(m.replyId)) };
}

function describeConnectError(url: string, err: Error & { code?: string }): WsbError {
  const cause = failureCause(err);
  if (cause.startsWith('handshake-')) {
    const status = cause.slice('handshake-'.length);
    return new WsbError(
      'WSB_ERR_HANDSHAKE_REJECTED',
      `${url} rejected the WebSocket handshake with HTTP ${status}`,
      'check the URL path, --protocol, --header and --origin',
    );
  }
  const hints: Record<string, string> = {
    refused: 'is the server running? start one with: wsbench serve',
    timeout: 'the target did not answer in time: check host, port and firewalls',
    dns: 'the host name does not resolve',
  };
  return new WsbError('WSB_ERR_TARGET_UNREACHABLE', `cannot connect to ${url}: ${err.message}`, hints[cause] ?? 'check the URL and that the server is up');
}
