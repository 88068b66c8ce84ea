import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FOREIGN_ID, idFromParsed, NO_ID, parseReplyIdRule, ReplyIdExtractor, ReplyIdRuleError } from '../../src/protocol/reply-id.js';
import { SCAN, scanJsonPath } from '../../src/protocol/json-path-scan.js';

const extract = (rule: string, reply: string | Buffer) => new ReplyIdExtractor(parseReplyIdRule(rule)).extract(Buffer.from(reply));

describe('--reply-id: JSON paths', { timeout: 10_000 }, () => {
  it('finds numbers and digit strings, through whitespace, escapes and nesting', () => {
    assert.equal(extract('$.id', '{"jsonrpc":"2.0","id":17,"result":"ok"}'), 17);
    assert.equal(extract('$.id', ' {\n\t"id" : "42" }'), 42);
    assert.equal(extract('$.id', '{"a":"x\\"id\\":5","b":{"id":6,"c":[1,{"id":7}]},"id":8}'), 8);
    assert.equal(extract('$.params.seq', '{"method":"update","params":{"n":"}{","seq":123456789012}}'), 123456789012);
    assert.equal(extract('$.data[1].id', '{"data":[{"id":1},{"id":2}]}'), 2);
    assert.equal(extract('$["the-id"]', '{"the-id":3}'), 3);
    assert.equal(extract('$.id', '{"id":0}'), 0);
  });

  it('no id (a push): absent, null, not JSON, or not an object on the way', () => {
    assert.equal(extract('$.id', '{"method":"update","params":{"id":1}}'), NO_ID);
    assert.equal(extract('$.id', '{"id":null}'), NO_ID);
    assert.equal(extract('$.id', 'Welcome to the server'), NO_ID);
    assert.equal(extract('$.params.seq', '{"params":"text"}'), NO_ID);
    assert.equal(extract('$.data[5].id', '{"data":[{"id":1}]}'), NO_ID);
    assert.equal(extract('$.id', '[1,2]'), NO_ID);
  });

  it('an id that is not one of ours: negative, fractional, a word, an object, leading zeros', () => {
    for (const reply of ['{"id":-1}', '{"id":1.5}', '{"id":"abc"}', '{"id":{"n":1}}', '{"id":"007"}', '{"id":true}', '{"id":1234567890123456}'])
      assert.equal(extract('$.id', reply), FOREIGN_ID, reply);
  });

  it('leaves to JSON.parse what the scanner cannot decide: escaped keys and values, exponents, 17.0', () => {
    const keys = [Buffer.from('id')];
    const out = new Float64Array(1);
    assert.equal(scanJsonPath(Buffer.from('{"\\u0069d":5}'), keys, out), SCAN.UNSURE);
    assert.equal(extract('$.id', '{"\\u0069d":5}'), 5);
    assert.equal(extract('$.id', '{"id":"\\u0031\\u0032"}'), 12);
    assert.equal(extract('$.id', '{"id":1e2}'), 100);
    assert.equal(extract('$.id', '{"id":17.0}'), 17);
  });

  it('agrees with JSON.parse on every reply of a generated set (the scanner takes the first of duplicated keys)', () => {
    const ids = ['17', '"17"', '0', 'null', '-3', '2.5', '"x"', '{"id":1}', '[9]', 'true', '1e3', '"\\u0039"'];
    const fillers = ['', '"a":1,', '"s":"}\\"{",', '"o":{"id":4,"p":[1,{"q":"]"}]},', '"arr":[[],{},""],'];
    const spaces = ['', ' ', '\n\t '];
    let n = 0;
    for (const id of ids)
      for (const before of fillers)
        for (const after of fillers)
          for (const ws of spaces) {
            const text = `{${ws}${before}${ws}"id"${ws}:${ws}${id}${ws}${after ? `,${after.slice(0, -1)}` : ''}${ws}}`;
            const buf = Buffer.from(text);
            assert.equal(extract('$.id', buf), idFromParsed(buf, ['id']), text);
            const nested = Buffer.from(`{"params":${text}}`);
            assert.equal(extract('$.params.id', nested), idFromParsed(nested, ['params', 'id']), `nested ${text}`);
            n++;
          }
    assert.ok(n > 500);
  });

  it('refuses paths it does not read', () => {
    for (const bad of ['$', '$.', '$..id', '$.a[*]', '$[?(@.id)]', '$.a b'])
      assert.throws(
        () => parseReplyIdRule(bad),
        (e: Error) => e instanceof ReplyIdRuleError && /is not a JSON path this tool reads/.test(e.message),
        bad,
      );
  });
});

describe('--reply-id: regular expressions', { timeout: 10_000 }, () => {
  it('takes the one capture group as the id', () => {
    assert.equal(extract('seq=(\\d+)', 'STATE seq=42 hp=100'), 42);
    assert.equal(extract('"ack":(\\d+)', '{"ack":7}'), 7);
    assert.equal(extract('seq=(\\d+)', 'no id here'), NO_ID);
    assert.equal(extract('seq=(\\w+)', 'seq=abc'), FOREIGN_ID);
    assert.equal(extract('(?:a|b)=(\\d+)', 'b=3'), 3, '(?:) groups do not count');
  });

  it('sees only the first 4096 bytes of a reply', () => {
    assert.equal(extract('seq=(\\d+)', 'x'.repeat(5000) + 'seq=1'), NO_ID);
    assert.equal(extract('seq=(\\d+)', 'x'.repeat(4000) + 'seq=1'), 1);
  });

  it('needs exactly one capture group, and a pattern that compiles', () => {
    assert.throws(() => parseReplyIdRule('seq=\\d+'), /must have exactly 1 capture group \(found 0\)/);
    assert.throws(() => parseReplyIdRule('(a)(b)'), /found 2/);
    assert.throws(() => parseReplyIdRule('(unclosed'), /is not a valid regular expression/);
  });
});
