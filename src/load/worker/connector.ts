import type WebSocket from 'ws';
import type { RawData } from 'ws';
import { nowUs } from '../../core/clock.js';
import { failureCause } from '../failure-cause.js';
import { localAddressFor, localPortFor } from '../run-plan.js';
import { recordReply } from './reply-recorder.js';
import { LeanConnection, type LeanEvents, type LeanOptions } from './lean-connection.js';
import { kIndex, type Conn, type LoadSocket, type WorkerState } from './worker-state.js';

/** Concurrent handshakes per worker: enough to follow the connect rate, few enough not to flood SYNs. */
const MAX_IN_FLIGHT = 512;
const RAMP_TICK_MS = 5;
const CLOSE_BATCH = 1000;
const CLOSE_BATCH_PAUSE_MS = 10;
/** Replies are probe-sized; a server sending more than this is misbehaving. */
const CLIENT_MAX_PAYLOAD = 16 * 1024 * 1024;

let state: WorkerState;
let WsClient: typeof WebSocket;
let onAllAttempted: () => void = () => {};
let inFlight = 0;

/**
 * Opens this worker's connections at its share of the connect rate, with a bounded number of
 * handshakes in flight; calls `done` once every connection has either opened or failed.
 */
export async function startRamp(s: WorkerState, done: () => void): Promise<void> {
  state = s;
  // ws is loaded only when asked for: a lean worker process stays ~8 MB smaller.
  if (s.config.client === 'ws') WsClient = (await import('ws')).default;
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
  inFlight++;
  state.connectStartUs[index] = nowUs();
  if (state.config.client === 'lean') openLean(index);
  else openWs(index);
}

// Bookkeeping shared by both clients.
function opened(index: number, conn: Conn): void {
  inFlight--;
  state.hist.connect.record(nowUs() - state.connectStartUs[index]);
  state.sockets[index] = conn;
  state.counters.established++;
  state.counters.open++;
  attempted();
  if (state.closing) conn.close(1000, 'wsbench done');
}

function failed(err: Error & { code?: string }): void {
  inFlight--;
  state.counters.failed++;
  state.countError(state.counters.failuresByCause, failureCause(err));
  attempted();
}

function closed(index: number, conn: Conn, code: number): void {
  if (state.sockets[index] !== conn) return;
  state.sockets[index] = undefined;
  state.counters.open--;
  if (!state.closing) state.countError(state.counters.unexpectedClosesByCode, String(code));
}

function attempted(): void {
  state.connectAttemptsDone++;
  if (state.connectAttemptsDone === state.config.slice.count) onAllAttempted();
}

// The lean client: events come straight from the connection object.
const leanEvents: LeanEvents = {
  open: (conn) => opened(conn.index, conn),
  message: (conn, data) => recordReply(conn.index, data),
  fail: (conn, err) => {
    // The explicit local port was taken (another program, a TIME_WAIT): let the kernel pick one.
    if (err.code === 'EADDRINUSE' && conn.localPort !== undefined) {
      state.counters.portRetries++;
      openLean(conn.index, false);
      return;
    }
    failed(err);
  },
  close: (conn, code) => closed(conn.index, conn, code),
};

let leanOptions: LeanOptions | undefined;

function openLean(index: number, explicitPort = true): void {
  const cfg = state.config;
  leanOptions ??= {
    url: new URL(cfg.url),
    protocols: cfg.protocols,
    headers: cfg.headers,
    origin: cfg.origin,
    handshakeTimeoutMs: cfg.connectTimeoutMs,
    maxPayload: CLIENT_MAX_PAYLOAD,
  };
  const id = state.globalId(index);
  const port = explicitPort ? localPortFor(id, cfg.localAddresses, cfg.localPortBase) : undefined;
  const conn = new LeanConnection(leanOptions, leanEvents, localAddressFor(id, cfg.localAddresses), port);
  conn.index = index;
}

// The ws client (the reference): module-level listeners shared by every socket; the socket is `this`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (this: WebSocket, ...args: any[]) => void;

function openWs(index: number): void {
  const cfg = state.config;
  const ws = new WsClient(cfg.url, cfg.protocols, {
    headers: cfg.headers,
    origin: cfg.origin,
    perMessageDeflate: cfg.deflate,
    handshakeTimeout: cfg.connectTimeoutMs,
    localAddress: localAddressFor(state.globalId(index), cfg.localAddresses),
    maxPayload: CLIENT_MAX_PAYLOAD,
  }) as LoadSocket;
  ws[kIndex] = index;
  const socket = ws as WebSocket;
  socket.on('open', onWsOpen as unknown as Listener);
  socket.on('message', onWsMessage as unknown as Listener);
  socket.on('error', onWsError as unknown as Listener);
  socket.on('close', onWsClose as unknown as Listener);
}

function onWsOpen(this: LoadSocket): void {
  opened(this[kIndex], this);
}

function onWsMessage(this: LoadSocket, data: RawData): void {
  recordReply(this[kIndex], data as Buffer);
}

function onWsError(this: LoadSocket, err: Error & { code?: string }): void {
  // After open: counted; ws emits close next. Before open: the attempt failed (close is ignored).
  if (state.sockets[this[kIndex]] === this) state.countError(state.counters.errorsByCode, err.code ?? 'other');
  else failed(err);
}

function onWsClose(this: LoadSocket, code: number): void {
  closed(this[kIndex], this, code);
}

/** Closes every open connection with 1000 and resolves when all are closed (or after `timeoutMs`). */
export async function closeAll(timeoutMs: number): Promise<void> {
  state.closing = true;
  const deadline = Date.now() + timeoutMs;
  // In batches: closing every connection at once allocates for all of them before any is freed,
  // and the close is when a run's client RSS peaks (bench/scale.js hold, 100 000 clients: 592 MB
  // summed peak closing all at once, 568 MB in batches).
  const sockets = state.sockets;
  for (let i = 0; i < sockets.length; i += CLOSE_BATCH) {
    for (let j = i; j < Math.min(i + CLOSE_BATCH, sockets.length); j++) sockets[j]?.close(1000, 'wsbench done');
    await new Promise((r) => setTimeout(r, CLOSE_BATCH_PAUSE_MS));
  }
  while (state.counters.open > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const ws of state.sockets) ws?.terminate();
}
