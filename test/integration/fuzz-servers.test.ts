/**
 * Each runtime's Pong server under mutated client frames (test/fuzz/targets/server.ts): the
 * committed corpus, then one seeded pass, while a well-behaved client stays connected and must
 * keep getting its answers, and the server's RSS stays within a bound. Runtimes that are not
 * installed here are skipped with the reason. No timing assertions.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { killAll } from '../helpers/cli.js';
import { useServer } from '../helpers/use-server.js';
import { runtimeMissing } from '../helpers/runtimes.js';
import { RUNTIMES } from '../../src/targets/runtimes.js';
import { replayCorpus, seededPass } from '../fuzz/runner.js';
import { closeContext, openContext, roundTrip, rssKb, RSS_GROWTH_LIMIT_KB, serverTarget, type ServerFuzzContext } from '../fuzz/targets/server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 29);
const RUNS = 150;
const HOOK = { timeout: 30_000 };

after(() => killAll(), HOOK);

for (const runtime of RUNTIMES) {
  describe(`serve --runtime ${runtime} under mutated client frames`, { timeout: 120_000, skip: runtimeMissing(runtime) }, () => {
    const server = useServer(['--runtime', runtime]);
    let ctx: ServerFuzzContext;
    before(async () => {
      ctx = await openContext(server().port, server().pid);
    }, HOOK);
    after(async () => {
      if (ctx) await closeContext(ctx);
    }, HOOK);

    it(`the corpus, then ${RUNS} generated connections (seed ${SEED}); a client connected all along is still answered`, async (t) => {
      t.diagnostic(`seed ${SEED}, ${RUNS} runs (FUZZ_SEED=${SEED} to replay)`);
      // Every corpus lives under the node target's name: the same streams go to every runtime.
      const target = serverTarget('server', ctx);
      const corpus = await replayCorpus(target);
      assert.deepEqual(corpus.failures, []);
      await seededPass(target, SEED, RUNS);
      await roundTrip(ctx);
      const rss = rssKb(ctx.pid);
      t.diagnostic(`server RSS ${ctx.rssBeforeKb} kB before, ${rss} kB after, peak seen ${Math.max(ctx.rssPeakKb, rss)} kB; ${ctx.roundTrips} round trips`);
      assert.ok(rss - ctx.rssBeforeKb <= RSS_GROWTH_LIMIT_KB, `server RSS grew from ${ctx.rssBeforeKb} kB to ${rss} kB`);
    });
  });
}
