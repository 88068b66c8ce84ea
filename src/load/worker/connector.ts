import type WebSocket from 'ws';
import type { RawData } from 'ws';
import { nowUs } from '../../core/clock.js';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { CLIENT_MAX_PAYLOAD_BYTES } from '../../core/defaults.js';
import { failureCause } from '../../client/failure-cause.js';
import { HandshakeError } from '../../client/handshake.js';
import { localAddressFor, localPortFor } from '../plan/run-plan.js';
import type { ReplyRecorder } from './reply-recorder.js';
import { LeanConnection, type LeanEvents, type LeanOptions } from '../../client/lean-connection.js';
import { kIndex, type Conn, type LoadSocket, type WorkerState } from './worker-state.js';
import { Opening } from '../../protocol/opening.js';
import { OpeningConversation } from './opening-conversation.js';

/** Concurrent handshakes per worker: enough to follow the connect rate, few enough not to flood SYNs. */
const MAX_IN_FLIGHT = 512;
const RAMP_TICK_MS = 5;
const CLOSE_BATCH = 1000;
const CLOSE_BATCH_PAUSE_MS = 10;

/** A ws socket of the reference client carries its connector (ws listeners find it through `this`). */
const kConnector = Symbol('wsbench.connector');
type OwnedSocket = LoadSocket & { [kConnector]: Connector };

/**
 * One worker's connections: opens them at its share of the connect rate with a bounded number of
 * handshakes in flight, books opens, failures and closes into the worker's state, hands messages to
 * its recorder, and closes them all at the end. One instance per worker, nothing at module level.
 */
export class Connector {
  private readonly state: WorkerState;
  private readonly recorder: ReplyRecorder;
  private WsClient: typeof WebSocket | undefined;
  private onAllAttempted: () => void = () => {};
  private inFlight = 0;
  private leanOptions: LeanOptions | undefined;
  /** The opening conversation of each connection (undefined: none, a connection is ready at its handshake). */
  private readonly opening: OpeningConversation | undefined;

  constructor(state: WorkerState, recorder: ReplyRecorder) {
    this.state = state;
    this.recorder = recorder;
    const steps = state.config.opening;
    this.opening =
      steps.length > 0
        ? new OpeningConversation(new Opening(steps), state, {
            ready: (index, conn) => this.ready(index, conn),
            failed: (err) => this.failed(err),
          })
        : undefined;
  }

  /** Calls `done` once every connection has either opened or failed. */
  async startRamp(done: () => void): Promise<void> {
    const state = this.state;
    // ws is loaded only when asked for: a lean worker process stays ~8 MB smaller.
    if (state.config.client === 'ws') this.WsClient = (await import('ws')).default;
    this.onAllAttempted = done;
    const count = state.config.slice.count;
    if (count === 0) {
      done();
      return;
    }
    const ratePerUs = state.config.slice.connectRate / 1e6;
    const startUs = nowUs();
    let next = 0;
    const tick = () => {
      if (state.closing) return; // finish arrived mid-ramp (a signal): open nothing more
      const allowed = Math.min(count, Math.floor((nowUs() - startUs) * ratePerUs) + 1);
      while (next < allowed && this.inFlight < MAX_IN_FLIGHT) this.open(next++);
      if (next < count) setTimeout(tick, RAMP_TICK_MS);
    };
    tick();
  }

  private open(index: number): void {
    this.inFlight++;
    this.state.connectStartUs[index] = nowUs();
    if (this.state.config.client === 'lean') this.openLean(index);
    else this.openWs(index);
  }

  // Bookkeeping shared by both clients.
  opened(index: number, conn: Conn): void {
    this.state.hist.connect.record(nowUs() - this.state.connectStartUs[index]);
    // The handshake is the connect time; with an opening conversation the connection is ready after it.
    if (this.opening !== undefined) this.opening.begin(index, conn);
    else this.ready(index, conn);
  }

  private ready(index: number, conn: Conn): void {
    const state = this.state;
    this.inFlight--;
    state.sockets[index] = conn;
    state.counters.established++;
    state.counters.open++;
    this.attempted();
    if (state.closing) conn.close(1000, 'wsbench done');
  }

  failed(err: Error & { code?: string }): void {
    this.inFlight--;
    this.state.counters.failed++;
    this.state.countError(this.state.counters.failuresByCause, failureCause(err));
    this.attempted();
  }

  closed(index: number, conn: Conn, code: number): void {
    const state = this.state;
    if (this.opening?.closed(index, conn, code)) return;
    if (state.sockets[index] !== conn) return;
    state.sockets[index] = undefined;
    state.counters.open--;
    if (!state.closing) state.countError(state.counters.unexpectedClosesByCode, String(code));
  }

