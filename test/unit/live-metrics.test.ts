import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BucketRecorder } from '../../src/metrics/bucket-recorder.js';
import { LIVE_BUCKETS_S, LiveHistogram, bucketIndex } from '../../src/live/log-buckets.js';
import { LoadMetrics } from '../../src/live/load-metrics.js';
import { parsePrometheus } from '../helpers/http.js';
import { emptyCounters } from '../../src/load/worker/messages.js';

describe('live metrics', () => {
  it('a recorder hands out only what it recorded since the last call', () => {
    const r = new BucketRecorder();
    [100, 100, 5000].forEach((v) => r.record(v));
    assert.deepEqual(r.growthSinceLastCall(), [100, 2, 5000, 1]);
    assert.deepEqual(r.growthSinceLastCall(), []);
    r.record(100);
    assert.deepEqual(r.growthSinceLastCall(), [100, 1]);
    r.reset();
    r.record(7);
    assert.deepEqual(r.growthSinceLastCall(), [7, 1]);
  });

  it('buckets run log-spaced from 50 µs to 10 s', () => {
    assert.equal(LIVE_BUCKETS_S[0], 50e-6);
    assert.equal(LIVE_BUCKETS_S.at(-1), 10);
    for (let i = 1; i < LIVE_BUCKETS_S.length; i++) assert.ok(Math.abs(LIVE_BUCKETS_S[i] / LIVE_BUCKETS_S[i - 1] - 1.5) < 0.01);
    assert.equal(bucketIndex(50e-6), 0);
    assert.equal(bucketIndex(11), LIVE_BUCKETS_S.length, '+Inf');
  });

  it('a histogram fed value/count pairs is exposed as Prometheus buckets, sum and count', async () => {
    const h = new LiveHistogram();
    h.add([
      [100, 3],
      [20_000_000, 1],
    ]);
    assert.equal(h.count, 4);
    const m = new LoadMetrics();
    const sink = m.sink();
    sink.begin?.({
      name: 'r',
      url: 'ws://x/',
      shard: { index: 1, count: 4 },
      clients: 2,
      rampS: 0,
      warmupS: 0,
      durationS: 1,
      graceS: 0,
      maxSendLagP99Ms: 5,
      maxEventLoopDelayP99Ms: 5,
      pattern: 'echo',
    });
    sink.detail?.({
      rttUs: [[100, 3, 20_000_000, 1]],
      rttRawUs: [],
      sendLagUs: [],
      hostFloor: null,
      saturation: { targetFailed: false, answeringS: 0, sendLagP99Us: 0, eventLoopDelayP99Us: 0 },
      counters: { ...emptyCounters(), established: 2, sentTotal: 4, receivedTotal: 4, sent: 4, received: 4, open: 2 },
    });
    const text = await m.registry.metrics();
    const parsed = parsePrometheus(text);
    const labels = 'run="r",shard="1/4",target="ws://x/"';
    assert.equal(parsed.get(`wsbench_load_rtt_seconds_count{${labels}}`), 4);
    assert.equal(parsed.get(`wsbench_load_rtt_seconds_bucket{${labels},le="0.0001"}`), undefined, 'bounds are the listed ones');
    assert.equal(parsed.get(`wsbench_load_rtt_seconds_bucket{${labels},le="${LIVE_BUCKETS_S[bucketIndex(100e-6)]}"}`), 3);
    assert.equal(parsed.get(`wsbench_load_rtt_seconds_bucket{${labels},le="10"}`), 3);
    assert.equal(parsed.get(`wsbench_load_rtt_seconds_bucket{${labels},le="+Inf"}`), 4);
    assert.equal(parsed.get(`wsbench_load_connections_established_total{${labels}}`), 2);
    assert.match(text, /# TYPE wsbench_load_rtt_seconds histogram/);
  });
});
