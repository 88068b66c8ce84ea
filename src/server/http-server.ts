import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { ServerStats } from './stats.js';
import { readFdLimit } from '../core/limits.js';
import { FD_RESERVE } from '../core/defaults.js';

/** Connections one process can hold: its open-file limit minus what the process needs itself. */
export function perProcessCapacity(): number {
  return Math.max(0, readFdLimit().soft - FD_RESERVE);
}

/** How often Node looks for connections past the handshake timeout (its default is every 30 s). */
export function checkingIntervalMs(handshakeTimeoutMs: number): number {
  return Math.min(1000, Math.max(50, Math.floor(handshakeTimeoutMs / 4)));
}

/**
 * The HTTP(S) server under the WebSocket endpoint, with a handshake deadline: a connection that has
 * not completed its TLS handshake and request header block within `handshakeTimeoutMs` is answered
 * 408 (or dropped, during TLS) and closed, at most one checking interval later. Node's defaults
 * (60 s for headers, checked every 30 s; 120 s for TLS) let slow clients hold sockets ~90 s.
 * Requests Node's parser refuses are answered as Node would and counted by status.
 */
export function createHttpServer(
  tls: { cert: Buffer; key: Buffer } | undefined,
  handshakeTimeoutMs: number,
  stats: ServerStats,
  onRequest: http.RequestListener,
): http.Server | https.Server {
  const options: http.ServerOptions = {
    // Every request this server answers is a bodiless GET (or refused), so the whole request has
    // the same deadline as its headers.
    headersTimeout: handshakeTimeoutMs,
    requestTimeout: handshakeTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(handshakeTimeoutMs),
  };
  const server = tls
    ? https.createServer({ ...options, cert: tls.cert, key: tls.key, handshakeTimeout: handshakeTimeoutMs }, onRequest)
    : http.createServer(options, onRequest);
  // Without this an idle keep-alive connection holds shutdown up for 5 s.
  server.keepAliveTimeout = 2000;
  // At its open-file limit a process cannot even accept: libuv then accepts and closes with its
  // one spare descriptor, and nothing is left for logs, /proc, IPC or /metrics. Node closes
  // connections past this many at accept instead ('drop'), keeping FD_RESERVE files free.
  const capacity = perProcessCapacity();
  if (capacity > 0) server.maxConnections = capacity;
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => onClientError(err, socket, stats));
  if (tls) {
    // Failed or timed-out TLS handshakes (ERR_TLS_HANDSHAKE_TIMEOUT, …) were uncounted.
    server.on('tlsClientError', (err: Error & { code?: string }) => stats.countError(err.code ?? 'TLS_ERROR'));
  }
  return server;
}

/** Node's own answers to requests its parser refuses, the same bytes, plus a count by status. */
const PARSER_ANSWERS: Record<string, number> = {
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
};
const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' };

function onClientError(err: Error & { code?: string }, socket: Duplex, stats: ServerStats): void {
  // A peer that reset or vanished gets no answer (it cannot read one).
  const answerable = socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0;
  if (!answerable || err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    if (err.code === 'ECONNRESET') stats.countReset('request');
    stats.countError(err.code ?? 'UNKNOWN');
    socket.destroy();
    return;
  }
  const status = PARSER_ANSWERS[err.code ?? ''] ?? 400;
  stats.countHttpRejected(status);
  // Write and destroy at once, as Node does: a slow client is exactly who is being closed.
  socket.write(`HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\n\r\n`);
  socket.destroy();
}
