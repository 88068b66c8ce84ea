import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideVerdict, type VerdictInput } from '../../src/result/verdict.js';

const clean: VerdictInput = {
  clientsTarget: 10,
  established: 10,
  failed: 0,
  lost: 0,
  skipped: 0,
  badReplies: 0,
  duplicateReplies: 0,
  outOfOrderReplies: 0,
  crossedReplies: 0,
  unexpectedCloses: 0,
  sendLagP99Us: 1000,
  eventLoopDelayP99Us: 1000,
  maxSendLagP99Ms: 20,
  maxEventLoopDelayP99Ms: 50,
  interrupted: false,
};

describe('verdict', { timeout: 10_000 }, () => {
  it('valid when nothing went wrong', () => assert.equal(decideVerdict(clean).verdict, 'valid'));
  it('target-errors on failures, losses or closes', () => {
    assert.equal(decideVerdict({ ...clean, failed: 1 }).verdict, 'target-errors');
    assert.equal(decideVerdict({ ...clean, lost: 3 }).verdict, 'target-errors');
    assert.equal(decideVerdict({ ...clean, unexpectedCloses: 1 }).verdict, 'target-errors');
  });
  it('target-errors on duplicated, out-of-order or crossed replies, one reason each', () => {
    const v = decideVerdict({ ...clean, duplicateReplies: 12, outOfOrderReplies: 3, crossedReplies: 2 });
    assert.equal(v.verdict, 'target-errors');
    assert.equal(v.reasons.length, 3);
    assert.match(v.reasons[0], /^12 duplicated reply/);
    assert.match(v.reasons[1], /^3 reply\(ies\) out of order/);
    assert.match(v.reasons[2], /^2 reply\(ies\) carried another connection's/);
  });
  it('templated runs: an unknown reply id is an error; a probe run has none to count', () => {
    const v = decideVerdict({ ...clean, unknownReplies: 4 });
    assert.equal(v.verdict, 'target-errors');
    assert.deepEqual(v.reasons, ['4 reply(ies) carried an id not in flight on their connection (--reply-id)']);
    assert.equal(decideVerdict({ ...clean, unknownReplies: 0 }).verdict, 'valid');
  });
  it('client-saturated wins over target errors, with the reason', () => {
    const v = decideVerdict({ ...clean, lost: 3, sendLagP99Us: 90_000 });
    assert.equal(v.verdict, 'client-saturated');
    assert.match(v.reasons[0], /send lag p99 90\.0 ms/);
    assert.equal(decideVerdict({ ...clean, eventLoopDelayP99Us: 60_000 }).verdict, 'client-saturated');
  });
});
