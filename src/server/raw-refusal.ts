import type { Duplex } from 'node:stream';
import type { HttpAnswer } from '../contract/pong-routes.js';

/** Writes a refusal from the routes table on a socket that never became an HTTP response (an upgrade), then ends it. */
export function writeRefusal(socket: Duplex, answer: HttpAnswer): void {
  const headers = Object.entries(answer.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${answer.status} ${answer.reason}\r\n${headers}Content-Length: ${Buffer.byteLength(answer.body)}\r\n\r\n${answer.body}`);
}
