import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InFlight, REPLY } from '../../src/load/worker/in-flight.js';

describe('messages in flight (templated runs)', { timeout: 10_000 }, () => {
  it('matches a reply to its send times, once; a second answer is a duplicate', () => {
    const f = new InFlight(2, 4);
    f.sent(1, 0, 1000, 1010);
    f.sent(1, 1, 2000, 2005);
    assert.equal(f.reply(1, 1), REPLY.MATCHED);
    assert.equal(f.matchedIntendedUs, 2000);
    assert.equal(f.matchedSentUs, 2005);
    assert.equal(f.reply(1, 0), REPLY.MATCHED);
    assert.equal(f.matchedIntendedUs, 1000);
    assert.equal(f.reply(1, 0), REPLY.DUPLICATE);
    assert.equal(f.reply(0, 0), REPLY.UNKNOWN, 'connection 0 sent nothing');
    assert.equal(f.reply(1, 2), REPLY.UNKNOWN, 'not sent yet');
  });

  it('drops the message still unanswered cap sends later (counted once), and its reply is late', () => {
    const f = new InFlight(1, 4);
    let dropped = 0;
    for (let seq = 0; seq < 10; seq++) {
      dropped += f.sent(0, seq, seq, seq);
      // Every message but 0 and 5 is answered at once.
      if (seq !== 0 && seq !== 5) assert.equal(f.reply(0, seq), REPLY.MATCHED);
    }
    assert.equal(dropped, 2, 'messages 0 and 5 pushed out by 4 and 9');
    assert.equal(f.reply(0, 0), REPLY.LATE);
    assert.equal(f.reply(0, 5), REPLY.LATE);
    assert.equal(f.reply(0, 3), REPLY.DUPLICATE);
  });

  it('an id answered more than 32 sends ago is unknown; one beyond memory counts as late', () => {
    const f = new InFlight(1, 16);
    for (let seq = 0; seq < 200; seq++) {
      f.sent(0, seq, 0, 0);
      assert.equal(f.reply(0, seq), REPLY.MATCHED);
    }
    assert.equal(f.reply(0, 199 - 31), REPLY.DUPLICATE);
    assert.equal(f.reply(0, 199 - 40), REPLY.UNKNOWN);
    assert.equal(f.reply(0, 10), REPLY.LATE);
  });

  it('a skipped send is never in flight: a reply naming it is not late', () => {
    const f = new InFlight(1, 4);
    f.sent(0, 0, 0, 0);
    f.skipped(0, 1);
    f.sent(0, 2, 0, 0);
    assert.notEqual(f.reply(0, 1), REPLY.LATE);
    assert.notEqual(f.reply(0, 1), REPLY.MATCHED);
    assert.equal(f.reply(0, 0), REPLY.MATCHED);
    assert.equal(f.reply(0, 2), REPLY.MATCHED);
  });
});
