/**
 * compare with two identical node servers: repeats interleaved (a, b, a, b, …), every figure of b
 * against the baseline server in compare.json (shape checked with a zod schema), and the verdict
 * lines in the table, Markdown and HTML. The verdict values are not asserted: two identical
 * servers on a shared host may differ by chance (that rate is bench/significance.ts's business).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { spawnCli, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';
import type { ResultDocument } from '../../src/contract/result.js';

after(killAll);

// exec: the sampled pid (the shell's) is then the server's own.
const SERVE = 'exec node bin/wsbench.js serve --host 127.0.0.1 --port {port} --log-level warn';

const maybeNumber = z.number().finite().nullable();
const comparisonSchema = z.strictObject({
  tier: z.string().min(1),
  server: z.string().min(1),
  baseline: z.string().min(1),
  figure: z.enum(['p50', 'p90', 'p99', 'p99.9', 'msg/s', 'server CPU', 'RSS/conn']),
  metric: z.string().min(1),
  ratio: maybeNumber,
  ciLow: maybeNumber,
  ciHigh: maybeNumber,
  ciLevel: maybeNumber,
  verdict: z.enum(['faster', 'slower', 'same', 'unknown']),
  p: z.number().min(0).max(1).nullable(),
  nBaseline: z.number().int().positive(),
  n: z.number().int().positive(),
  method: z.enum(['mann-whitney-exact', 'mann-whitney-normal']),
  // A tail figure whose difference is under the larger host floor of the two sides (docs/measurement.md).
  belowHostFloorUs: z.number().positive().optional(),
});
const compareJsonSchema = z.strictObject({
  baseline: z.string(),
  repeat: z.number().int().positive(),
  comparisons: z.array(comparisonSchema),
});

describe('compare: significance between two servers', { timeout: 180_000 }, () => {
  it('interleaves the repeats, compares a against --baseline-server b, writes compare.json', { timeout: 150_000 }, async () => {
    const dir = tempDir('wsb-sig-profile-');
    const profile = path.join(dir, 'tiny.json');
    writeFileSync(profile, JSON.stringify({ clients: 20, rate: 5, duration: '1s', warmup: '0.5s', grace: '1s' }));
    const out = tempDir('wsb-sig-');
    const repeat = 4; // the least with which a verdict is possible at all
    const p = spawnCli([
      'compare',
      '--server',
      `a=${SERVE}`,
      '--server',
      `b=${SERVE}`,
      '--baseline-server',
      'b',
      '--profiles',
      profile,
      '--repeat',
      String(repeat),
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    const exit = await p.exited;
    // 0, or 5 when the shared host delayed the load generator's own loop (a verdict about the host,
    // not about what is tested here).
    assert.ok(exit.code === 0 || exit.code === 5, `exit ${exit.code}\n${p.stderr()}`);

    // Interleaved: the runs' start times alternate a, b, a, b, … and the progress log says the same.
    const runs = readdirSync(out)
      .filter((f) => f.endsWith('.json') && f !== 'compare.json')
      .map((f) => JSON.parse(readFileSync(path.join(out, f), 'utf8')) as ResultDocument)
      .filter((r) => r.label)
      .sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
    assert.equal(runs.length, 2 * repeat);
    assert.deepEqual(
      runs.map((r) => `${r.label!.server}${r.label!.repeat}`),
      ['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4'],
    );
    const progress = [...p.stderr().matchAll(/\[\d+\/8\] (a|b) x \S+ \(repeat (\d)\/4\): starting/g)].map((m) => `${m[1]}${m[2]}`);
    assert.deepEqual(progress, ['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4']);

    const json = compareJsonSchema.parse(JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')));
    assert.equal(json.baseline, 'b');
    assert.equal(json.repeat, repeat);
    assert.deepEqual(
      json.comparisons.map((c) => c.figure),
      ['p50', 'p90', 'p99', 'p99.9', 'msg/s', 'server CPU', 'RSS/conn'],
    );
    for (const c of json.comparisons) {
      assert.equal(c.server, 'a');
      assert.equal(c.baseline, 'b');
      assert.equal(c.tier, 'tiny', 'a path profile is named by its file name');
      assert.equal(c.n, repeat);
      assert.equal(c.nBaseline, repeat);
      assert.notEqual(c.verdict, 'unknown', `${c.figure}: four repeats a side can decide`);
      assert.ok(c.p !== null);
      if (c.ratio !== null && c.ciLow !== null && c.ciHigh !== null)
        assert.ok(c.ciLow <= c.ratio && c.ratio <= c.ciHigh, `${c.figure}: the ratio lies in its interval`);
    }

    assert.match(p.stdout(), /significance: B\/A ratio/);
    assert.match(p.stdout(), /a vs b p99 [\d.]+× \[[\d.]+–[\d.]+\] (faster|slower|~)/);
    assert.match(p.stdout(), /compare\.json/);
    assert.match(readFileSync(path.join(out, 'compare.md'), 'utf8'), /#### Significance[\s\S]*\| a \| b \| p99 \| [\d.]+× \[/);
    assert.match(readFileSync(path.join(out, 'compare.html'), 'utf8'), /<table class="significance">/);
  });

  it('an unknown --baseline-server is a usage error before anything runs', { timeout: 20_000 }, async () => {
    const p = spawnCli(['compare', '--server', `a=${SERVE}`, '--baseline-server', 'zz', '--out', tempDir('wsb-sig-')]);
    assert.equal((await p.exited).code, 2, p.stderr());
    assert.match(p.stderr(), /--baseline-server zz: no such server/);
  });
});
