import WebSocket from 'ws';
import { WsbError } from '../../core/errors.js';
import { createProbeBuffer, probeFraming, probeOffset, writeProbe } from '../../protocol/probe.js';
import { PONG_PREFIX_BYTES } from '../../protocol/pong.js';
import type { LoadConfig } from '../../profile/load-config.js';
import { failureCause } from '../../client/failure-cause.js';
import { HandshakeError } from '../../client/handshake.js';

const TRIAL_TIMEOUT_MS = 5000;

/** What one trial connection learned about the target. */
export interface TrialResult {
  /** `pong`: replies `Pong: <msg>` (the seed server); `echo`: the payload unchanged. */
  replyStyle: 'pong' | 'echo' | 'shootout';
  greeting: string | null;
  protocol: string;
  extensions: string;
}

/**
 * Opens one connection and sends one probe before the run, so an unreachable target, a rejected
 * handshake or a server that never answers is one clear error instead of a run full of failures.
 */
export function tryTarget(config: LoadConfig, localAddress?: string): Promise<TrialResult> {
  return new Promise((resolve, reject) => {
    let greeting: string | null = null;
    let settled = false;
    const ws = new WebSocket(config.url, config.protocols, {
      headers: config.headers,
      origin: config.origin,
      perMessageDeflate: config.deflate,
      handshakeTimeout: Math.min(config.connectTimeoutMs, TRIAL_TIMEOUT_MS),
      localAddress,
    });
    const timer = setTimeout(
      () =>
        fail(
          new WsbError(
            'WSB_ERR_TARGET_UNREACHABLE',
            `${config.url} accepted the connection but did not answer a message within ${TRIAL_TIMEOUT_MS / 1000} s`,
            'the target must echo messages or answer them with "Pong: <msg>"',
          ),
        ),
      TRIAL_TIMEOUT_MS + 1000,
    );
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    }
    ws.on('open', () => {
      const framing = probeFraming(config.format, config.pattern);
      const probe = createProbeBuffer(config.payloadBytes, framing);
      writeProbe(probe, 0, 0, 0, 0, framing.prefix.length);
      ws.send(probe, { binary: false });
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const at = probeOffset(data);
      if (at < 0) {
        if (greeting === null && !isBinary) greeting = data.toString('utf8');
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve({
        replyStyle: at === 0 ? 'echo' : data.subarray(0, at).equals(PONG_PREFIX_BYTES) ? 'pong' : 'shootout',
        greeting,
        protocol: ws.protocol,
        extensions: ws.extensions,
      });
      ws.close(1000);
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
