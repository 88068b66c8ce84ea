import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceMonitor } from '../../src/metrics/resource-monitor.js';

const linux = process.platform === 'linux';

describe('resource monitor', { timeout: 10_000, skip: !linux && 'reads /proc' }, () => {
  it('reads PSS and rescans outside the warm-up and window only (issue 12)', async () => {
    const m = new ResourceMonitor(process.pid, undefined);
    m.mark('baseline');
    assert.ok(m.clientPssPeakKb > 0, 'the baseline mark is a full sample');
    assert.ok(m.sample(true).client!.pssKb > 0, 'a fresh sample before the connected mark is full');
    m.mark('connected');
    const connectedPss = m.clientPssPeakKb;
    assert.ok(connectedPss > 0);
    // Warm-up and window: RSS and CPU only, even when asked for a fresh sample.
    assert.equal(m.sample().client!.pssKb, 0);
    assert.equal(m.sample(true).client!.pssKb, 0);
    m.mark('windowStart');
    const usedBefore = process.cpuUsage();
    // Work the window's CPU reading must show: 100 ms of this process's own CPU time.
    while (process.cpuUsage(usedBefore).user < 100_000) Math.sqrt(Math.random());
    const inWindow = m.sample();
    assert.equal(inWindow.client!.pssKb, 0);
    assert.ok(inWindow.client!.rssKb > 0 && m.clientRssPeakKb > 0, 'RSS is still read every sample');
    m.mark('windowEnd');
    assert.equal(m.sample().client!.pssKb, 0, 'held off right after the window: its last replies are in flight');
    assert.ok(m.rssAt('windowEnd', 'client')! > 0);
    // /proc reports CPU time in whole clock ticks (10 ms at the usual USER_HZ 100), so the window's
    // difference may lose a tick or two of the 100 ms: at least 80 show.
    const windowCpuMs = m.windowCpuMs('client')!;
    assert.ok(windowCpuMs >= 80, `window CPU ${windowCpuMs} ms after 100 ms of work`);
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(m.sample().client!.pssKb > 0, 'the first sample after the hold-off is full');
    assert.equal(m.sample().client!.pssKb, 0, 'then every FULL_SAMPLE_EVERY_MS again');
  });
});
