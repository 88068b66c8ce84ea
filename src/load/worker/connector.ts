import WebSocket from 'ws';
import { nowUs } from '../../core/clock.js';
import { recordUs } from '../../metrics/histograms.js';
import { failureCause } from '../failure-cause.js';
import { localAddressFor } from '../run-plan.js';
import { onMessage } from './reply-recorder.js';
import { kConnectStartUs, kIndex, type LoadSocket, type WorkerState } from './worker-state.js';

/** Concurrent handshakes per worker: enough to follow the connect rate, few enough not to flood SYNs. */
const MAX_IN_FLIGHT = 512;
const RAMP_TICK_MS = 5;

/** Our listeners type `this` as LoadSocket; ws types it as WebSocket. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (this: WebSocket, ...args: any[]) => void;

let state: WorkerState;
let onAllAttempted: () => void = () => {};
let inFlight = 0;

/**
 * Opens this worker's connections at its share of the connect rate, with a bounded number of
 * handshakes in flight; calls `done` once every connection has either opened or failed.
 */
export function startRamp(s: WorkerState, done: () => void): void {
  state = s;
  onAllAttempted = done;
  const count = s.config.slice.count;
  if (count === 0) {
    done();
    return;
  }
  const ratePerUs = s.config.slice.connectRate / 1e6;
  const startUs = nowUs();
  let next = 0;
  const tick = () => {
    if (state.closing) return; // finish arrived mid-ramp (a signal): open nothing more
    const allowed = Math.min(count, Math.floor((nowUs() - startUs) * ratePerUs) + 1);
    while (next < allowed && inFlight < MAX_IN_FLIGHT) open(next++);
    if (next < count) setTimeout(tick, RAMP_TICK_MS);
  };
  tick();
}

function open(index: number): void {
  const cfg = state.config;
  inFlight++;
  const ws = new WebSocket(cfg.url, cfg.protocols, {
    headers: cfg.headers,
    origin: cfg.origin,
    perMessageDeflate: cfg.deflate,
    handshakeTimeout: cfg.connectTimeoutMs,
    localAddress: localAddressFor(state.globalId(index), cfg.localAddresses),
    // Replies are probe-sized; a server sending more than this is misbehaving.
    maxPayload: 16 * 1024 * 1024,
  }) as LoadSocket;
  ws[kIndex] = index;
  ws[kConnectStartUs] = nowUs();
  const socket = ws as WebSocket;
  socket.on('open', onOpen as unknown as Listener);
  socket.on('message', onMessage as unknown as Listener);
  socket.on('error', onError as unknown as Listener);
  socket.on('close', onClose as unknown as Listener);
}

// Module-level listeners shared by every socket; the socket is `this`.
function onOpen(this: LoadSocket): void {
  inFlight--;
  recordUs(state.hist.connect, nowUs() - this[kConnectStartUs]);
  state.sockets[this[kIndex]] = this;
  state.counters.established++;
  state.counters.open++;
  attempted();
  if (state.closing) this.close(1000, 'wsbench done');
}

function onError(this: LoadSocket, err: Error & { code?: string }): void {
  if (state.sockets[this[kIndex]] === this) {
    state.countError(state.counters.errorsByCode, err.code ?? 'other');
    return;
  }
  // Before open: the connection attempt failed (ws emits close right after; onClose ignores it).
  inFlight--;
  state.counters.failed++;
  state.countError(state.counters.failuresByCause, failureCause(err));
  attempted();
}

function onClose(this: LoadSocket, code: number): void {
  if (state.sockets[this[kIndex]] !== this) return;
  state.sockets[this[kIndex]] = undefined;
  state.counters.open--;
  if (!state.closing) state.countError(state.counters.unexpectedClosesByCode, String(code));
}

function attempted(): void {
  state.connectAttemptsDone++;
  if (state.connectAttemptsDone === state.config.slice.count) onAllAttempted();
}

/** Closes every open connection with 1000 and resolves when all are closed (or after `timeoutMs`). */
export async function closeAll(timeoutMs: number): Promise<void> {
  state.closing = true;
  for (const ws of state.sockets) ws?.close(1000, 'wsbench done');
  const deadline = Date.now() + timeoutMs;
  while (state.counters.open > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const ws of state.sockets) ws?.terminate();
}
