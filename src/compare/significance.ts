/**
 * compare's verdicts: at each tier, every server against the baseline server, figure by figure
 * (src/result/figure-comparison.ts), as the rows of compare.json.
 */
import { COMPARED_FIGURES, compareFigure, type ServerComparison } from '../result/figure-comparison.js';
import type { ResultDocument } from '../contract/result.js';

export function compareServers(docs: readonly ResultDocument[], baseline: string): ServerComparison[] {
  const labelled = docs.filter((d) => d.label);
  const tiers = [...new Set(labelled.map((d) => d.label!.tier))];
  const servers = [...new Set(labelled.map((d) => d.label!.server))].filter((s) => s !== baseline);
  const out: ServerComparison[] = [];
  for (const tier of tiers) {
    const of = (server: string) => labelled.filter((d) => d.label!.tier === tier && d.label!.server === server);
    const base = of(baseline);
    if (!base.length) continue;
    for (const server of servers) {
      const mine = of(server);
      if (!mine.length) continue;
      for (const { figure, metric } of COMPARED_FIGURES) {
        const c = compareFigure(base, mine, metric);
        if (c) out.push({ tier, server, baseline, figure, metric, ...c });
      }
    }
  }
  return out;
}
