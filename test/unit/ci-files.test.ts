import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/cli.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
  env?: Record<string, string>;
}

interface Job {
  'runs-on': string;
  strategy?: { 'fail-fast'?: boolean; matrix: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': unknown };
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

const read = (f: string) => readFileSync(path.join(REPO_ROOT, f), 'utf8');
const workflow = () => parse(read('.github/workflows/bench.yml')) as Workflow;

describe('CI example and container files', { timeout: 20_000 }, () => {
  it('bench.yml: triggers, read-only permissions, concurrency, Node 22 and 24, bash steps', () => {
    const wf = workflow();
    assert.ok('pull_request' in wf.on && 'push' in wf.on);
    assert.deepEqual(wf.permissions, { contents: 'read' });
    assert.match(wf.concurrency.group, /github\.event\.pull_request\.number \|\| github\.ref/);
    assert.ok(wf.concurrency['cancel-in-progress'] !== undefined);
    assert.equal(wf.defaults?.run?.shell, 'bash', 'steps run as `bash -eo pipefail`, the shell the emulation uses');
    const jobs = Object.values(wf.jobs);
    assert.equal(jobs.length, 1);
    const [job] = jobs;
    assert.equal(typeof job['runs-on'], 'string');
    assert.deepEqual(job.strategy?.matrix, { node: [22, 24] });
    assert.equal(job.strategy?.['fail-fast'], false);
    for (const s of job.steps) assert.ok((s.uses ? 1 : 0) + (s.run ? 1 : 0) === 1, 'each step either uses an action or runs a command');
    const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    assert.equal(checkout?.with?.['fetch-depth'], 0, 'the base commit is in the clone');
    const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    assert.equal(setup?.with?.['node-version'], '${{ matrix.node }}');
    // The emulation does not run actions; these three it knows how to stand in for.
    for (const s of job.steps.filter((x) => x.uses)) assert.match(s.uses!, /^actions\/(checkout|setup-node|upload-artifact)@v\d+$/);
  });

  it('bench.yml: builds the base in a worktree, loads base and head on fresh servers, gates on their ratio', () => {
    const [job] = Object.values(workflow().jobs);
    assert.match(job.env?.BASE_SHA ?? '', /github\.event\.pull_request\.base\.sha \|\| github\.event\.before/);
    const runs = job.steps.filter((s) => s.run);
    const index = (re: RegExp) => {
      const i = runs.findIndex((s) => re.test(s.run!));
      assert.ok(i >= 0, `a step runs ${re}`);
      return i;
    };
    const install = index(/npm ci[\s\S]*npm run build/);
    const worktree = index(/git worktree add --detach "\$dir" "\$base"/);
    assert.match(runs[worktree].run!, /cd "\$dir" && npm ci .*&& npm run build/);
    assert.match(runs[worktree].run!, /BASE_DIR=\$dir" >> "\$GITHUB_ENV"/);
    assert.match(runs[worktree].run!, /git rev-parse --verify --quiet 'HEAD\^'/, 'no usable base sha: the parent commit');
    const loads = index(/scripts\/ci\/smoke\.sh "\$BASE_DIR" base results\/base/);
    // Interleaved: one loop runs base then head, REPEATS times, so drift hits both sides alike.
    assert.match(
      runs[loads].run!,
      /for i in \$\(seq 1 "\$REPEATS"\); do[\s\S]*smoke\.sh "\$BASE_DIR" base[\s\S]*smoke\.sh \. head results\/head .*--threshold 'errors==0'[\s\S]*done/,
    );
    assert.ok(Number(runs[loads].env?.REPEATS) >= 5, 'enough results per side for a verdict');
    const reports = index(/--format md .*>> "\$GITHUB_STEP_SUMMARY"/);
    const gate = index(/report results\/head\/\*\.json "\$\{baselines\[@\]\}"/);
    assert.match(runs[gate].run!, /baselines\+=\(--baseline "\$f"\)/, 'every base result is a baseline');
    assert.ok(install < worktree && worktree < loads && loads < gate, 'install, base worktree, base and head runs, gate');
    assert.equal(runs[reports].if, 'always()');
    // Tight limits: the significance rule keeps noise from failing them.
    assert.match(runs[gate].run!, /--max-regression '[^']*latency\.p50=20%[^']*latency\.p99=50%[^']*errors=0%/);
    const all = runs.map((s) => s.run).join('\n');
    assert.doesNotMatch(all, /npx wsbench serve/, 'with npx, $! is npm, not the server');
    assert.doesNotMatch(all, /bench-baselines/, 'no gate against numbers from another machine');
    assert.ok(!existsSync(path.join(REPO_ROOT, 'bench-baselines/smoke.json')));
  });

  it('bench.yml: uploads the results always and the server logs on failure', () => {
    const [job] = Object.values(workflow().jobs);
    const uploads = job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    const results = uploads.find((s) => String(s.with?.path).includes('results/report.html'));
    assert.equal(results?.if, 'always()');
    assert.match(String(results?.with?.name), /\$\{\{ matrix\.node \}\}/, 'one artifact name per matrix job');
    const logs = uploads.find((s) => /serve-\*\.log/.test(String(s.with?.path)));
    assert.equal(logs?.if, 'failure()');
    const smoke = read('scripts/ci/smoke.sh');
    assert.match(smoke, /log="\$PWD\/serve-\$name\.log"/, 'smoke.sh writes the serve-*.log the upload takes');
  });

  it('package.json: prepack builds from a clean dist/, ships LICENSE, approves the bun and deno install scripts', () => {
    const pkg = JSON.parse(read('package.json')) as {
      license: string;
      files: string[];
      scripts: Record<string, string>;
      allowScripts: Record<string, boolean>;
    };
    assert.equal(pkg.scripts.prepack, 'npm run build:clean && npm run native:prebuild');
    assert.equal(pkg.scripts['native:prebuild'], 'node native/prebuild.mjs');
    assert.equal(pkg.scripts.prebuild, undefined, 'a "prebuild" script would run before every `npm run build`');
    assert.ok(pkg.files.includes('prebuilds'), 'the tarball ships the prebuilds');
    assert.equal(pkg.scripts['ci:emulate'], 'node scripts/ci/emulate-workflow.mjs');
    assert.match(pkg.scripts['build:clean'], /^npm run clean && npm run build$/);
    assert.match(pkg.scripts.clean, /fs\.rmSync\('dist', \{ recursive: true, force: true \}\)/);
    assert.ok(pkg.files.includes('LICENSE') && pkg.files.includes('dist/src'));
    assert.equal(pkg.license, 'MIT');
    assert.match(read('LICENSE'), /^MIT License\n\nCopyright \(c\) 2026 wsbench contributors\n/);
    assert.equal(pkg.allowScripts.bun, true);
    assert.equal(pkg.allowScripts.deno, true);
  });

  it('prebuild.yml: builds and checks the send timer prebuild on linux x64 and arm64 runners, uploads each', () => {
    const wf = parse(read('.github/workflows/prebuild.yml')) as Workflow & {
      jobs: Record<string, Job & { strategy: { matrix: { include: { os: string; arch: string }[] } } }>;
    };
    assert.deepEqual(wf.permissions, { contents: 'read' });
    assert.equal(wf.defaults?.run?.shell, 'bash');
    const [job] = Object.values(wf.jobs);
    assert.equal(job['runs-on'], '${{ matrix.os }}');
    assert.deepEqual(job.strategy.matrix.include, [
      { os: 'ubuntu-24.04', arch: 'x64' },
      { os: 'ubuntu-24.04-arm', arch: 'arm64' },
    ]);
    const runs = job.steps.filter((s) => s.run).map((s) => s.run!);
    assert.ok(runs.some((r) => /^npm ci\b/.test(r)));
    assert.ok(runs.some((r) => r.includes('npm run native:prebuild')));
    assert.ok(
      runs.some((r) => r.includes("d.config.sendClock !== 'timerfd'")),
      'a load on the runner uses the prebuild',
    );
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    assert.equal(upload?.with?.path, 'prebuilds/linux-${{ matrix.arch }}/');
    for (const s of job.steps.filter((x) => x.uses)) assert.match(s.uses!, /^actions\/(checkout|setup-node|upload-artifact)@v\d+$/);
  });

  it('the Dockerfile is multi-stage on Node 24 LTS, runs as non-root under tini, with a HEALTHCHECK; .dockerignore keeps local state out', () => {
    const text = read('Dockerfile');
    const froms = text.match(/^FROM .*$/gm) ?? [];
    assert.equal(froms.length, 2);
    for (const f of froms) assert.match(f, /^FROM node:24-bookworm-slim\b/);
    assert.match(text, /npm ci --omit=dev/);
    assert.match(text, /apt-get install -y --no-install-recommends tini/);
    assert.match(text, /^USER node$/m);
    assert.match(text, /^HEALTHCHECK /m);
    assert.match(text, /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "wsbench"\]$/m);
    assert.match(text, /^CMD \["serve", "--port", "8080"\]$/m);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['.git', 'node_modules', 'dist', 'results', '*.log']) assert.ok(ignored.includes(p), `.dockerignore has ${p}`);
    // Everything the Dockerfile copies must survive .dockerignore.
    for (const m of text.matchAll(/^COPY (?!--from)(.*) \S+$/gm))
      for (const src of m[1].split(/\s+/)) assert.ok(!ignored.includes(src), `${src} is copied and not ignored`);
  });
});
