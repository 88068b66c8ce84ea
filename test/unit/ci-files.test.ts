import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/cli.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}

describe('CI example and container files', { timeout: 10_000 }, () => {
  it('.github/workflows/bench.yml is a runnable GitHub Actions job', () => {
    const wf = parse(readFileSync(path.join(REPO_ROOT, '.github/workflows/bench.yml'), 'utf8')) as { on: unknown; jobs: Record<string, { 'runs-on': string; steps: Step[] }> };
    assert.ok(wf.on, 'has triggers');
    const jobs = Object.values(wf.jobs);
    assert.equal(jobs.length, 1);
    const { steps } = jobs[0];
    assert.equal(typeof jobs[0]['runs-on'], 'string');
    for (const s of steps) assert.ok((s.uses ? 1 : 0) + (s.run ? 1 : 0) === 1, 'each step either uses an action or runs a command');
    const uses = steps.map((s) => s.uses).filter(Boolean);
    assert.ok(uses.some((u) => u!.startsWith('actions/checkout@')));
    assert.ok(uses.some((u) => u!.startsWith('actions/setup-node@')));
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    assert.ok(upload && String(upload.with?.path).includes('results/report.html'));
    const runs = steps.map((s) => s.run ?? '').join('\n');
    assert.match(runs, /npm ci/);
    assert.match(runs, /wsbench serve/);
    assert.match(runs, /wsbench load .*--profile smoke/);
    assert.match(runs, /--format md .*>> "\$GITHUB_STEP_SUMMARY"/);
    assert.match(runs, /--baseline bench-baselines\/smoke\.json/);
    const baseline = JSON.parse(readFileSync(path.join(REPO_ROOT, 'bench-baselines/smoke.json'), 'utf8'));
    assert.equal(baseline.schemaVersion, 1);
  });

  it('the Dockerfile is multi-stage, runs as non-root, and its entrypoint is `wsbench serve --port 8080`', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    assert.equal((text.match(/^FROM /gm) ?? []).length, 2);
    assert.match(text, /npm ci --omit=dev/);
    assert.match(text, /^USER node$/m);
    assert.match(text, /^ENTRYPOINT \["wsbench"\]$/m);
    assert.match(text, /^CMD \["serve", "--port", "8080"\]$/m);
  });
});
