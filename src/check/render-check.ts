import Table from 'cli-table3';
import type { CheckItem, ConformanceReport } from './conformance-report.js';

/** The pass/warn/fail table `wsbench check` prints. */
export function renderConformance(r: ConformanceReport): string {
  const t = new Table({ head: ['check', 'result', 'detail'], style: { head: [], border: [] }, wordWrap: true, colWidths: [18, 8, 70] });
  for (const c of r.checks) t.push([c.name, c.ok ? 'pass' : c.severity === 'warning' ? 'warn' : 'FAIL', c.detail]);
  const warnings = conformanceWarnings(r).length;
  return `wsbench check ${r.url}: ${r.ok ? 'PASS' : 'FAIL'}${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}\n${t.toString()}\n`;
}

/** Failed checks that do not fail the conformance check: printed on stderr beside the table or the JSON. */
export function conformanceWarnings(r: ConformanceReport): CheckItem[] {
  return r.checks.filter((c) => !c.ok && c.severity === 'warning');
}

/** One stderr line per warning, saying why it does not fail the conformance check. */
export function renderWarnings(r: ConformanceReport): string {
  return conformanceWarnings(r)
    .map(
      (c) => `wsbench: warning: ${c.name}: ${c.detail}${c.name === 'binary echo' ? '; the load sends text only, --require-binary makes this a failure' : ''}\n`,
    )
    .join('');
}
