import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  planRun,
  clientsPerProcessMax,
  localAddressFor,
  localPortFor,
  EXPLICIT_PORT_BASE,
  loopbackAddresses,
  parseLocalAddresses,
  isLoopbackHost,
} from '../../src/load/plan/run-plan.js';

const HERE = { fdSoft: 20_000, portRangeSize: 28_232, portRangeLow: 32_768, cores: 2 };

describe('run plan: processes, threads, source addresses', { timeout: 10_000 }, () => {
  it('100 000 clients here: enough processes for the open-file limit, enough loopback addresses for the ports', () => {
    const plan = planRun({ clients: 100_000, ratePerClient: 1, connectRate: 2000, targetHost: '127.0.0.1' }, HERE);
    assert.equal(clientsPerProcessMax(20_000), 17_910);
    assert.equal(plan.processes, 6);
    assert.equal(plan.threadsPerProcess, 1);
    assert.ok(plan.slices.every((s) => s.count <= plan.clientsPerProcessMax));
    assert.equal(
      plan.slices.reduce((n, s) => n + s.count, 0),
      100_000,
    );
    // Bound addresses are planned at half the port range (bind(addr, 0) slows down past it).
    assert.equal(plan.portsPerAddressMax, 13_616);
    assert.equal(plan.localAddresses.length, 8);
    assert.deepEqual(plan.localAddresses.slice(0, 3), ['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    const perAddress = new Map<string, number>();
    for (let id = 0; id < 100_000; id++) {
      const a = localAddressFor(id, plan.localAddresses)!;
      perAddress.set(a, (perAddress.get(a) ?? 0) + 1);
    }
    assert.ok([...perAddress.values()].every((n) => n <= plan.portsPerAddressMax));
    assert.equal(
      [...perAddress.values()].reduce((a, b) => a + b, 0),
      100_000,
    );
    // Explicit local ports below the ephemeral range, one per (address, port) pair: no bind search.
    assert.equal(plan.localPortBase, EXPLICIT_PORT_BASE);
    const pairs = new Set<string>();
    for (let id = 0; id < 100_000; id++) {
      const port = localPortFor(id, plan.localAddresses, plan.localPortBase)!;
      assert.ok(port >= EXPLICIT_PORT_BASE && port < 32_768);
      pairs.add(`${localAddressFor(id, plan.localAddresses)}:${port}`);
    }
    assert.equal(pairs.size, 100_000);
    assert.equal(planRun({ clients: 1000, ratePerClient: 1, connectRate: 1, targetHost: '127.0.0.1' }, HERE).localPortBase, 0, 'no binding, no explicit ports');
  });

  it('small runs stay in one process with one thread per core and do not bind', () => {
    const plan = planRun({ clients: 1000, ratePerClient: 1, connectRate: 2000, targetHost: '127.0.0.1' }, HERE);
    assert.equal(plan.processes, 1);
    assert.equal(plan.threadsPerProcess, 1, '1 000 msg/s need one thread');
    assert.equal(
      planRun({ clients: 10_000, ratePerClient: 5, connectRate: 2000, targetHost: '127.0.0.1' }, HERE).threadsPerProcess,
      2,
      'one thread per core when the rate needs them',
    );
    assert.deepEqual(plan.localAddresses, []);
    assert.equal(localAddressFor(5, plan.localAddresses), undefined);
  });

  it('a low forced limit splits into more processes; per-process and per-thread counts add up exactly', () => {
    for (const clients of [1, 179, 180, 181, 1000, 12_345]) {
      const plan = planRun(
        { clients, ratePerClient: 1, connectRate: 100, targetHost: 'example.com' },
        { fdSoft: 300, portRangeSize: 28_232, portRangeLow: 32_768, cores: 4 },
      );
      const perProcess = new Map<number, number>();
      for (const s of plan.slices) perProcess.set(s.process, (perProcess.get(s.process) ?? 0) + s.count);
      assert.equal(
        [...perProcess.values()].reduce((a, b) => a + b, 0),
        clients,
      );
      assert.ok(
        [...perProcess.values()].every((n) => n <= clientsPerProcessMax(300)),
        `${clients}: ${[...perProcess.values()].join(',')}`,
      );
      assert.equal(plan.processes, Math.ceil(clients / clientsPerProcessMax(300)));
    }
  });

  it('flags win: --processes, --threads, --local-address', () => {
    const plan = planRun(
      { clients: 10, ratePerClient: 1, connectRate: 10, targetHost: '127.0.0.1', processes: 2, threadsPerProcess: 3, localAddresses: ['127.0.0.9'] },
      HERE,
    );
    assert.equal(plan.processes, 2);
    assert.equal(plan.threadsPerProcess, 3);
    assert.equal(plan.slices.length, 6);
    assert.deepEqual(plan.localAddresses, ['127.0.0.9']);
    assert.throws(
      () => planRun({ clients: 2, ratePerClient: 1, connectRate: 10, targetHost: 'x', processes: 3 }, HERE),
      /--processes 3 is more than the 2 clients to run here/,
    );
  });

  it('non-loopback targets are never given made-up source addresses', () => {
    const plan = planRun({ clients: 50_000, ratePerClient: 1, connectRate: 10, targetHost: '10.0.0.5' }, HERE);
    assert.deepEqual(plan.localAddresses, []);
  });

  it('parses address lists and ranges; recognises loopback hosts', () => {
    assert.deepEqual(parseLocalAddresses('127.0.0.1-127.0.0.3'), ['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    assert.deepEqual(parseLocalAddresses('10.0.0.1,10.0.0.7'), ['10.0.0.1', '10.0.0.7']);
    assert.deepEqual(parseLocalAddresses('192.168.1.10-12'), ['192.168.1.10', '192.168.1.11', '192.168.1.12']);
    assert.throws(() => parseLocalAddresses('eth0'), /--local-address/);
    assert.deepEqual(loopbackAddresses(2), ['127.0.0.1', '127.0.0.2']);
    assert.equal(loopbackAddresses(300)[299], '127.0.1.44');
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('localhost') && isLoopbackHost('[::1]') && !isLoopbackHost('10.0.0.1'));
  });
});
