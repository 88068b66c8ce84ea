/**
 * The scripts behind the CI job: scripts/ci/emulate-workflow.mjs (runs a workflow's `run:` steps the
 * way a runner does) on a small workflow of its own, and scripts/ci/smoke.sh (one side of the
 * base/head comparison) with a tiny load. The emulation of bench.yml itself runs real builds and
 * loads for about a minute, so it is not part of `npm test`: `npm run ci:emulate`.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/cli.js';

const temp = mkdtempSync(path.join(tmpdir(), 'wsbench-ci-scripts-'));
const groups = new Set<number>();
after(() => {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
  rmSync(temp, { recursive: true, force: true });
});

/** Running (a zombie waiting for whichever process adopted it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    groups.add(child.pid!);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')}: over ${timeoutMs} ms\n${out}`)), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const EMULATOR = path.join(REPO_ROOT, 'scripts/ci/emulate-workflow.mjs');

const FIXTURE = `
on: push
defaults:
  run:
    shell: bash
jobs:
  only:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node: [22, 24]
    env:
      PICK: \${{ github.event.pull_request.base.sha || 'none' }}
      NODE_LINE: \${{ matrix.node }}
    steps:
      - uses: actions/checkout@v4
      - id: first
        run: |
          echo "ONE=1" >> "$GITHUB_ENV"
          printf 'MULTI<<EOF\\nline a\\nline b\\nEOF\\n' >> "$GITHUB_ENV"
          echo "answer=42" >> "$GITHUB_OUTPUT"
          echo "## from step two" >> "$GITHUB_STEP_SUMMARY"
          test "$CI" = true && test "$GITHUB_ACTIONS" = true && test -d "$RUNNER_TEMP"
          test "$NODE_LINE" = 24 && test "$PICK" = none
          test "$HEAD_SERVE_ARGS" = "--reply-delay 1ms"
          if read -r -t 1 line; then echo "stdin is open"; exit 9; fi
      - name: reads what the first step exported
        run: |
          test "$ONE" = 1
          test "$MULTI" = "$(printf 'line a\\nline b')"
          test "\${{ steps.first.outputs.answer }}" = 42
          sleep 300 &
          echo "left running: $!"
      - run: exit 4
      - run: echo "after a failure without if"
      - if: failure()
        run: echo "ran on failure"
      - if: always()
        uses: actions/upload-artifact@v4
`;

describe('scripts/ci', { timeout: 120_000 }, () => {
  it('emulate-workflow --list names exactly the steps of bench.yml, in order', async () => {
    type Step = { name?: string; uses?: string; run?: string; if?: string };
    const workflow = parse(readFileSync(path.join(REPO_ROOT, '.github/workflows/bench.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
    const [job] = Object.values(workflow.jobs);
    const { code, out } = await run(process.execPath, [EMULATOR, '--list'], REPO_ROOT);
    assert.equal(code, 0, out);
    const listed = out
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    assert.deepEqual(
      listed.map(([n, kind, cond, label]) => [Number(n), kind.trim(), cond, label]),
      job.steps.map((s, i) => [i + 1, s.run !== undefined ? 'run' : 'uses', s.if ?? '', s.name ?? s.uses]),
    );
  });

  it('emulate-workflow: env and output files re-read between steps, expressions, if: status, no stdin, leftovers killed, --head-serve-args', async () => {
    const ws = path.join(temp, 'fixture');
    const file = path.join(ws, 'wf.yml');
    mkdirSync(ws);
    writeFileSync(file, FIXTURE);
    const { code, out } = await run(
      process.execPath,
      [EMULATOR, '--workspace', ws, '--workflow', 'wf.yml', '--matrix', 'node=24', '--head-serve-args', '--reply-delay 1ms'],
      ws,
    );
    assert.equal(code, 1, out);
    assert.match(out, /\[2\/7\] 2?.*exit 0/);
    assert.match(out, /\[3\/7\] reads what the first step exported: exit 0/);
    assert.match(out, /\[4\/7\] exit 4: exit 4/);
    assert.match(out, /\[5\/7\] echo "after a failure without if": skipped \(if: success\(\)\)/);
    assert.doesNotMatch(out, /^after a failure without if$/m);
    assert.match(out, /^ran on failure$/m);
    assert.match(out, /\[7\/7\] actions\/upload-artifact@v4: not run here/);
    assert.match(out, /== job summary[^\n]*\n## from step two/);
    const leftover = /left running: (\d+)/.exec(out);
    assert.ok(leftover, out);
    assert.match(out, /"\[3\/7\] reads what the first step exported" left processes running/);
    assert.equal(alive(Number(leftover[1])), false, 'the runner-style cleanup killed what the step left');
    assert.match(out, /job FAILED/);
  });

  it('emulate-workflow refuses an expression it cannot evaluate instead of guessing', async () => {
    const ws = path.join(temp, 'bad');
    mkdirSync(ws);
    writeFileSync(path.join(ws, 'wf.yml'), 'jobs:\n  j:\n    runs-on: x\n    steps:\n      - run: echo "${{ github.event_name == \'push\' }}"\n');
    const { code, out } = await run(process.execPath, [EMULATOR, '--workspace', ws, '--workflow', 'wf.yml'], ws);
    assert.equal(code, 2);
    assert.match(out, /cannot evaluate \$\{\{ github\.event_name == 'push' \}\}/);
  });

  it("smoke.sh samples the server's own pid, stops that server (exit 0) and passes the load's exit code", async () => {
    const cwd = path.join(temp, 'smoke');
    mkdirSync(cwd);
    const { code, out } = await run(
      'bash',
      [path.join(REPO_ROOT, 'scripts/ci/smoke.sh'), REPO_ROOT, 't', 'out', '--clients', '10', '--duration', '1s', '--warmup', '1s', '--threshold', 'errors==0'],
      cwd,
    );
    assert.equal(code, 0, out);
    const m = /t: wsbench serve at ws:\/\/127\.0\.0\.1:\d+\/, pid (\d+) \(started as (\d+)\)/.exec(out);
    assert.ok(m, out);
    assert.equal(m[1], m[2], 'the pid /healthz reports is the process the script started');
    assert.equal(alive(Number(m[1])), false, 'the server is gone');
    assert.match(out, /t: load exited 0, the server stopped with exit code 0/);
    assert.ok(readdirSync(path.join(cwd, 'out')).some((f) => f.endsWith('-t.json')));
    assert.ok(existsSync(path.join(cwd, 'serve-t.log')));

    const failing = await run(
      'bash',
      [
        path.join(REPO_ROOT, 'scripts/ci/smoke.sh'),
        REPO_ROOT,
        'u',
        'out',
        '--clients',
        '10',
        '--duration',
        '1s',
        '--warmup',
        '1s',
        '--threshold',
        'rtt.p99<1us',
      ],
      cwd,
    );
    assert.equal(failing.code, 7, failing.out);
  });
});
