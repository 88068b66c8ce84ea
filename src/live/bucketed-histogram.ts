import type { Registry } from 'prom-client';
import { LIVE_BUCKETS_S, type LiveHistogram } from './log-buckets.js';

type Labels = Record<string, string>;

interface MetricValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A Prometheus histogram whose buckets are filled elsewhere (LiveHistogram, from the workers'
 * per-second reports), registered with prom-client as a custom metric: prom-client's own Histogram
 * only takes one observe() per value, and the load records millions a second.
 */
export class BucketedHistogramMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly series = new Map<string, { labels: Labels; histogram: LiveHistogram }>();

  constructor(opts: { name: string; help: string; registry: Registry }) {
    this.name = opts.name;
    this.help = opts.help;
    // The registry reads name, help, type and get(): the shape of prom-client's own metrics.
    opts.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** Exposes `histogram` under these labels (the same labels again replace it). */
  track(labels: Labels, histogram: LiveHistogram): void {
    this.series.set(JSON.stringify(labels), { labels, histogram });
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const { labels, histogram } of this.series.values()) {
      const cumulative = histogram.cumulative();
      cumulative.forEach((value, i) =>
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: i < LIVE_BUCKETS_S.length ? LIVE_BUCKETS_S[i] : '+Inf' }, value }),
      );
      values.push({ metricName: `${this.name}_sum`, labels, value: histogram.sumS });
      values.push({ metricName: `${this.name}_count`, labels, value: histogram.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
