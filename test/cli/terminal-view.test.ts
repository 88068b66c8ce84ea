/**
 * The terminal view on a real terminal: tmux runs `load` and `compare` in a 160×40 pane and the test
 * reads the pane (capture-pane) during the run. Skipped, with the reason, where tmux is absent.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, startServe, killAll } from '../helpers/cli.js';
import { tempDir } from '../helpers/results.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = hasTmux ? false : 'tmux is not installed (apt-get install tmux)';
/** Our own tmux server (its socket name), so nothing else's sessions are touched. */
const SOCKET = `wsbench-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

after(async () => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  await killAll();
});

/** Starts `wsbench …args` in a new pane (CI unset, so it is a terminal like any other); the pane stays after it exits. */
function runInPane(name: string, args: string[]): void {
  const command = ['env', '-u', 'CI', process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  tmux('new-session', '-d', '-x', '160', '-y', '40', '-s', name, `${command}; echo "exit $?"; sleep 120`);
}

const pane = (name: string) => tmux('capture-pane', '-p', '-t', name);

/** Waits for `re` in the pane (looking 4 times a second); on a timeout the error shows the pane as it was. */
async function waitForPane(name: string, re: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = pane(name);
    if (re.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in the pane:\n${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A bar line: name, phase, elapsed/total, the bar, percent, ETA. */
const BAR = /(\S+)\s+(ramp|warmup|measure|grace|done)\s+\d+:\d\d\/\d+:\d\d \[[= >]{30}\]\s+\d+%\s+ETA \d+:\d\d/;

describe('the terminal view (tmux)', { skip, timeout: 180_000 }, () => {
  it('load: one bar with phase, elapsed/total, ETA and live figures; info messages one line each', async (t) => {
    const server = await startServe();
    runInPane('load', ['load', `ws://127.0.0.1:${server.port}/`, '--clients', '20', '--rate', '10', '--duration', '5s', '--warmup', '1s', '--out', tempDir()]);
    const during = await waitForPane('load', / measure /, 60_000);
    t.diagnostic(`during the run:\n${during.trimEnd()}`);
    const bar = BAR.exec(during);
    assert.ok(bar, `a progress bar:\n${during}`);
    assert.equal(bar[1], 'load');
    assert.match(during, /20\/20 connected {2}sent \d[\d,]*\/s {2}recv \d[\d,]*\/s {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms {2}errors \d+/);
    // Info messages: one line each, their fields (processes, threadsPerProcess…) not shown.
    assert.match(during, /INFO: plan: 20 clients over 1 process\(es\)/);
    assert.doesNotMatch(during, /^\s+threadsPerProcess: /m);
    const end = await waitForPane('load', /^exit \d+/m, 60_000);
    assert.match(end, /load\s+done\s+(\d+:\d\d)\/\1 \[=+>\] 100%/, 'the bar stays, full');
    assert.equal(end.split('\n').filter((l) => BAR.test(l)).length, 1, 'one bar for the run');
    await server.stop();
  });

  it('compare: which run of how many, and the ETA of the whole comparison', async (t) => {
    runInPane('compare', ['compare', '--runtimes', 'node', '--profiles', 'smoke', '--repeat', '2', '--out', tempDir()]);
    const during = await waitForPane('compare', /run 2\/2 /, 120_000);
    t.diagnostic(`during the run:\n${during.trimEnd()}`);
    assert.match(during, /run 1\/2 node-smoke-r1\s+done .* \(all runs \d+:\d\d\)/);
    assert.match(during, /run 2\/2 node-smoke-r2\s+(ramp|warmup|measure|grace|done)\s+.*ETA \d+:\d\d {2}\(all runs \d+:\d\d\)/);
    await waitForPane('compare', /^exit \d+/m, 120_000);
  });
});
