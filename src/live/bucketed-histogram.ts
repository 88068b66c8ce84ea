import type { Registry } from 'prom-client';
import { LIVE_BUCKETS_S, type LiveHistogram } from './log-buckets.js';

type Labels = Record<string, string>;
const NO_LABELS: Labels = {};

interface MetricValue {
  metricName: string;
  labels: Record<string, string | number>;
  /** prom-client formats these once per object (it keeps the text in a WeakMap). */
  sharedLabels?: Labels;
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
  private readonly series = new Map<string, { labels: Labels; bucketLabels: Labels[]; histogram: LiveHistogram }>();

  constructor(opts: { name: string; help: string; registry: Registry }) {
    this.name = opts.name;
    this.help = opts.help;
    // The registry reads name, help, type and get(): the shape of prom-client's own metrics.
    opts.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** Exposes `histogram` under these labels (the same labels again replace it). */
  track(labels: Labels, histogram: LiveHistogram): void {
    // Each line's labels, made once here and passed as prom-client's sharedLabels, so that a scrape
    // formats none of them again (33 lines a histogram; the scrape was most of the endpoint's cost).
    const bucketLabels = [...LIVE_BUCKETS_S.map(String), '+Inf'].map((le) => ({ ...labels, le }));
    this.series.set(JSON.stringify(labels), { labels, bucketLabels, histogram });
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const { labels, bucketLabels, histogram } of this.series.values()) {
      const cumulative = histogram.cumulative();
      cumulative.forEach((value, i) => values.push({ metricName: `${this.name}_bucket`, labels: NO_LABELS, sharedLabels: bucketLabels[i], value }));
      values.push({ metricName: `${this.name}_sum`, labels: NO_LABELS, sharedLabels: labels, value: histogram.sumS });
      values.push({ metricName: `${this.name}_count`, labels: NO_LABELS, sharedLabels: labels, value: histogram.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
