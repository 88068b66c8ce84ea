/**
 * CPU placement (--cpus, --server-cpus, --load-cpus): every task of every process pinned, read back
 * from /proc/<pid>/task/<tid>/status, and the placement recorded in the result. Needs Linux, taskset
 * and two online CPUs (skipped with the reason otherwise).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killAll, runWindow, spawnCli, startServe, type CliProcess } from '../helpers/cli.js';
import { readRun, tempDir } from '../helpers/results.js';
import { affinityUnsupported, formatCpuList, onlineCpus } from '../../src/core/cpu-affinity.js';
import { readTreeAffinity } from '../../src/metrics/affinity-reading.js';
import type { ResultDocument } from '../../src/contract/result.js';

after(() => killAll(), { timeout: 30_000 });

const EXIT = { OK: 0, USAGE: 2 } as const;
const unsupported = affinityUnsupported();
const SKIP = unsupported ?? (onlineCpus().length < 2 ? `needs CPUs 0 and 1 online (online: ${onlineCpus().join(',')})` : false);

/** Every thread of `pid` (and its descendants): the CPU lists their status files give. */
function taskLists(pid: number): string[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pids[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        pids.push(...readFileSync(`/proc/${pids[i]}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // thread gone meanwhile
      }
    }
  }
  // A thread or process may end between listing and reading (a libuv or V8 helper): skip it.
  const lists: string[] = [];
  for (const p of pids) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        lists.push(/^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${p}/task/${tid}/status`, 'utf8'))![1]);
      } catch {
        // gone meanwhile
      }
    }
  }
  return lists;
}

function assertNoStackTrace(p: CliProcess): void {
  assert.doesNotMatch(p.stderr(), /^ {4}at /m, `stack trace on stderr:\n${p.stderr()}`);
}

describe('serve --cpus', { timeout: 60_000, skip: SKIP }, () => {
  it('pins the server process and every thread to CPU 0', { timeout: 30_000 }, async () => {
    const srv = await startServe(['--cpus', '0']);
    try {
      const lists = taskLists(srv.pid);
      assert.ok(lists.length >= 5, `node has several threads (got ${lists.length})`);
      assert.deepEqual([...new Set(lists)], ['0']);
    } finally {
      await srv.stop();
    }
  });

  it('pins the cluster primary, both --workers and all their threads', { timeout: 30_000 }, async () => {
    const srv = await startServe(['--cpus', '0', '--workers', '2']);
    try {
      const reading = readTreeAffinity(srv.pid);
      assert.ok(reading, 'the tree can be read');
      assert.equal(reading.processes, 3, 'primary and two workers');
      assert.deepEqual({ cpus: reading.cpus, uniform: reading.uniform }, { cpus: '0', uniform: true });
      assert.deepEqual([...new Set(taskLists(srv.pid))], ['0']);
    } finally {
      await srv.stop();
    }
  });
});

describe('load --cpus', { timeout: 120_000, skip: SKIP }, () => {
  it('pins the orchestrator, its worker threads and its load processes to CPU 1, and records both placements', { timeout: 90_000 }, async () => {
    const srv = await startServe(['--mode', 'echo', '--cpus', '0']);
    const out = tempDir('wsb-cpus-');
    // Four workers share one CPU here: on a busy CI host their send lag can pass the default
    // self-check and turn the verdict into client-saturated (exit 5). This test is about placement,
    // so the self-check limits are loosened the way reply-order.test.ts loosens them.
    const profile = path.join(tempDir('wsb-cpus-profile-'), 'placement.json');
    writeFileSync(profile, JSON.stringify({ maxSendLagP99Ms: 2000, maxEventLoopDelayP99Ms: 2000 }));
    try {
      const p = spawnCli([
        'load',
        '--profile',
        profile,
        `ws://127.0.0.1:${srv.port}/`,
        '--clients',
        '40',
        '--rate',
        '5',
        ...runWindow('3s'),
        '--processes',
        '2',
        '--threads',
        '2',
        '--cpus',
        '1',
        '--server-pid',
        String(srv.pid),
        '--out',
        out,
        '--log-level',
        'info',
      ]);
      await p.waitForStderr(/connect ramp done; sending/, 30_000);
      const lists = taskLists(p.pid).filter((l, i, all) => all.indexOf(l) === i);
      assert.deepEqual(lists, ['1'], 'every task of the load, in every process');
      const exit = await p.exited;
      assert.equal(exit.code, EXIT.OK, p.stderr());
      const { doc } = readRun(out);
      const placed = doc.environment.cpuAffinity;
      assert.ok(placed?.load && placed.server, 'both placements recorded');
      // Process 0's workers are threads of the orchestrator; process 1 is a child with two worker threads.
      assert.deepEqual({ cpus: placed.load.cpus, uniform: placed.load.uniform, processes: placed.load.processes }, { cpus: '1', uniform: true, processes: 2 });
      assert.ok(placed.load.threads > 2 * 6, `threads of two processes with two workers each (got ${placed.load.threads})`);
      assert.deepEqual({ cpus: placed.server.cpus, uniform: placed.server.uniform }, { cpus: '0', uniform: true });
    } finally {
      await srv.stop();
    }
  });

  it('records the placement in force when nothing was pinned', { timeout: 60_000 }, async () => {
    const srv = await startServe(['--mode', 'echo']);
    const out = tempDir('wsb-cpus-');
    try {
      const p = spawnCli(['load', `ws://127.0.0.1:${srv.port}/`, '--clients', '10', ...runWindow('1s'), '--server-pid', String(srv.pid), '--out', out]);
      assert.equal((await p.exited).code, EXIT.OK, p.stderr());
      const placed = readRun(out).doc.environment.cpuAffinity;
      assert.equal(placed?.load?.cpus, formatCpuList(onlineCpus()));
      assert.equal(placed?.server?.cpus, placed?.load?.cpus);
    } finally {
      await srv.stop();
    }
  });
});

