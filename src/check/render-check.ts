import Table from 'cli-table3';
import type { ConformanceReport } from './conformance.js';

/** The pass/fail table `wsbench check` prints. */
export function renderConformance(r: ConformanceReport): string {
  const t = new Table({ head: ['check', 'result', 'detail'], style: { head: [], border: [] }, wordWrap: true, colWidths: [18, 8, 70] });
  for (const c of r.checks) t.push([c.name, c.ok ? 'pass' : 'FAIL', c.detail]);
  return `wsbench check ${r.url}: ${r.ok ? 'PASS' : 'FAIL'}\n${t.toString()}\n`;
}
