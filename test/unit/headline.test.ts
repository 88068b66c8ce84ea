import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { belowHostFloor, headlineOf, hostFloorLine, resolveComparable } from '../../src/result/headline.js';
import { metricValue } from '../../src/result/metric-names.js';
import { WsbError } from '../../src/core/errors.js';
import type { ResultDocument } from '../../src/contract/result.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/results/', import.meta.url));
const read = (sub: string) =>
  readdirSync(path.join(DIR, sub))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(DIR, sub, f), 'utf8')) as ResultDocument);
const OLD = read('before-headline');
const NEW = read('headline');

describe('the headline and what results are compared on', () => {
  it('latency.* reads the headline; a result before it has none, and its headline reads as its raw round trip', () => {
    assert.equal(metricValue(NEW[0], 'latency.p99')?.value, NEW[0].summary.latencyUs!.p99);
    assert.equal(NEW[0].summary.latencyUs!.p99, NEW[0].summary.rttRawUs.p99, 'the headline is measured as the raw round trip');
    assert.equal(metricValue(OLD[0], 'latency.p99'), undefined);
    assert.equal(metricValue(OLD[0], 'rtt.p99')?.value, OLD[0].summary.rttUs.p99, 'rtt.* keeps its meaning');
    assert.deepEqual(headlineOf(OLD[0]), OLD[0].summary.rttRawUs);
  });

  it('resolves latency.* to rttRaw.* across headline bases, with one note; as asked otherwise', () => {
    assert.deepEqual(resolveComparable('latency.p99', NEW, NEW), { metric: 'latency.p99', note: null });
    assert.deepEqual(resolveComparable('rtt.p99', OLD, NEW), { metric: 'rtt.p99', note: null });
    const r = resolveComparable('latency.p99', OLD, NEW);
    assert.equal(r.metric, 'rttRaw.p99');
    assert.match(r.note!, /the baseline was written before the headline/);
  });

  it('refuses timing figures across arrival patterns (a usage error), and lets memory through', () => {
    const spread = NEW.map((d) => ({ ...d, config: { ...d.config, arrivals: 'spread' as const } }));
    assert.throws(
      () => resolveComparable('latency.p99', NEW, spread),
      (e: unknown) => e instanceof WsbError && /--arrivals grid .*--arrivals spread/.test(e.message),
    );
    assert.throws(() => resolveComparable('server.cpuPercentMean', NEW, spread), WsbError);
    assert.deepEqual(resolveComparable('server.rssPerConnectionKb', NEW, spread), { metric: 'server.rssPerConnectionKb', note: null });
  });

  it('marks a tail difference smaller than the larger host floor, and nothing else', () => {
    const floorP99 = Math.max(...NEW.map((d) => d.summary.hostFloorUs!.p99));
    assert.ok(floorP99 > 0);
    assert.equal(belowHostFloor('latency.p50', NEW, NEW, 1), null, 'p50 is not a tail figure');
    assert.equal(belowHostFloor('messagesPerSec', NEW, NEW, 1), null);
    assert.ok(belowHostFloor('latency.p99', NEW, NEW, 0) !== null);
    assert.equal(belowHostFloor('latency.p99', NEW, NEW, 10 * floorP99), null);
    assert.equal(belowHostFloor('latency.p99', OLD, OLD, 0), null, 'no floor recorded: nothing to say');
    assert.match(hostFloorLine(NEW[0])!, /^host floor p99 [\d.]+ ms .*tail differences smaller than this may be the host's$/);
    assert.equal(hostFloorLine(OLD[0]), null);
  });
});
