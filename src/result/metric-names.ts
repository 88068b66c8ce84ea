import type { ResultDocument } from '../contract/result.js';

/**
 * Named figures of a result, the vocabulary of --threshold, --max-regression and the comparison
 * tables. Latencies are in µs, memory in KB, CPU in percent of one core.
 */
/**
 * `latency` is the headline (raw round trip, summary.latencyUs); `rtt` keeps its meaning, the
 * corrected round trip, so stored thresholds and baselines read as they always did. `hostFloor` is
 * the host's wake-up lateness (a figure of the machine, recorded beside the client's send lag).
 */
const LATENCY = {
  latency: 'latencyUs',
  rtt: 'rttUs',
  rttRaw: 'rttRawUs',
  sendLag: 'sendLagUs',
  hostFloor: 'hostFloorUs',
  connect: 'connectUs',
} as const;
const STATS = ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'p9999', 'max'] as const;

export type MetricUnit = 'us' | 'kb' | 'percent' | 'count' | 'rate';

/**
 * Total errors: failed connections, lost messages, skipped sends, bad, duplicated, out-of-order and
 * crossed replies, unexpected closes.
 */
export function errorCount(doc: ResultDocument): number {
  const s = doc.summary;
  const m = s.messages;
  const closes = Object.values(s.unexpectedClosesByCode).reduce((a, b) => a + b, 0);
  const sequence = (m.duplicateReplies ?? 0) + (m.outOfOrderReplies ?? 0) + (m.crossedReplies ?? 0) + (m.unknownReplies ?? 0);
  return s.connections.failed + m.lost + (s.deliveries?.missing ?? 0) + m.skipped + m.badReplies + sequence + closes;
}

/** Reads a named figure; undefined when the result does not have it (e.g. no --server-pid). */
export function metricValue(doc: ResultDocument, name: string): { value: number; unit: MetricUnit } | undefined {
  const s = doc.summary;
  const [head, tail] = name.split('.', 2) as [string, string | undefined];
  if (head in LATENCY && tail && (STATS as readonly string[]).includes(tail)) {
    // latencyUs and hostFloorUs are absent in results written before them.
    const h = s[LATENCY[head as keyof typeof LATENCY]];
    if (!h) return undefined;
    return { value: h[tail as (typeof STATS)[number]], unit: 'us' };
  }
  switch (name) {
    case 'errors':
      return { value: errorCount(doc), unit: 'count' };
    case 'failed':
      return { value: s.connections.failed, unit: 'count' };
    case 'established':
      return { value: s.connections.established, unit: 'count' };
    case 'lost':
      return { value: s.messages.lost, unit: 'count' };
    case 'messagesPerSec':
      return { value: s.messages.ratePerSec, unit: 'rate' };
  }
  if ((head === 'server' || head === 'client') && tail) {
    const side = s[head] as Record<string, unknown> | null;
    const v = side?.[tail];
    if (typeof v !== 'number') return undefined;
    return {
      value: v,
      unit: tail.endsWith('Kb') ? 'kb' : tail.endsWith('Percent') || tail.endsWith('PercentMean') ? 'percent' : tail.endsWith('Us') ? 'us' : 'count',
    };
  }
  return undefined;
}

const COUNTS = ['errors', 'failed', 'established', 'lost', 'messagesPerSec'];

/** Which way a figure gets worse: the one place --max-regression learns it. */
export type MetricDirection = 'higher-is-worse' | 'lower-is-worse';

/**
 * Throughput and connections established are better when higher; every other figure (latency,
 * memory, CPU, errors, lost and failed counts) is better when lower. A new figure that is better
 * when higher must be listed here, or a collapse of it would pass the gate.
 */
const LOWER_IS_WORSE = new Set(['messagesPerSec', 'established']);

export function metricDirection(name: string): MetricDirection {
  return LOWER_IS_WORSE.has(name) ? 'lower-is-worse' : 'higher-is-worse';
}

/** True for a name metricValue understands (server.* and client.* are checked against a result later). */
export function isKnownMetric(name: string): boolean {
  const [head, tail] = name.split('.', 2) as [string, string | undefined];
  if (head in LATENCY) return tail !== undefined && (STATS as readonly string[]).includes(tail);
  if (head === 'server' || head === 'client') return tail !== undefined && /^\w+$/.test(tail);
  return tail === undefined && COUNTS.includes(head);
}

export const METRIC_HELP =
  'latency.p50|p90|p99|p999|p9999|max|mean|min (the headline; also rtt. corrected, rttRaw., sendLag., hostFloor., connect.), errors, failed, lost, established, messagesPerSec, ' +
  'server.rssPeakKb|rssPerConnectionKb|cpuPercentMean, client.rssPeakKb|rssPerConnectionKb|cpuPercentMean|eventLoopDelayP99Us|cpuUsPerMessage';
