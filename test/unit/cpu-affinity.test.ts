import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandCpuList, formatCpuList, onlineCpus, parseCpuList } from '../../src/core/cpu-affinity.js';

describe('CPU lists', () => {
  it('formats and expands the way Linux writes them', () => {
    assert.equal(formatCpuList([5, 0, 1, 2, 2]), '0-2,5');
    assert.equal(formatCpuList([1]), '1');
    assert.deepEqual(expandCpuList('0-2,5'), [0, 1, 2, 5]);
    assert.deepEqual(expandCpuList(formatCpuList([3, 7, 8, 9])), [3, 7, 8, 9]);
  });

  it('parses online CPUs, sorted and without repeats', () => {
    const online = onlineCpus();
    const first = online[0];
    assert.deepEqual(parseCpuList(`${first},${first}`), { cpus: [first] });
    assert.deepEqual(parseCpuList(formatCpuList(online)), { cpus: online });
    assert.deepEqual(parseCpuList(` ${first} `), { cpus: [first] });
  });

  it("says what is wrong in the user's words", () => {
    for (const bad of ['', 'a', '1-', '-1', '2-1', '0,,1', '0.5'])
      assert.deepEqual(parseCpuList(bad), { problem: `must be a CPU list like 0, 1-3 or 0,2 (got ${bad})` }, bad);
    const offline = Math.max(...onlineCpus()) + 1;
    const r = parseCpuList(String(offline));
    assert.ok('problem' in r && r.problem.startsWith(`names CPU ${offline}, which is not online (online: `), JSON.stringify(r));
  });
});
