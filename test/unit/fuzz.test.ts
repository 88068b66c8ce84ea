/**
 * The parsers of outside bytes, fuzzed: each target replays its committed corpus (past findings,
 * kept as regression cases) and then runs one fast-check pass with a fixed seed and count, so the
 * suite is the same on every run. bench/fuzz.ts runs the long, randomly seeded campaigns.
 * FUZZ_SEED=<n> replays a pass with another seed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { leanFieldsMatch } from '../fuzz/lean-harness.js';
import { replayCorpus, seededPass } from '../fuzz/runner.js';
import type { FuzzTarget } from '../fuzz/target.js';
import { framesTarget } from '../fuzz/targets/frames.js';
import { handshakeTarget } from '../fuzz/targets/handshake.js';
import { probeRoundTrip, probeTarget, profileTarget, resultFileTarget, unitsTarget } from '../fuzz/targets/readers.js';
import { replyIdJsonTarget, replyRegexTarget, templateTarget } from '../fuzz/targets/messaging.js';

const SEED = Number(process.env.FUZZ_SEED ?? 29);
/** Runs per target: a few seconds in all on a small shared host (bench/fuzz.ts goes further). */
const RUNS: Record<string, number> = {
  'frames-vs-ws': 4000,
  handshake: 200,
  'probe-reply': 4000,
  units: 4000,
  profile: 1000,
  'result-file': 1000,
  'reply-id-json': 2000,
  'reply-regex': 300,
  template: 3000,
};

const targets = [
  framesTarget,
  handshakeTarget,
  probeTarget,
  unitsTarget,
  profileTarget,
  resultFileTarget,
  replyIdJsonTarget,
  replyRegexTarget,
  templateTarget,
] as FuzzTarget<unknown>[];

describe('fuzzed parsers of outside bytes', { timeout: 120_000 }, () => {
  it('the harness builds LeanConnection with exactly the fields its constructor sets', async () => {
    const fields = await leanFieldsMatch();
    assert.ok(fields.ok, `constructor: ${fields.real.join(', ')}\nharness: ${fields.harness.join(', ')}`);
  });

  for (const target of targets) {
    it(`${target.name}: the corpus replays`, async () => {
      const { entries, failures } = await replayCorpus(target);
      assert.deepEqual(failures, [], `${failures.length} of ${entries} corpus inputs fail`);
    });

    it(`${target.name}: ${RUNS[target.name]} generated inputs, seed ${SEED}`, async (t) => {
      t.diagnostic(`seed ${SEED}, ${RUNS[target.name]} runs (FUZZ_SEED=${SEED} to replay)`);
      await seededPass(target, SEED, RUNS[target.name]);
    });
  }

  it('probe: what writeProbe writes reads back exactly', () => {
    fc.assert(probeRoundTrip, { seed: SEED, numRuns: 2000 });
  });
});
