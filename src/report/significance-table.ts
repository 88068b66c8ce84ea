/**
 * compare's verdicts as text, Markdown and HTML: `bun vs node p99 0.58× [0.51–0.66] faster`, `~`
 * for no significant difference, `unknown` when the repeats are too few for any verdict.
 */
import { SIGNIFICANCE_LEVEL } from '../stats/compare-samples.js';
import type { ServerComparison } from '../result/figure-comparison.js';
import { html } from './html.js';
import { msFromUs } from '../core/ms-text.js';

export const SINGLE_RUN_NOTE = 'single run: no significance';

function ratioText(r: number | null): string {
  if (r === null) return '-';
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

export function verdictText(c: ServerComparison): string {
  const v = c.verdict === 'same' ? '~' : c.verdict;
  return c.belowHostFloorUs === undefined ? v : `${v} (below host floor ${msFromUs(c.belowHostFloorUs, 2)} ms)`;
}

export function ratioWithInterval(c: ServerComparison): string {
  const ci = c.ciLow !== null && c.ciHigh !== null ? ` [${ratioText(c.ciLow)}–${ratioText(c.ciHigh)}]` : '';
  return `${ratioText(c.ratio)}×${ci}`;
}

/** `bun vs node p99 0.58× [0.51–0.66] faster`. */
export function comparisonLine(c: ServerComparison): string {
  return `${c.server} vs ${c.baseline} ${c.figure} ${ratioWithInterval(c)} ${verdictText(c)}`;
}

function pText(p: number | null): string {
  return p === null ? '-' : p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** What the reader must know to read the verdicts; says so when every set is a single run. */
export function significanceNote(comparisons: readonly ServerComparison[]): string {
  if (comparisons.length && comparisons.every((c) => c.n <= 1 && c.nBaseline <= 1)) return SINGLE_RUN_NOTE;
  return `B/A ratio (Hodges–Lehmann) with its 95 % interval; verdict by a Mann–Whitney U test over the repeats at p < ${SIGNIFICANCE_LEVEL}; ~ = no significant difference; unknown = too few repeats for a verdict (see docs/significance.md)`;
}

/** Terminal text: one line per comparison under a tier heading. Empty when there is nothing to compare. */
export function significanceText(comparisons: readonly ServerComparison[]): string {
  if (!comparisons.length) return '';
  const lines = [`significance: ${significanceNote(comparisons)}`];
  for (const tier of new Set(comparisons.map((c) => c.tier))) {
    lines.push(`  ${tier}:`);
    for (const c of comparisons.filter((x) => x.tier === tier)) lines.push(`    ${comparisonLine(c)}   (p ${pText(c.p)}, n ${c.n} vs ${c.nBaseline})`);
  }
  return lines.join('\n') + '\n';
}

const HEADERS = ['tier', 'server', 'vs', 'figure', 'ratio [95 % CI]', 'verdict', 'p', 'n'];

function cells(c: ServerComparison): string[] {
  return [c.tier, c.server, c.baseline, c.figure, ratioWithInterval(c), verdictText(c), pText(c.p), `${c.n} vs ${c.nBaseline}`];
}

export function significanceMarkdown(comparisons: readonly ServerComparison[]): string {
  if (!comparisons.length) return '';
  return [
    '',
    '#### Significance',
    '',
    significanceNote(comparisons),
    '',
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map(() => ' --- ').join('|')}|`,
    ...comparisons.map((c) => `| ${cells(c).join(' | ')} |`),
    '',
  ].join('\n');
}

export function significanceHtml(comparisons: readonly ServerComparison[]): string {
  if (!comparisons.length) return '';
  const rows = comparisons.map(
    (c) =>
      html`<tr>
        ${cells(c).map((x) => html`<td class="text">${x}</td>`)}
      </tr>`,
  );
  return html`<h2>Significance</h2>
    <p>${significanceNote(comparisons)}</p>
    <table class="significance">
      <thead>
        <tr>
          ${HEADERS.map((h) => html`<th>${h}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map((r) => html`${r} `)}
      </tbody>
    </table>`.text;
}
