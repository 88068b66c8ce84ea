/** What the conformance check is asked (what the run will send) and what it reports, check by check. */
import { LOAD_DEFAULTS } from '../core/defaults.js';
import type { MessageTemplateConfig, OpeningStep } from '../contract/result.js';

/** What a failed check means: `fail` fails the conformance check; `warning` is reported and the check still passes. */
export type CheckSeverity = 'fail' | 'warning';

export interface CheckItem {
  name: string;
  ok: boolean;
  severity: CheckSeverity;
  detail: string;
}

export interface ConformanceReport {
  url: string;
  /** Every check ran and none with severity `fail` failed (warnings do not change it). */
  ok: boolean;
  checks: CheckItem[];
  replyStyle: 'pong' | 'echo' | 'shootout' | null;
  greeting: string | null;
  protocol: string;
}

export interface ConformanceOptions {
  protocols?: string[];
  headers?: Record<string, string>;
  origin?: string;
  localAddress?: string;
  /** Size of the probe message, as the run will send it (`--payload-size`). */
  payloadBytes?: number;
  /** A missing binary echo fails the check instead of warning: for a run that sends binary. */
  requireBinary?: boolean;
  /** What the run will send: the probe goes out as an echo or a broadcast, plain or shootout JSON. */
  pattern?: 'echo' | 'broadcast';
  format?: 'plain' | 'shootout';
  /** The run's opening conversation: checked instead of waiting for a greeting. */
  opening?: OpeningStep[];
  /** A templated run: one templated message's reply, found by its rule, instead of the text and probe checks. */
  message?: MessageTemplateConfig;
}

/** The probe's size: the run's, or the load's default. */
export function probeBytes(opts: ConformanceOptions): number {
  return opts.payloadBytes ?? LOAD_DEFAULTS.payloadBytes;
}
