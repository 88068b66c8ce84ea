import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readProfile } from '../../src/profile/read-profile.js';
import { resolveLoadConfig } from '../../src/profile/resolve-config.js';
import { WsbError } from '../../src/core/errors.js';

function tempProfile(content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wsb-profile-'));
  const file = path.join(dir, 'p.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('profiles', { timeout: 10_000 }, () => {
  it('every built-in profile validates, and the tiers run at 1 msg/s', () => {
    for (const [name, clients] of [
      ['smoke', 200],
      ['1k', 1000],
      ['10k', 10_000],
      ['100k', 100_000],
    ] as const) {
      const { profile } = readProfile(name);
      assert.equal(profile.clients, clients);
      if (name !== 'smoke') assert.equal(profile.rate, 1);
    }
  });

  it('flags override profile fields; durations parse', () => {
    const c = resolveLoadConfig({ profile: 'smoke', clients: 7, url: 'ws://127.0.0.1:1/' });
    assert.equal(c.clients, 7);
    assert.equal(c.durationMs, 5000);
    assert.equal(c.name, 'smoke');
    assert.ok(Object.isFrozen(c));
  });

  it('bad fields are named in the error', () => {
    const bad = tempProfile({ clients: 0, cleints: 5, duration: 'soon' });
    assert.throws(
      () => readProfile(bad),
      (err: unknown) => {
        assert.ok(err instanceof WsbError);
        assert.equal(err.code, 'WSB_ERR_PROFILE');
        assert.match(err.message, /clients/);
        assert.match(err.message, /unknown field\(s\) "cleints"/);
        assert.match(err.message, /duration/);
        return true;
      },
    );
    assert.throws(() => readProfile(tempProfile('{not json')), /not valid JSON/);
    assert.throws(() => readProfile('no-such-profile'), /not found/);
  });

  it("cross-field checks give usage errors in the user's words", () => {
    assert.throws(() => resolveLoadConfig({ payloadBytes: 10 }), /--payload-size must be at least 49 bytes/);
    assert.throws(() => resolveLoadConfig({ url: 'http://x/' }), /must start with ws:\/\/ or wss:\/\//);
    assert.throws(() => resolveLoadConfig({ rate: 0.1, durationMs: 5000 }), /shorter than one send period/);
    assert.equal(resolveLoadConfig({}).client, 'lean');
    assert.equal(resolveLoadConfig({ deflate: true }).client, 'ws', '--deflate alone picks the ws client');
    assert.throws(() => resolveLoadConfig({ deflate: true, client: 'lean' }), /--deflate needs --client ws/);
  });

  it('a templated run from a profile: message, rule, cap and opening, as the result records them', () => {
    const file = tempProfile({
      clients: 3,
      message: '{"id":{id},"method":"ping"}',
      replyId: '$.id',
      maxInFlight: 40,
      opening: [{ send: '{"method":"login"}' }, { await: 'logged-in' }],
    });
    const c = resolveLoadConfig({ profile: file });
    assert.deepEqual(c.message, { template: '{"id":{id},"method":"ping"}', encoding: 'utf8', replyId: '$.id', maxInFlight: 40 });
    assert.deepEqual(c.opening, [{ send: '{"method":"login"}' }, { await: 'logged-in' }]);
  });

  it("flags override a profile's template fields; a --message replaces the profile's message file and payloadSize", () => {
    const file = tempProfile({ messageFile: 'no-such-file.txt', replyId: '$.id', payloadSize: 64, opening: [{ await: 'hello' }] });
    assert.throws(() => resolveLoadConfig({ profile: file }), /--message-file .*no-such-file\.txt cannot be read/);
    const c = resolveLoadConfig({ profile: file, message: '{"seq":{seq}}', replyId: '$.seq', opening: [{ send: 'hi' }] });
    assert.equal(c.message?.template, '{"seq":{seq}}');
    assert.equal(c.message?.replyId, '$.seq');
    assert.deepEqual(c.opening, [{ send: 'hi' }]);
    assert.deepEqual(resolveLoadConfig({ profile: 'smoke', message: '{"id":{id}}', replyId: '$.id' }).message?.template, '{"id":{id}}');
  });

  it("a profile's messageFile is read relative to the profile", () => {
    const file = tempProfile({ messageFile: 'msg.json', replyId: '$.id' });
    writeFileSync(path.join(path.dirname(file), 'msg.json'), '{"id":{id}}');
    assert.equal(resolveLoadConfig({ profile: file }).message?.template, '{"id":{id}}');
  });

  it('a bad template field in a profile is refused like the flag (exit 2)', () => {
    const noRule = tempProfile({ message: '{"id":{id}}' });
    assert.throws(
      () => resolveLoadConfig({ profile: noRule }),
      (e: unknown) => e instanceof WsbError && e.exitCode === 2 && /--message needs --reply-id/.test(e.message),
    );
    const badStep = tempProfile({ opening: [{ send: 'a', await: 'b' }] });
    assert.throws(() => resolveLoadConfig({ profile: badStep }), /opening/);
  });
});
