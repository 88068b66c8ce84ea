/**
 * The conformance check's one connection, on the lean client (which validates the handshake:
 * status, accept value, subprotocol, no unoffered extension; and every frame it receives), with its
 * events in a queue the steps read in order, each with its own timeout.
 */
import { LeanConnection, type LeanEvents } from '../client/lean-connection.js';
import { probeBytes, type ConformanceOptions } from './conformance-report.js';

export type CheckEvent =
  { kind: 'open' } | { kind: 'message'; data: Buffer; isBinary: boolean } | { kind: 'fail'; err: Error } | { kind: 'close'; code: number };
/** The next event, or undefined when none came within `timeoutMs`. */
export type NextEvent = (timeoutMs: number) => Promise<CheckEvent | undefined>;

/** How long a step waits for its answer. */
export const STEP_TIMEOUT_MS = 5000;
/** Room above the probe for the `Pong: ` prefix and frame headers. */
const MAX_PAYLOAD_BYTES = 1 << 20;

/** Opens the connection the run's way (protocols, headers, origin, source address); its events wait in `next`. */
export function openCheckConnection(url: string, opts: ConformanceOptions): { conn: LeanConnection; next: NextEvent } {
  const queue: CheckEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (e: CheckEvent) => {
    queue.push(e);
    wake?.();
  };
  const events: LeanEvents = {
    open: () => push({ kind: 'open' }),
    message: (_c, data, isBinary) => push({ kind: 'message', data: Buffer.from(data), isBinary }),
    fail: (_c, err) => push({ kind: 'fail', err }),
    close: (_c, code) => push({ kind: 'close', code }),
  };
  const next: NextEvent = async (timeoutMs) => {
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
      maxPayload: Math.max(MAX_PAYLOAD_BYTES, probeBytes(opts) + 1024),
    },
    events,
    opts.localAddress,
  );
  return { conn, next };
}

/** Next data message, skipping nothing else: a close or failure ends the wait. */
export async function nextMessage(next: NextEvent): Promise<{ data: Buffer; isBinary: boolean } | undefined> {
  const e = await next(STEP_TIMEOUT_MS);
  return e?.kind === 'message' ? e : undefined;
}
