import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkOneTarget, commandTarget, oneTarget, parseServerSpec, referenceServeArgs, targetList, urlTarget } from '../../src/targets/make-targets.js';
import { WsbError } from '../../src/core/errors.js';
import { EXIT } from '../../src/contract/exit-codes.js';

const host = { env: {} };

/** A usage error: exit 2, WSB_ERR_USAGE, and the message matching `re`. */
function usage(re: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof WsbError, String(err));
    assert.equal(err.code, 'WSB_ERR_USAGE');
    assert.equal(err.exitCode, EXIT.USAGE);
    assert.equal(EXIT.USAGE, 2);
    assert.match(err.message, re);
    return true;
  };
}

describe('target factory (what users type → targets)', () => {
  it("splits --server 'name=command with {port}' at the first =", () => {
    assert.deepEqual(parseServerSpec('uws = node srv.js --port {port} --x=1'), { name: 'uws', command: 'node srv.js --port {port} --x=1' });
  });

  it('refuses a --server spec without a name, without = or without {port} (exit 2)', () => {
    for (const bad of ['node srv.js {port}', '=node srv.js {port}', '  =node {port}', 'x=node srv.js --port 8080', 'x=']) {
      assert.throws(() => parseServerSpec(bad), usage(/--server must look like 'name=command with \{port\}'/), bad);
      assert.throws(() => commandTarget(bad, undefined, host), usage(/--server must look like/), bad);
    }
  });

  it('names targets by runtime, --server name and URL, in the order given', () => {
    const list = targetList({ runtimes: ['node', 'bun'], servers: ['mine=node m.js {port}'], serverCpus: undefined }, host);
    assert.deepEqual(
      list.map((t) => t.name),
      ['node', 'bun', 'mine'],
    );
    assert.equal(urlTarget('ws://127.0.0.1:9/').name, 'ws://127.0.0.1:9/');
  });

  it('a URL target is the same server every start, with the --server-pid given, and stop does nothing', async () => {
    const t = urlTarget('ws://127.0.0.1:9/', process.pid);
    const running = await t.start();
    assert.equal(running.url, 'ws://127.0.0.1:9/');
    assert.equal(running.pid, process.pid);
    await running.stop();
    assert.equal((await urlTarget('ws://127.0.0.1:9/').start()).pid, undefined);
  });

  it('refuses a --server-pid that is no process (exit 2)', () => {
    assert.throws(() => urlTarget('ws://127.0.0.1:9/', 2 ** 22 + 1), usage(/--server-pid 4194305: no such process/));
  });

  it('a command that takes one target needs exactly one, and --server-cpus only for servers it starts (exit 2)', () => {
    assert.throws(() => checkOneTarget({}, 'capacity'), usage(/capacity needs exactly one target: a URL, --runtime or --server/));
    assert.throws(() => checkOneTarget({ url: 'ws://h/', runtime: 'node' }, 'capacity'), usage(/exactly one target/));
    assert.throws(() => checkOneTarget({ url: 'ws://h/', serverCpus: [0] }, 'capacity'), usage(/--server-cpus pins servers that capacity starts/));
    assert.doesNotThrow(() => checkOneTarget({ runtime: 'deno', serverCpus: [0] }, 'capacity'));
    assert.equal(oneTarget({ runtime: 'uws' }, [], undefined, 'capacity', host).name, 'uws');
    assert.equal(oneTarget({ server: 'a=b {port}' }, [], undefined, 'capacity', host).name, 'a');
    assert.equal(oneTarget({ url: 'ws://h/' }, [], undefined, 'capacity', host).name, 'ws://h/');
  });

  it('the reference server is told to speak what the load sends', () => {
    assert.deepEqual(referenceServeArgs({ pattern: 'echo', format: 'plain' }), []);
    assert.deepEqual(referenceServeArgs({ pattern: 'broadcast', format: 'plain' }), ['--mode', 'broadcast']);
    assert.deepEqual(referenceServeArgs({ pattern: 'echo', format: 'shootout' }), ['--format', 'shootout']);
  });
});
