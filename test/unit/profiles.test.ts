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
});
