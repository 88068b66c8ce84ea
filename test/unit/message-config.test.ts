import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { messageConfig } from '../../src/profile/message-config.js';
import { compileMessage, TemplateWriter } from '../../src/protocol/template.js';

/** 5 msg/s with a 1 s grace: the default cap is its floor, 16. */
const RUN = { ratePerClient: 5, graceMs: 1000 };

describe('--message / --message-file as a run records them', { timeout: 10_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wsb-message-'));

  it('a text template is kept as text, with the default in-flight cap', () => {
    assert.deepEqual(messageConfig({ message: '{"id":{id}}', replyId: '$.id' }, RUN), {
      template: '{"id":{id}}',
      encoding: 'utf8',
      replyId: '$.id',
      maxInFlight: 16,
    });
  });

  it('a file that is UTF-8 is text; one that is not is kept as base64, and compiles back to its bytes', () => {
    const text = path.join(dir, 'text.json');
    writeFileSync(text, '{"id":{seq}}\n');
    assert.equal(messageConfig({ messageFile: text, replyId: '$.id' }, RUN)?.encoding, 'utf8');
    const bin = path.join(dir, 'frame.bin');
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x28, 0x00]), Buffer.from('{seq}')]);
    writeFileSync(bin, bytes);
    const m = messageConfig({ messageFile: bin, replyId: 'seq=(\\d+)', maxInFlight: 8 }, RUN);
    assert.equal(m?.encoding, 'base64');
    assert.equal(m?.template, bytes.toString('base64'));
    assert.equal(m?.maxInFlight, 8);
    assert.deepEqual([...new TemplateWriter(compileMessage(m)).write(42, 0, 0, 0)], [0xc3, 0x28, 0x00, 0x34, 0x32]);
  });

  it('the default cap covers the grace period and 1 s more of sends, at least 16', () => {
    assert.equal(messageConfig({ message: '{seq}', replyId: '$.id' }, { ratePerClient: 100, graceMs: 2000 })?.maxInFlight, 300);
    assert.equal(messageConfig({ message: '{seq}', replyId: '$.id' }, { ratePerClient: 0.1, graceMs: 2000 })?.maxInFlight, 16);
    assert.equal(messageConfig({ message: '{seq}', replyId: '$.id', maxInFlight: 3 }, { ratePerClient: 100, graceMs: 2000 })?.maxInFlight, 3);
  });

  it('without --message, no template (and no rule may be given)', () => {
    assert.equal(messageConfig({}, RUN), undefined);
    assert.throws(() => messageConfig({ replyId: '$.id' }, RUN), /--reply-id needs --message/);
  });
});
