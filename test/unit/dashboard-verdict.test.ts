/**
 * The dashboard's "verdict so far" is the result's verdict (result/summarize.ts judgeRun) on the
 * counters so far: same counters (lost replies and skipped sends included), same order (client
 * saturation before target errors). Fed second by second as the orchestrator feeds it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DashboardState } from '../../src/live/dashboard-state.js';
import { emptyCounters } from '../../src/load/worker/messages.js';
import type { SeriesEntry } from '../../src/contract/result.js';
import type { ProgressCounters, ProgressDetail, SaturationSoFar } from '../../src/core/progress.js';

const COUNTERS: ProgressCounters = { ...emptyCounters(), established: 10, open: 10 };
const CALM: SaturationSoFar = { targetFailed: false, answeringS: 0, sendLagP99Us: 100, eventLoopDelayP99Us: 100 };

/** A run of 10 clients with a 2 s grace period; `second` feeds one second and returns the verdict so far. */
function run() {
  const state = new DashboardState('t', 1);
  const sink = state.sink();
  sink.begin?.({
    name: 'r',
    url: 'ws://x/',
    shard: null,
    clients: 10,
    rampS: 1,
    warmupS: 0,
    durationS: 10,
    graceS: 2,
    maxSendLagP99Ms: 20,
    maxEventLoopDelayP99Ms: 20,
    pattern: 'echo',
  });
  return (tS: number, phase: SeriesEntry['phase'], counters: Partial<ProgressCounters>, saturation: SaturationSoFar = CALM) => {
    const detail: ProgressDetail = { rttUs: [], rttRawUs: [], sendLagUs: [], hostFloor: null, counters: { ...COUNTERS, ...counters }, saturation };
    sink.detail?.(detail);
    sink.update(
      {
        tS,
        phase,
        connected: 10,
        sentPerSec: 0,
        receivedPerSec: 0,
        rttP50Us: 0,
        rttP99Us: 0,
        errors: 0,
        clientRssKb: 0,
        clientCpuPercent: 0,
        serverRssKb: null,
        serverCpuPercent: null,
        loopDelayP99Us: 0,
        sendLagMaxUs: 0,
      },
      10,
    );
    const r = state.snapshot().runs[0];
    return { verdict: r.verdictSoFar, reasons: r.verdictReasonsSoFar };
  };
}

describe('the dashboard verdict so far', () => {
  it('clients still connecting during the ramp are not errors; after it, missing ones are', () => {
    const second = run();
    assert.equal(second(1, 'ramp', { established: 4 }).verdict, 'valid');
    assert.equal(second(2, 'measure', { established: 4 }).verdict, 'target-errors');
  });

  it('a reply missing for longer than the grace period is lost, as in the result; one still in time is not', () => {
    const second = run();
    assert.equal(second(3, 'measure', { sent: 100, received: 90 }).verdict, 'valid', 'in flight');
    assert.equal(second(4, 'measure', { sent: 200, received: 190 }).verdict, 'valid');
    const late = second(5, 'measure', { sent: 300, received: 95 });
    assert.equal(late.verdict, 'target-errors', 'the 100 sent by second 3 have 95 replies');
    assert.match(late.reasons.join('; '), /5 message\(s\) got no reply/);
  });

  it('skipped sends are target errors', () => {
    const second = run();
    const v = second(3, 'measure', { skipped: 3 });
    assert.equal(v.verdict, 'target-errors');
    assert.match(v.reasons.join('; '), /3 scheduled send\(s\) skipped/);
  });

  it('client saturation wins over target errors, and a failed target is judged on the seconds before', () => {
    const second = run();
    const lagging: SaturationSoFar = { targetFailed: false, answeringS: 0, sendLagP99Us: 50_000, eventLoopDelayP99Us: 100 };
    assert.equal(second(3, 'measure', { skipped: 3 }, lagging).verdict, 'client-saturated');
    const failed = second(4, 'measure', { skipped: 3, unexpectedClosesByCode: { 1006: 10 } }, { ...CALM, targetFailed: true, answeringS: 2 });
    assert.equal(failed.verdict, 'target-errors');
    assert.match(failed.reasons.join('; '), /client saturation was judged on the 2 s of the window before/);
  });
});
