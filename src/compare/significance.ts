/**
 * compare's verdicts: at each tier, every server against the baseline server, figure by figure
 * (src/result/figure-comparison.ts), as the rows of compare.json.
 */
import { COMPARED_FIGURES, compareFigure, figureValues, type ServerComparison } from '../result/figure-comparison.js';
import { median } from '../stats/median.js';
import { belowHostFloor, resolveComparable } from '../result/headline.js';
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
      for (const { figure, metric: asked } of COMPARED_FIGURES) {
        // Runs of one compare share a build and a pattern; results read back from older files may not.
        const { metric } = resolveComparable(asked, base, mine, [baseline, server]);
        const c = compareFigure(base, mine, metric);
        if (!c) continue;
        const floor = belowHostFloor(metric, base, mine, median(figureValues(mine, metric)) - median(figureValues(base, metric)));
        out.push({ tier, server, baseline, figure, metric, ...c, ...(floor === null ? {} : { belowHostFloorUs: floor }) });
      }
    }
  }
  return out;
}