  message(index: number, data: Buffer): void {
    if (this.opening?.message(index, data)) return;
    this.recorder.record(index, data);
  }

  /** An attempt failed before it was ready: in its handshake, or in its opening conversation (which then ends, so its close is not counted again). */
  attemptFailed(index: number, conn: Conn, err: Error & { code?: string }): void {
    this.opening?.forget(index, conn);
    this.failed(err);
  }

  /** A socket error after open: counted (ws emits close next). */
  erred(code: string | undefined): void {
    this.state.countError(this.state.counters.errorsByCode, code ?? 'other');
  }

  private attempted(): void {
    this.state.connectAttemptsDone++;
    if (this.state.connectAttemptsDone === this.state.config.slice.count) this.onAllAttempted();
  }

  // The lean client: events come straight from the connection object (one events object per worker).
  private readonly leanEvents: LeanEvents = {
    open: (conn) => this.opened(conn.index, conn),
    message: (conn, data) => this.message(conn.index, data),
    fail: (conn, err) => {
      // The explicit local port was taken (another program, a TIME_WAIT): let the kernel pick one.
      if (err.code === 'EADDRINUSE' && conn.localPort !== undefined) {
        this.state.counters.portRetries++;
        this.openLean(conn.index, false);
        return;
      }
      this.failed(err);
    },
    close: (conn, code) => this.closed(conn.index, conn, code),
  };

  private openLean(index: number, explicitPort = true): void {
    const cfg = this.state.config;
    this.leanOptions ??= {
      url: new URL(cfg.url),
      protocols: cfg.protocols,
      headers: cfg.headers,
      origin: cfg.origin,
      handshakeTimeoutMs: cfg.connectTimeoutMs,
      maxPayload: CLIENT_MAX_PAYLOAD_BYTES,
    };
    const id = this.state.globalId(index);
    const port = explicitPort ? localPortFor(id, cfg.localAddresses, cfg.localPortBase) : undefined;
    const conn = new LeanConnection(this.leanOptions, this.leanEvents, localAddressFor(id, cfg.localAddresses), port);
    conn.index = index;
  }

  private openWs(index: number): void {
    const cfg = this.state.config;
    const ws = new this.WsClient!(cfg.url, cfg.protocols, {
      headers: cfg.headers,
      origin: cfg.origin,
      perMessageDeflate: cfg.deflate,
      handshakeTimeout: cfg.connectTimeoutMs,
      localAddress: localAddressFor(this.state.globalId(index), cfg.localAddresses),
      maxPayload: CLIENT_MAX_PAYLOAD_BYTES,
    }) as OwnedSocket;
    ws[kIndex] = index;
    ws[kConnector] = this;
    const socket = ws as WebSocket;
    socket.on('open', onWsOpen as unknown as Listener);
    socket.on('message', onWsMessage as unknown as Listener);
    socket.on('error', onWsError as unknown as Listener);
    socket.on('unexpected-response', onWsUnexpectedResponse as unknown as Listener);
    socket.on('close', onWsClose as unknown as Listener);
  }

  /** Closes every open connection with 1000 and resolves when all are closed (or after `timeoutMs`). */
  async closeAll(timeoutMs: number): Promise<void> {
    const state = this.state;
    state.closing = true;
    this.opening?.stop();
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

  /** Whether `ws` is the open connection at `index` (ws's error before open means a failed attempt). */
  isOpen(index: number, conn: Conn): boolean {
    return this.state.sockets[index] === conn;
  }
}

// The ws client (the reference): module-level listeners shared by every socket; the socket is `this`
// and carries its index and connector, so nothing is allocated per connection or message.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (this: WebSocket, ...args: any[]) => void;

function onWsOpen(this: OwnedSocket): void {
  this[kConnector].opened(this[kIndex], this);
}

function onWsMessage(this: OwnedSocket, data: RawData): void {
  this[kConnector].message(this[kIndex], data as Buffer);
}

/** A non-101 answer: ws then emits no error of its own, so the attempt fails here, with its status. */
function onWsUnexpectedResponse(this: OwnedSocket, req: ClientRequest, res: IncomingMessage): void {
  // With this listener ws leaves the request to us: end it without an 'error' on the socket.
  res.resume();
  req.destroy();
  this[kConnector].failed(new HandshakeError(`the server answered the handshake with HTTP ${res.statusCode}`, res.statusCode));
}

function onWsError(this: OwnedSocket, err: Error & { code?: string }): void {
  // After open: counted; ws emits close next. Before open: the attempt failed (close is ignored).
  const connector = this[kConnector];
  if (connector.isOpen(this[kIndex], this)) connector.erred(err.code);
  else connector.attemptFailed(this[kIndex], this, err);
}

function onWsClose(this: OwnedSocket, code: number): void {
  this[kConnector].closed(this[kIndex], this, code);
}
