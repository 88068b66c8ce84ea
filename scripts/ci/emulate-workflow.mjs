#!/usr/bin/env node
// Runs the `run:` steps of a GitHub Actions job in order, in bash, the way a runner does, so the
// CI benchmark job can be tried without GitHub:
//
//   node scripts/ci/emulate-workflow.mjs                    # a clean clone of this repo's HEAD
//   node scripts/ci/emulate-workflow.mjs --workspace DIR    # DIR as it is (e.g. a clone with local edits)
//   node scripts/ci/emulate-workflow.mjs --list             # print the steps, run nothing
//
// Options: --workflow FILE (default .github/workflows/bench.yml), --job NAME (default: the only job),
// --event pull_request|push (default pull_request), --base REV (default HEAD^ of the workspace),
// --matrix key=value (default: the first value of each matrix key), --keep (keep the temp dirs),
// --head-serve-args 'FLAGS' (HEAD_SERVE_ARGS for the job: bench.yml passes these flags to the head's
// `wsbench serve` only, e.g. '--reply-delay 1ms' to see the gate fail on a slowed head).
//
//   npm run ci:emulate -- --base HEAD                                      # an unchanged head: passes
//   npm run ci:emulate -- --base HEAD --head-serve-args '--reply-delay 1ms' # a slowed head: fails
//
// What is emulated: each step runs as `bash --noprofile --norc -eo pipefail <file>` (the runner's
// `shell: bash`) in the workspace, with CI=true, no stdin, GITHUB_* and RUNNER_* variables, and fresh
// GITHUB_ENV / GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY files per step; after each step the
// env and path files are read back (NAME=value and NAME<<DELIM heredocs) into the next steps'
// environment, outputs become steps.<id>.outputs.*, and the summaries are joined. `if:` takes
// success(), failure(), always(), cancelled() and !cancelled(); `${{ }}` takes context paths
// (github.*, matrix.*, runner.*, env.*, steps.*), quoted strings and `||`. Anything else is an
// error rather than a guess. `uses:` steps are not run (checkout: the workspace is already a
// clone; setup-node: the Node on PATH is used, whatever its version; upload-artifact: the files
// stay in the workspace) and are listed as such. Processes a step leaves running are killed when
// the job ends, as the runner does, and reported.
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `yaml` is a dev dependency of the checkout this script runs from (not of the workspace it runs in).
let parse;
try {
  ({ parse } = await import('yaml'));
} catch {
  process.stderr.write('emulate-workflow: the `yaml` package is missing; run `npm ci` in the checkout this script runs from\n');
  process.exit(2);
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function usage(message) {
  process.stderr.write(`emulate-workflow: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { workflow: '.github/workflows/bench.yml', event: 'pull_request', matrix: {}, list: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--workspace') opts.workspace = path.resolve(value());
    else if (a === '--workflow') opts.workflow = value();
    else if (a === '--job') opts.job = value();
    else if (a === '--event') opts.event = value();
    else if (a === '--base') opts.base = value();
    else if (a === '--head-serve-args') opts.headServeArgs = value();
    else if (a === '--matrix') {
      const m = /^([\w-]+)=(.*)$/.exec(value());
      if (!m) usage('--matrix takes key=value');
      opts.matrix[m[1]] = m[2];
    } else if (a === '--list') opts.list = true;
    else if (a === '--keep') opts.keep = true;
    else usage(`unknown argument ${a}`);
  }
  if (!['pull_request', 'push'].includes(opts.event)) usage('--event is pull_request or push');
  return opts;
}

/** Reads one job of a workflow file: its steps, env, matrix and run defaults. */
export function readJob(file, jobName) {
  const wf = parse(readFileSync(file, 'utf8'));
  const names = Object.keys(wf.jobs ?? {});
  const name = jobName ?? (names.length === 1 ? names[0] : usage(`${file} has jobs ${names.join(', ')}: pick one with --job`));
  const job = wf.jobs[name] ?? usage(`${file} has no job ${name}`);
  const shell = job.defaults?.run?.shell ?? wf.defaults?.run?.shell ?? 'bash';
  if (shell !== 'bash') usage(`only shell: bash is emulated (got ${shell})`);
  return { name, job, env: { ...(wf.env ?? {}), ...(job.env ?? {}) }, steps: job.steps ?? [] };
}

function stepLabel(step, i) {
  return step.name ?? step.uses ?? String(step.run).split('\n')[0] ?? `step ${i + 1}`;
}

/** Looks up `a.b.c` in the contexts; undefined when any part is missing. */
function lookup(ctx, dotted) {
  let v = ctx;
  for (const part of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

/** Evaluates the small expression language the workflow uses: paths, 'strings' and `||`. */
function evaluate(expr, ctx) {
  const terms = expr.split('||').map((t) => t.trim());
  let value;
  for (const t of terms) {
    if (/^'(?:[^']|'')*'$/.test(t)) value = t.slice(1, -1).replace(/''/g, "'");
    else if (/^(github|matrix|runner|env|steps)(\.[\w-]+)+$/.test(t)) value = lookup(ctx, t);
    else throw new Error(`cannot evaluate \${{ ${expr} }} (only context paths, 'strings' and || are emulated)`);
    if (value) return value;
  }
  return value ?? '';
}

/** Substitutes every `${{ … }}` in a string, as the runner does before a step starts. */
export function substitute(text, ctx) {
  return String(text).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr) => {
    const v = evaluate(expr, ctx);
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** `if:` with the status functions only; the job status so far decides. */
function shouldRun(condition, failed) {
  const c = String(condition ?? 'success()')
    .replace(/^\$\{\{\s*|\s*\}\}$/g, '')
    .trim();
  switch (c) {
    case 'success()':
      return !failed;
    case 'failure()':
      return failed;
    case 'always()':
    case '!cancelled()':
      return true;
    case 'cancelled()':
      return false;
    default:
      throw new Error(`cannot evaluate if: ${c} (only success(), failure(), always() and cancelled() are emulated)`);
  }
}

/** Parses a GITHUB_ENV / GITHUB_OUTPUT file: NAME=value lines and NAME<<DELIM … DELIM blocks. */
export function parseCommandFile(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const heredoc = /^([^=<\s]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) body.push(lines[i]);
      if (i >= lines.length) throw new Error(`unterminated ${heredoc[1]}<<${heredoc[2]} block`);
      out[heredoc[1]] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`unreadable line in a command file: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function git(cwd, ...args) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const temp = mkdtempSync(path.join(tmpdir(), 'wsbench-actions-'));
  let workspace = opts.workspace;
  if (!workspace && !opts.list) {
    workspace = path.join(temp, 'workspace');
    execFileSync('git', ['clone', '--quiet', REPO_ROOT, workspace], { stdio: 'inherit' });
  }
  const workflowFile = path.resolve(workspace ?? REPO_ROOT, opts.workflow);
  const { name, env: wfEnv, job, steps } = readJob(workflowFile, opts.job);

  const matrix = {};
  for (const [k, values] of Object.entries(job.strategy?.matrix ?? {})) {
    if (k === 'include' || k === 'exclude') continue;
    matrix[k] = opts.matrix[k] ?? (Array.isArray(values) ? values[0] : values);
  }

  if (opts.list) {
    for (const [i, s] of steps.entries()) {
      const kind = s.run !== undefined ? 'run ' : 'uses';
      process.stdout.write(`${i + 1}\t${kind}\t${s.if ?? ''}\t${stepLabel(s, i)}\n`);
    }
    rmSync(temp, { recursive: true, force: true });
    return;
  }

  const head = git(workspace, 'rev-parse', 'HEAD');
  const base = opts.base
    ? git(workspace, 'rev-parse', '--verify', '--quiet', `${opts.base}^{commit}`)
    : git(workspace, 'rev-parse', '--verify', '--quiet', 'HEAD^');
  if (opts.base && !base) usage(`--base ${opts.base} is not a commit of ${workspace}`);
  const runnerTemp = path.join(temp, 'runner-temp');
  mkdirSync(runnerTemp);
  const github = {
    event_name: opts.event,
    sha: head,
    ref: opts.event === 'push' ? 'refs/heads/main' : 'refs/pull/0/merge',
    workflow: 'bench',
    repository: 'local/wsbench',
    workspace,
    event: opts.event === 'push' ? { before: base } : { pull_request: { number: 0, base: { sha: base } } },
  };
  const ctx = { github, matrix, runner: { temp: runnerTemp, os: 'Linux' }, env: {}, steps: {} };

  const jobEnv = {};
  for (const [k, v] of Object.entries(wfEnv)) jobEnv[k] = substitute(v, ctx);
  if (opts.headServeArgs !== undefined) jobEnv.HEAD_SERVE_ARGS = opts.headServeArgs;
  ctx.env = { ...jobEnv };
  const fromEnvFiles = {};
  const extraPath = [];
  const summaries = [];
  const processGroups = [];
  let failed = false;

  process.stdout.write(
    `emulate-workflow: ${path.relative(workspace, workflowFile)} job ${name}, event ${opts.event}, head ${head.slice(0, 12)}, base ${base.slice(0, 12) || '(none)'}, ` +
      `matrix ${JSON.stringify(matrix)}; Node on PATH: ${process.version}` +
      (opts.headServeArgs !== undefined ? `; head serve args: ${opts.headServeArgs}` : '') +
      '\n',
  );

  for (const [i, step] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] ${stepLabel(step, i)}`;
    if (!shouldRun(step.if, failed)) {
      process.stdout.write(`\n== ${label}: skipped (if: ${step.if ?? 'success()'})\n`);
      continue;
    }
    if (step.run === undefined) {
      process.stdout.write(`\n== ${label}: not run here (uses: ${step.uses})\n`);
      continue;
    }
    const files = {};
    for (const f of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
      files[f] = path.join(temp, `${f.toLowerCase()}-${i + 1}`);
      writeFileSync(files[f], '');
    }
    const stepEnv = {};
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = substitute(v, ctx);
    const script = path.join(temp, `step-${i + 1}.sh`);
    writeFileSync(script, substitute(step.run, ctx));
    const env = {
      ...process.env,
      ...(extraPath.length ? { PATH: [...extraPath, process.env.PATH].join(path.delimiter) } : {}),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_SHA: github.sha,
      GITHUB_REF: github.ref,
      GITHUB_EVENT_NAME: github.event_name,
      GITHUB_REPOSITORY: github.repository,
      GITHUB_WORKFLOW: github.workflow,
      GITHUB_JOB: name,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      ...jobEnv,
      ...fromEnvFiles,
      ...stepEnv,
      ...files,
    };
    process.stdout.write(`\n== ${label}\n`);
    const started = Date.now();
    // A process group per step: what the step leaves running can be found and stopped at the end.
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: path.resolve(workspace, step['working-directory'] ?? '.'),
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    if (r.pid) processGroups.push({ pgid: r.pid, label });
    const code = r.status ?? 128;
    process.stdout.write(`== ${label}: exit ${code}${r.signal ? ` (${r.signal})` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    // The runner reads the command files after the step, whatever its exit code.
    Object.assign(fromEnvFiles, parseCommandFile(readFileSync(files.GITHUB_ENV, 'utf8')));
    ctx.env = { ...jobEnv, ...fromEnvFiles };
    extraPath.unshift(...readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean).reverse());
    if (step.id) ctx.steps[step.id] = { outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')), outcome: code === 0 ? 'success' : 'failure' };
    const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
    if (summary) summaries.push(summary);
    if (code !== 0 && !step['continue-on-error']) failed = true;
  }

  process.stdout.write(`\n== job summary (GITHUB_STEP_SUMMARY of every step)\n${summaries.join('\n')}\n`);

  const leftovers = processGroups.filter((g) => groupAlive(g.pgid));
  for (const g of leftovers) {
    process.stdout.write(`emulate-workflow: "${g.label}" left processes running (group ${g.pgid}); killing them as the runner would\n`);
    try {
      process.kill(-g.pgid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  // A worktree the job added under RUNNER_TEMP goes with it.
  if (!opts.keep) {
    rmSync(runnerTemp, { recursive: true, force: true });
    if (existsSync(path.join(workspace, '.git'))) git(workspace, 'worktree', 'prune');
    rmSync(temp, { recursive: true, force: true });
  } else process.stdout.write(`emulate-workflow: kept ${temp}\n`);
  process.stdout.write(
    `emulate-workflow: job ${failed ? 'FAILED' : 'succeeded'}${leftovers.length ? `, ${leftovers.length} step(s) left processes running` : ''}\n`,
  );
  process.exitCode = failed ? 1 : leftovers.length ? 3 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`emulate-workflow: ${err.message}\n`);
    process.exitCode = 2;
  }
}
