/**
 * The conformance check (`wsbench check`, and the first step of `load` and `compare`): a server
 * that does not complete the handshake, answer the run's probe intact or close cleanly cannot
 * "win" a benchmark. The check requires what the run will use: text replies in the probe's shape.
 * Binary echo is checked too, but only warns unless the run sends binary. The steps are in
 * conformance-steps.ts, the connection they share in check-connection.ts.
 */
import { WsbError } from '../core/errors.js';
import { openCheckConnection } from './check-connection.js';
import type { ConformanceOptions, ConformanceReport } from './conformance-report.js';
import { binaryEcho, broadcastResult, closeHandshake, handshake, opening, probeReply, templatedReply, textReply, type CheckStep } from './conformance-steps.js';

/** The steps of a probe run in order; the close handshake completes the check. */
const PROBE_STEPS: readonly CheckStep[] = [handshake, opening, textReply, probeReply, broadcastResult, binaryEcho, closeHandshake];
/** A templated run (--message): its reply is found by its id, instead of the text, probe and binary steps. */
const TEMPLATED_STEPS: readonly CheckStep[] = [handshake, opening, templatedReply, closeHandshake];

/** Runs the steps in order; stops at the first failure that makes the rest meaningless. */
export async function runConformance(url: string, opts: ConformanceOptions = {}): Promise<ConformanceReport> {
  const report: ConformanceReport = { url, ok: false, checks: [], replyStyle: null, greeting: null, protocol: '' };
  const { conn, next } = openCheckConnection(url, opts);
  let completed = false;
  try {
    for (const step of opts.message ? TEMPLATED_STEPS : PROBE_STEPS) {
      const end = await step({ conn, next, report, opts });
      if (end === 'stop') return report;
      if (end === 'closed') break;
    }
    completed = true;
    return report;
  } finally {
    report.ok = completed && report.checks.every((c) => c.ok || c.severity === 'warning');
    conn.terminate();
  }
}

/** Throws WSB_ERR_CONFORMANCE with the failed checks (warnings pass) when a server failed the check. */
export function requireConformance(report: ConformanceReport, whatNoCheckDoes: string): void {
  if (report.ok) return;
  const failed = report.checks.filter((c) => !c.ok && c.severity === 'fail').map((c) => `${c.name}: ${c.detail}`);
  throw new WsbError(
    'WSB_ERR_CONFORMANCE',
    `${report.url} failed the conformance check (${failed.join('; ')})`,
    `run \`wsbench check <url>\` for the details, or --no-check to ${whatNoCheckDoes}`,
  );
}
