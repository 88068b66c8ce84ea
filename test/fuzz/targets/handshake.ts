/**
 * The lean client's reading of the server's HTTP answer (LeanConnection.readHandshake, with
 * src/client/handshake.ts): generated answers, well-formed or damaged, each fed whole and then cut
 * at every byte. Properties: the same outcome whatever the cuts; an exception never escapes; and
 * the connection opens exactly when the answer is a 101 with `Upgrade: websocket`, the right
 * Sec-WebSocket-Accept, no extension, and a subprotocol only if it was offered.
 */
import fc from 'fast-check';
import { HARNESS_ACCEPT, leanConnection, type LeanEvent } from '../lean-harness.js';
import type { FuzzTarget } from '../target.js';

export interface HandshakeInput {
  /** The server's answer (latin1), frames after it included. */
  answer: string;
  /** Subprotocols the client offered. */
  offered: string[];
}

const OFFERABLE = ['chat', 'superchat', 'v2.pong'];

interface Header {
  name: string;
  value: string;
}

const nameCase = (name: string) =>
  fc.constantFrom(
    name,
    name.toLowerCase(),
    name.toUpperCase(),
    name.replace(/-(.)/g, (_m: string, c: string) => `-${c.toLowerCase()}`),
  );
const ows = fc.constantFrom('', ' ', '  ', '\t');

const header = (name: string, value: fc.Arbitrary<string>): fc.Arbitrary<Header> =>
  fc.tuple(nameCase(name), ows, value, ows).map(([n, a, v, b]) => ({ name: n, value: `${a}${v}${b}` }));

const token = fc.stringMatching(/^[!-~]{0,12}$/);

const answerParts = fc.record({
  statusLine: fc.oneof(
    { weight: 8, arbitrary: fc.constant('HTTP/1.1 101 Switching Protocols') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'HTTP/1.1 200 OK',
        'HTTP/1.1 400 Bad Request',
        'HTTP/1.1 503 Service Unavailable',
        'HTTP/1.0 101 Switching Protocols',
        'HTTP/1.1 1010 Switching',
        'HTTP/1.1 101',
        'HTTP/2 101',
        'http/1.1 101 Switching Protocols',
        'HTTP/1.1  101 Switching Protocols',
        '',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  ),
  upgrade: fc.option(header('Upgrade', fc.constantFrom('websocket', 'WebSocket', 'websockets', 'h2c', '')), { freq: 8 }),
  connection: fc.option(header('Connection', fc.constantFrom('Upgrade', 'upgrade', 'keep-alive, Upgrade')), { freq: 8 }),
  accept: fc.option(header('Sec-WebSocket-Accept', fc.oneof({ weight: 6, arbitrary: fc.constant(HARNESS_ACCEPT) }, { weight: 1, arbitrary: token })), {
    freq: 10,
  }),
  protocol: fc.option(header('Sec-WebSocket-Protocol', fc.oneof(fc.constantFrom(...OFFERABLE), token, fc.constant('chat, superchat'))), { freq: 2 }),
  extensions: fc.option(header('Sec-WebSocket-Extensions', fc.constantFrom('permessage-deflate', 'x-unknown', '')), { freq: 1 }),
  extra: fc.array(header('X-Other', token), { maxLength: 3 }),
  order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  after: fc.oneof(fc.constant(''), fc.constant('\x81\x05hello'), fc.string({ maxLength: 8 })),
  damage: fc.option(fc.record({ at: fc.nat(), text: fc.string({ maxLength: 4 }), cut: fc.nat({ max: 3 }) }), { freq: 3 }),
});

const handshakeArbitrary: fc.Arbitrary<HandshakeInput> = fc.tuple(answerParts, fc.subarray(OFFERABLE)).map(([p, offered]) => {
  const list = [p.upgrade, p.connection, p.accept, p.protocol, p.extensions, ...p.extra].filter((h): h is Header => h !== null);
  const sorted = list.map((h, i) => ({ h, k: p.order[i % p.order.length] + i / 100 })).sort((a, b) => a.k - b.k);
  let head = [p.statusLine, ...sorted.map(({ h }) => `${h.name}:${h.value}`)].join('\r\n') + '\r\n\r\n';
  if (p.damage) {
    const at = p.damage.at % (head.length + 1);
    head = head.slice(0, at) + p.damage.text + head.slice(at + p.damage.cut);
  }
  return { answer: head + p.after, offered };
});

/** What RFC 6455 §4.1 says the client must do with this answer, judged on the text alone. */
export function expectedToOpen(input: HandshakeInput): boolean | 'incomplete' {
  const end = input.answer.indexOf('\r\n\r\n');
  if (end === -1) return 'incomplete';
  const [status, ...lines] = input.answer.slice(0, end).split('\r\n');
  if (!/^HTTP\/1\.1 101(?: |$)/.test(status)) return false;
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(i + 1).trim()]);
  }
  const one = (name: string) => {
    const v = headers.get(name);
    return v === undefined ? undefined : v.join(', ');
  };
  if (one('upgrade')?.toLowerCase() !== 'websocket') return false;
  if (one('sec-websocket-accept') !== HARNESS_ACCEPT) return false;
  const protocol = one('sec-websocket-protocol');
  if (protocol !== undefined && !input.offered.includes(protocol)) return false;
  if (headers.has('sec-websocket-extensions')) return false;
  return true;
}

function run(input: HandshakeInput, cuts: number[]): { events: LeanEvent[]; error?: string } {
  const conn = leanConnection({ maxPayload: 1 << 16, protocols: input.offered });
  const bytes = Buffer.from(input.answer, 'latin1');
  let at = 0;
  try {
    for (const cut of [...cuts, bytes.length]) {
      if (cut > at) conn.push(bytes.subarray(at, cut));
      at = Math.max(at, cut);
    }
  } catch (err) {
    return { events: conn.events, error: (err as Error).stack };
  }
  return { events: conn.events };
}

const summary = (r: { events: LeanEvent[] }) => JSON.stringify(r.events.map((e) => (e.kind === 'fail' ? { kind: e.kind, status: e.status } : e)));

export const handshakeTarget: FuzzTarget<HandshakeInput> = {
  name: 'handshake',
  covers: ['src/client/lean-connection.ts', 'src/client/handshake.ts'],
  arbitrary: handshakeArbitrary,
  check(input) {
    const whole = run(input, []);
    if (whole.error) throw new Error(`an exception escaped the handshake reader: ${whole.error}`);
    const expected = expectedToOpen(input);
    const opened = whole.events.some((e) => e.kind === 'open');
    const failed = whole.events.some((e) => e.kind === 'fail');
    if (expected === 'incomplete') {
      if (opened) throw new Error('opened on an incomplete answer');
    } else if (opened !== expected || failed === expected) {
      throw new Error(`expected the connection to ${expected ? 'open' : 'fail'}; events: ${summary(whole)}`);
    }
    // The same answer cut at every byte, and cut into two at each byte, must end the same way.
    const len = Buffer.byteLength(input.answer, 'latin1');
    const cuts = [Array.from({ length: len }, (_, i) => i)];
    for (let i = 1; i < Math.min(len, 400); i += 1) cuts.push([i]);
    for (const c of cuts) {
      const split = run(input, c);
      if (split.error) throw new Error(`an exception escaped the handshake reader when cut at ${c.length} point(s): ${split.error}`);
      if (summary(split) !== summary(whole)) throw new Error(`cut at ${JSON.stringify(c.slice(0, 5))}…: ${summary(split)} instead of ${summary(whole)}`);
    }
  },
  toJson: (x) => x,
  fromJson: (j) => j as HandshakeInput,
};
