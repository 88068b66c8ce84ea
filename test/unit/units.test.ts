import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDurationMs, parseCount, parseDurationExactMs, parseDurationMs } from '../../src/profile/units.js';
import { profileSchema } from '../../src/profile/profile-schema.js';

describe('counts and durations as users type them', { timeout: 10_000 }, () => {
  it('compound durations, single units, bare seconds; junk is undefined', () => {
    assert.equal(parseDurationMs('1m30s'), 90_000);
    assert.equal(parseDurationMs('1h2m3s'), 3_723_000);
    assert.equal(parseDurationMs('1s500ms'), 1_500);
    assert.equal(parseDurationMs('2.5s'), 2_500);
    assert.equal(parseDurationMs('90'), 90_000);
    assert.equal(parseDurationMs(0.5), 500);
    assert.equal(parseDurationMs('2 minutes'), 120_000, 'what ms reads still reads');
    for (const bad of ['', '1m30', 'm30s', '-5s', '1x', '30s1', 'abc']) assert.equal(parseDurationMs(bad), undefined, bad);
  });

  it('microseconds (us, µs, μs) read exactly, and round to whole milliseconds where only those count', () => {
    assert.equal(parseDurationExactMs('200us'), 0.2);
    assert.equal(parseDurationExactMs('200µs'), 0.2, 'micro sign');
    assert.equal(parseDurationExactMs('200μs'), 0.2, 'Greek mu');
    assert.equal(parseDurationExactMs('1ms500us'), 1.5);
    assert.equal(parseDurationExactMs('1ms'), 1);
    assert.equal(parseDurationExactMs('300ms'), 300);
    assert.equal(parseDurationExactMs('0'), 0);
    assert.equal(parseDurationExactMs('0.0002'), 0.2, 'bare seconds');
    assert.equal(parseDurationExactMs('2500us'), 2.5);
    assert.equal(parseDurationMs('1500us'), 2);
    assert.equal(parseDurationMs('200us'), 0);
    for (const bad of ['-200us', '200u', 'us', '200 us x', '1.5.us']) assert.equal(parseDurationExactMs(bad), undefined, bad);
  });

  it('durations print back in the same form', () => {
    assert.equal(formatDurationMs(90_000), '1m30s');
    assert.equal(formatDurationMs(30_000), '30s');
    assert.equal(formatDurationMs(1_500), '1s500ms');
    assert.equal(formatDurationMs(0), '0');
  });

  it('k is a thousand and m a million for counts; fractions only when they come out whole', () => {
    assert.equal(parseCount('10k'), 10_000);
    assert.equal(parseCount('1m'), 1_000_000);
    assert.equal(parseCount('2.5k'), 2_500);
    assert.equal(parseCount('1.1k'), 1_100);
    assert.equal(parseCount('100_000'), 100_000);
    assert.equal(parseCount('250'), 250);
    for (const bad of ['1.5', '0.0001k', '10kb', 'k', '-3', '1e3']) assert.equal(parseCount(bad), undefined, bad);
  });

  it('profiles take compound durations too', () => {
    const p = profileSchema.parse({ duration: '1m30s', warmup: 10, grace: '500ms' });
    assert.deepEqual([p.duration, p.warmup, p.grace], [90_000, 10_000, 500]);
    assert.equal(profileSchema.safeParse({ duration: '1m30' }).success, false);
  });
});
