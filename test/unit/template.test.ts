import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, TemplateError, TemplateWriter, writeUint } from '../../src/protocol/template.js';
import { Opening } from '../../src/protocol/opening.js';

const render = (template: string | Buffer, seq: number, conn: number, id: number, now: number) =>
  Buffer.from(new TemplateWriter(compileTemplate(template)).write(seq, conn, id, now)).toString('utf8');

describe('message templates', { timeout: 10_000 }, () => {
  it('fills every placeholder, leaves JSON braces alone and pads', () => {
    const t = '{"jsonrpc":"2.0","id":{id},"method":"ping","params":{"seq":{seq},"conn":{conn},"t":{now}},"pad":"{pad:5}"}';
    assert.equal(
      render(t, 7, 3, 703, 1_765_000_000_123),
      '{"jsonrpc":"2.0","id":703,"method":"ping","params":{"seq":7,"conn":3,"t":1765000000123},"pad":"xxxxx"}',
    );
    const c = compileTemplate(t);
    assert.equal(c.hasId, true);
    assert.equal(c.hasSeq, true);
    assert.equal(c.hasNow, true);
    assert.equal(c.slots.length, 4);
  });

  it('writes digits exactly at every width, from 0 to just below 2^53', () => {
    const buf = Buffer.alloc(32);
    for (const v of [0, 1, 9, 10, 99, 100, 999_999_999, 1_000_000_000, 1_000_000_001, 123_456_789_012_345, 2 ** 53 - 1]) {
      const end = writeUint(buf, 3, v);
      assert.equal(buf.toString('latin1', 3, end), String(v));
    }
  });

  it('reuses one buffer: a shorter message after a longer one carries nothing of it', () => {
    const w = new TemplateWriter(compileTemplate('a{seq}b{conn}c'));
    assert.equal(w.write(123456, 99, 0, 0).toString(), 'a123456b99c');
    assert.equal(w.write(1, 2, 0, 0).toString(), 'a1b2c');
  });

  it('takes {{ as a literal brace, and a brace before anything but a name as text', () => {
    assert.equal(render('{{id} is {id}', 0, 0, 42, 0), '{id} is 42');
    assert.equal(render('{"id":{ID}}', 0, 0, 1, 0), '{"id":{ID}}', 'names are lower case: {ID} is text');
    assert.equal(render('query { user { name } }', 0, 0, 0, 0), 'query { user { name } }');
    assert.equal(render('{ "a": {seq} }', 5, 0, 0, 0), '{ "a": 5 }');
    assert.equal(render('no placeholder', 1, 2, 3, 4), 'no placeholder');
    assert.equal(render('{seq', 1, 2, 3, 4), '{seq');
  });

  it('refuses an unknown placeholder or a bad pad, in the user words', () => {
    assert.throws(
      () => compileTemplate('{"id":{idd}}'),
      (e: Error) => e instanceof TemplateError && /unknown placeholder \{idd\}/.test(e.message),
    );
    assert.throws(() => compileTemplate('{seqq}'), /unknown placeholder \{seqq\}/);
    assert.throws(() => compileTemplate('{pad}'), /\{pad\} needs a size/);
    assert.throws(() => compileTemplate('{pad:abc}'), /N must be a whole number/);
    assert.throws(() => compileTemplate('{id:3}'), /unknown placeholder \{id:3\}/);
  });

  it('keeps the bytes of a binary template (--message-file) around its slots', () => {
    const bin = Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), Buffer.from('{seq}'), Buffer.from([0x80])]);
    const out = new TemplateWriter(compileTemplate(bin)).write(12, 0, 0, 0);
    assert.deepEqual([...out], [0xff, 0x00, 0xfe, 0x31, 0x32, 0x80]);
  });
});

describe('opening conversation', { timeout: 10_000 }, () => {
  it('sends up to the next await, matches it, and goes on in the order given', () => {
    const o = new Opening([
      { send: '{"method":"login","user":"u{conn}"}' },
      { await: 'logged-in' },
      { send: 'sub' },
      { send: 'sub2' },
      { await: '^subscribed$' },
    ]);
    const sent: string[] = [];
    const send = (m: Buffer) => sent.push(m.toString());
    let step = o.advance(0, 7, send);
    assert.deepEqual(sent, ['{"method":"login","user":"u7"}']);
    assert.equal(step, 1);
    assert.equal(o.matches(step, Buffer.from('hello')), false);
    assert.equal(o.matches(step, Buffer.from('{"event":"logged-in"}')), true);
    step = o.advance(step + 1, 7, send);
    assert.deepEqual(sent.slice(1), ['sub', 'sub2']);
    assert.equal(step, 4);
    assert.equal(o.matches(step, Buffer.from('subscribed')), true);
    assert.equal(o.advance(step + 1, 7, send), o.length);
  });

  it('refuses {seq} and {id} in --on-open, and a regex that does not compile', () => {
    assert.throws(() => new Opening([{ send: '{"id":{id}}' }]), /\{seq\} and \{id\} belong to --message/);
    assert.throws(() => new Opening([{ await: '(' }]), /--await "\(" is not a valid regular expression/);
  });

  it('matches an await on the first 4096 bytes only', () => {
    const o = new Opening([{ await: 'marker' }]);
    assert.equal(o.matches(0, Buffer.from('x'.repeat(5000) + 'marker')), false);
    assert.equal(o.matches(0, Buffer.from('x'.repeat(4000) + 'marker')), true);
  });
});
