/**
 * The conformance check as a measured run uses it: the one call of runConformance outside
 * `wsbench check`. It checks what the run will send (the load config's protocols, headers, origin,
 * payload size, pattern and format, from the load's first source address), so a server that passes
 * it answers the run's probes.
 */
import { requireConformance, runConformance } from '../check/conformance.js';
import type { ConformanceReport } from '../check/conformance-report.js';
import type { Logger } from '../core/logger.js';
import type { LoadConfig } from '../profile/load-config.js';

/** Why a report fails the check: its failed checks (warnings pass), as failed-checks.json and the error message say it. */
export function failedChecksText(report: ConformanceReport): string {
  return report.checks
    .filter((c) => !c.ok && c.severity === 'fail')
    .map((c) => `${c.name}: ${c.detail}`)
    .join('; ');
}

/** Runs the check against `url` for the run `config` describes; resolves with the report, failed or not. */
export function checkConformance(url: string, config: LoadConfig, localAddress?: string): Promise<ConformanceReport> {
  return runConformance(url, {
    protocols: config.protocols,
    headers: config.headers,
    origin: config.origin,
    localAddress,
    payloadBytes: config.payloadBytes,
    // The load sends text: a missing binary echo only warns.
    requireBinary: false,
    pattern: config.pattern,
    format: config.format,
    opening: config.opening,
    message: config.message,
  });
}

/**
 * The check a run must pass: throws WSB_ERR_CONFORMANCE (its hint ends "or --no-check to
 * `noCheckDoes`") on a failure, logs each warning, and resolves with the report.
 */
export async function requireConformingTarget(
  url: string,
  config: LoadConfig,
  noCheckDoes: string,
  log: Logger,
  localAddress?: string,
): Promise<ConformanceReport> {
  const report = await checkConformance(url, config, localAddress);
  requireConformance(report, noCheckDoes);
  for (const c of report.checks) if (!c.ok) log.warn({ check: c.name }, `conformance warning: ${c.name}: ${c.detail}`);
  return report;
}
