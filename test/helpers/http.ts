/** /healthz and /metrics over Node's global fetch, plus a Prometheus text parser and a poller. */
import assert from 'node:assert/strict';
import { HEALTHZ_FIELDS, type HealthzBody } from '../../src/contract/pong-routes.js';

/** The one /healthz body of every runtime (src/contract/pong-routes.ts). */
export type Healthz = HealthzBody;

/** The same /healthz body on every runtime: the contract's fields in its order, and the same limits. */
export function assertHealthzBody(body: Healthz, expected: { runtime: HealthzBody['runtime']; pid: number; workers: number; replyDelayMs?: number }): void {
  assert.deepEqual(Object.keys(body), HEALTHZ_FIELDS, 'the fields of /healthz');
  assert.equal(body.status, 'ok');
  assert.equal(body.runtime, expected.runtime);
  assert.equal(body.pid, expected.pid);
  assert.equal(body.workers, expected.workers);
  if (expected.workers === 1) assert.equal(body.workerPid, expected.pid);
  assert.equal(body.replyDelayMs, expected.replyDelayMs ?? 0);
  // With a delay and replies already sent: the achieved − asked delay, never negative (a reply is never early).
  if (expected.replyDelayMs) {
    assert.ok(body.replyDelayAchieved && body.replyDelayAchieved.samples > 0, 'the achieved delay is reported');
    assert.ok(body.replyDelayAchieved.p50Us >= 0 && body.replyDelayAchieved.p99Us >= body.replyDelayAchieved.p50Us);
  } else assert.equal(body.replyDelayAchieved, null);
  assert.deepEqual(Object.keys(body.limits).sort(), ['handshakeTimeoutMs', 'maxConnections', 'maxPayloadBytes', 'maxSendBufferBytes', 'sendBufferTimeoutMs']);
}

export async function getHealthz(port: number): Promise<{ status: number; body: Healthz }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as Healthz };
}

/** Series name with labels exactly as exposed (`wsbench_closes_total{code="1006"}`) → value. */
export type Metrics = Map<string, number>;

export function parsePrometheus(text: string): Metrics {
  const out: Metrics = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?)\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

export async function getMetrics(port: number): Promise<{ status: number; contentType: string; text: string; metrics: Metrics }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, metrics: parsePrometheus(text) };
}

/**
 * Re-evaluates `check` until it returns a value other than undefined/false, or fails after
 * `timeoutMs` with the last value seen. For server-side effects a client cannot observe directly
 * (a counter after a disconnect); the interval is only how often to look, never an assertion.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
