import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { delayReplies } from '../../src/contract/reply-delay.js';

describe('delayReplies (serve --reply-delay)', { timeout: 10_000 }, () => {
  for (const delayMs of [0.2, 5]) {
    it(`runs every reply in call order, none sooner than ${delayMs} ms after its call`, async () => {
      const done: { socket: string; data: number; waited: number }[] = [];
      let finish: () => void = () => {};
      const all = new Promise<void>((r) => (finish = r));
      const calledAt = new Map<number, number>();
      const later = delayReplies(delayMs, (socket: string, data: number) => {
        done.push({ socket, data, waited: performance.now() - calledAt.get(data)! });
        if (done.length === 20) finish();
      });
      for (let i = 0; i < 20; i++) {
        calledAt.set(i, performance.now());
        later(i % 2 === 0 ? 'a' : 'b', i, undefined);
        // Some calls while others already wait.
        if (i === 9) await new Promise((r) => setTimeout(r, 1));
      }
      await all;
      assert.deepEqual(
        done.map((d) => d.data),
        Array.from({ length: 20 }, (_, i) => i),
      );
      for (const d of done) assert.ok(d.waited >= delayMs, `reply ${d.data} after ${d.waited} ms`);
    });
  }

  it('stop() drops the replies still waiting', async () => {
    const sent: number[] = [];
    const later = delayReplies(20, (_s: null, data: number) => sent.push(data));
    later(null, 1, undefined);
    later.stop();
    later(null, 2, undefined);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(sent, []);
  });
});
