/**
 * Events a test can place a signal on while a load runs: the server's own count of the messages it
 * received. A load sends on a fixed schedule (never ahead of it), so N messages at R msg/s mean the
 * run is at least N / R seconds past its first send: a point in the run that is observed, not slept to.
 */
import { getMetrics, waitFor } from './http.js';

const MESSAGES_IN = 'wsbench_messages_received_total';

/** Polls the server's /metrics until it has received at least `count` messages; returns the count. */
export function waitForServerMessages(port: number, count: number, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    `${count} messages received by the server on port ${port}`,
    async () => {
      const n = (await getMetrics(port)).metrics.get(MESSAGES_IN) ?? 0;
      return n >= count && n;
    },
    timeoutMs,
  );
}