describe('compare --server-cpus --load-cpus', { timeout: 120_000, skip: SKIP }, () => {
  it('starts the server on CPU 0 and loads from CPU 1, and every run records it', { timeout: 90_000 }, async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'wsb-cpus-compare-'));
    const p = spawnCli(['compare', '--runtimes', 'node', '--profiles', 'smoke', '--repeat', '1', '--server-cpus', '0', '--load-cpus', '1', '--out', out]);
    const exit = await p.exited;
    assert.equal(exit.code, EXIT.OK, p.stderr());
    const runs = readdirSync(out).filter((f) => /-node-smoke-r\d\.json$/.test(f));
    assert.equal(runs.length, 1);
    const doc = JSON.parse(readFileSync(path.join(out, runs[0]), 'utf8')) as ResultDocument;
    assert.equal(doc.environment.cpuAffinity?.server?.cpus, '0');
    assert.equal(doc.environment.cpuAffinity?.server?.uniform, true);
    assert.equal(doc.environment.cpuAffinity?.load?.cpus, '1');
    assert.equal(doc.environment.cpuAffinity?.load?.uniform, true);
  });

  it("with --load-cpus alone, the servers it starts keep the CPUs compare had, not the load's", { timeout: 90_000 }, async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'wsb-cpus-compare-'));
    const p = spawnCli(['compare', '--runtimes', 'node', '--profiles', 'smoke', '--repeat', '1', '--load-cpus', '1', '--out', out]);
    assert.equal((await p.exited).code, EXIT.OK, p.stderr());
    const run = readdirSync(out).find((f) => /-node-smoke-r\d\.json$/.test(f))!;
    const doc = JSON.parse(readFileSync(path.join(out, run), 'utf8')) as ResultDocument;
    assert.equal(doc.environment.cpuAffinity?.load?.cpus, '1');
    assert.equal(doc.environment.cpuAffinity?.server?.cpus, formatCpuList(onlineCpus()));
  });
});

describe('bad CPU lists are usage errors (exit 2, one line, no stack trace)', { timeout: 60_000 }, () => {
  const cases: [string, string[], RegExp][] = [
    ['a CPU that is not online', ['serve', '--cpus', '4096'], /--cpus.*names CPU 4096, which is not online/],
    ['not a list', ['load', 'ws://127.0.0.1:1/', '--cpus', 'one'], /--cpus.*must be a CPU list like 0, 1-3 or 0,2 \(got one\)/],
    ['a backwards range', ['serve', '--cpus', '1-0'], /--cpus.*must be a CPU list/],
    ['overlapping sets in compare', ['compare', '--server-cpus', '0', '--load-cpus', '0'], /--server-cpus 0 and --load-cpus 0 share CPU 0/],
    ['overlapping sets in capacity', ['capacity', '--runtime', 'node', '--server-cpus', '0', '--load-cpus', '0'], /share CPU 0/],
    ['--server-cpus with a URL in capacity', ['capacity', 'ws://127.0.0.1:1/', '--server-cpus', '0'], /--server-cpus pins servers that capacity starts/],
  ];
  for (const [name, args, message] of cases) {
    it(name, { timeout: 20_000 }, async () => {
      const p = spawnCli(args);
      const exit = await p.exited;
      assert.equal(exit.code, EXIT.USAGE, `${args.join(' ')}\n${p.stderr()}`);
      assert.match(p.stderr(), message);
      assertNoStackTrace(p);
    });
  }
});

describe('where affinity cannot be set', { timeout: 60_000, skip: process.platform === 'linux' ? false : 'Linux-only check' }, () => {
  it('serve --cpus warns once that it was not applied (taskset missing) and serves unpinned', { timeout: 30_000 }, async () => {
    const emptyPath = mkdtempSync(path.join(os.tmpdir(), 'wsb-no-taskset-'));
    const srv = await startServe(['--cpus', '0', '--log-level', 'warn'], { env: { PATH: emptyPath } });
    try {
      assert.match(srv.child.stderr(), /--cpus 0 not applied: util-linux's taskset was not found on PATH/);
      assert.deepEqual([...new Set(taskLists(srv.pid))], [formatCpuList(onlineCpus())]);
    } finally {
      await srv.stop();
    }
  });
});
