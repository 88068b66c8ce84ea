/**
 * The one HTML escaper, and a tagged template that escapes by default: in html`<td>${name}</td>`
 * every interpolation is escaped unless it is markup made by html`…` or marked raw(…). Reports,
 * the capacity page and the dashboard use it; the dashboard's page script inlines escapeHtml's
 * source, so it has no imports.
 */

/** The five characters that matter in HTML text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Markup that is inserted as it is: made by html`…` or vouched for with raw(). */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Markup written by the code itself (a style sheet, a script, a chart built from numbers): not escaped. */
export function raw(text: string): Markup {
  return new Markup(text);
}

type Interpolation = string | number | Markup | null | undefined | false | readonly Interpolation[];

function piece(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return (value as readonly Interpolation[]).map(piece).join('');
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped (lists are joined, null/undefined/false leave nothing). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  return new Markup(strings.reduce((out, s, i) => out + s + (i < values.length ? piece(values[i]) : ''), ''));
}
