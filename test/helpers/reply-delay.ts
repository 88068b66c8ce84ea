/** Checks for `serve --reply-delay`: lower bounds only (a reply may come later on a busy host, never sooner). */
import assert from 'node:assert/strict';
import { connect, closeClient } from './ws-client.js';

/**
 * Both clocks are CLOCK_MONOTONIC (performance.now in the server and here); the 1 ms slack only
 * covers rounding where a runtime coarsens performance.now.
 */
const CLOCK_SLACK_MS = 1;

/**
 * Sends `count` messages at once on each of `connections` connections and checks that every reply
 * comes in its connection's order, and no earlier than `delayMs` after its own send.
 */
export async function assertDelayedInOrder(url: string, delayMs: number, count = 5, connections = 1): Promise<void> {
  const clients = await Promise.all(Array.from({ length: connections }, () => connect(url)));
  try {
    await Promise.all(
      clients.map(async (c, k) => {
        assert.match((await c.nextMessage()).text, /^Hello Client/);
        const sentAt: number[] = [];
        for (let i = 0; i < count; i++) {
          sentAt.push(performance.now());
          c.ws.send(`c${k} m${i}`);
        }
        for (let i = 0; i < count; i++) {
          const m = await c.nextMessage(delayMs + 15_000);
          const waited = performance.now() - sentAt[i];
          assert.equal(m.text, `Pong: c${k} m${i}`, 'replies in the order of their messages');
          assert.ok(waited >= delayMs - CLOCK_SLACK_MS, `reply ${i} came ${waited.toFixed(2)} ms after its send, under --reply-delay ${delayMs}ms`);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => closeClient(c)));
  }
}

/** With a delay far above any test timeout, the greeting still arrives: it is never delayed. */
export async function assertGreetingNotDelayed(url: string): Promise<void> {
  const c = await connect(url);
  try {
    assert.match((await c.nextMessage()).text, /^Hello Client, you connected to \//);
  } finally {
    await closeClient(c);
  }
}
