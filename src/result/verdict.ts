import type { Verdict } from '../contract/result.js';
import { msFromUs } from '../core/ms-text.js';

export interface VerdictInput {
  clientsTarget: number;
  established: number;
  failed: number;
  lost: number;
  /** Broadcast pattern: deliveries expected but not received (the shootout's "missing received broadcasts"). */
  missingDeliveries?: number;
  skipped: number;
  badReplies: number;
  duplicateReplies: number;
  outOfOrderReplies: number;
  crossedReplies: number;
  /** Templated runs: replies whose id this run never sent or no longer had in flight (absent: 0). */
  unknownReplies?: number;
  unexpectedCloses: number;
  sendLagP99Us: number;
  eventLoopDelayP99Us: number;
  maxSendLagP99Ms: number;
  maxEventLoopDelayP99Ms: number;
  interrupted: boolean;
}

/**
 * The run's self-check. `client-saturated` wins over `target-errors`: when the load generator was
 * the limit, even the errors may be its own doing, so no figure of the run should be trusted.
 */
export function decideVerdict(v: VerdictInput): { verdict: Verdict; reasons: string[] } {
  const saturated: string[] = [];
  if (v.sendLagP99Us > v.maxSendLagP99Ms * 1000) {
    saturated.push(`send lag p99 ${msFromUs(v.sendLagP99Us, 1)} ms exceeds ${v.maxSendLagP99Ms} ms: the client could not send on schedule`);
  }
  if (v.eventLoopDelayP99Us > v.maxEventLoopDelayP99Ms * 1000) {
    saturated.push(`client event-loop delay p99 ${msFromUs(v.eventLoopDelayP99Us, 1)} ms exceeds ${v.maxEventLoopDelayP99Ms} ms: replies were read late`);
  }
  const errors: string[] = [];
  if (v.failed > 0) errors.push(`${v.failed} connection(s) failed`);
  if (v.established < v.clientsTarget && v.failed === 0 && !v.interrupted) errors.push(`${v.clientsTarget - v.established} connection(s) never opened`);
  if (v.lost > 0) errors.push(`${v.lost} message(s) got no reply by the end of the grace period`);
  if ((v.missingDeliveries ?? 0) > 0) errors.push(`${v.missingDeliveries} broadcast deliveries missing by the end of the grace period`);
  if (v.skipped > 0) errors.push(`${v.skipped} scheduled send(s) skipped: connection closed or not draining`);
  if (v.badReplies > 0) errors.push(`${v.badReplies} reply(ies) did not match what was sent`);
  if (v.duplicateReplies > 0) errors.push(`${v.duplicateReplies} duplicated reply(ies): the same message answered more than once`);
  if (v.outOfOrderReplies > 0) errors.push(`${v.outOfOrderReplies} reply(ies) out of order on their connection`);
  if (v.crossedReplies > 0) errors.push(`${v.crossedReplies} reply(ies) carried another connection's probe`);
  if ((v.unknownReplies ?? 0) > 0) errors.push(`${v.unknownReplies} reply(ies) carried an id not in flight on their connection (--reply-id)`);
  if (v.unexpectedCloses > 0) errors.push(`${v.unexpectedCloses} connection(s) closed by the target before the end`);
  // Errors are listed after the saturation reasons: the reader sees both, the verdict names the first.
  if (saturated.length > 0) return { verdict: 'client-saturated', reasons: [...saturated, ...errors] };
  if (errors.length > 0) return { verdict: 'target-errors', reasons: errors };
  return { verdict: 'valid', reasons: [] };
}
