/**
 * HTML as the console writes it: a tagged template that escapes every value it is given, unless the
 * value is HTML made here already (`Html`). Run ids, S3 keys, reasons and event files are outside
 * input: none of them reaches a page unescaped.
 */

/** HTML made by this module: safe to put in a page as it is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

/** A value in a template: HTML as it is, lists joined, nothing for undefined/null/false. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const render = (v: HtmlValue): string => {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
};

/**
 * @example html`<td title="${run.reason}">${run.runId}</td>`
 */
export const html = (strings: TemplateStringsArray, ...values: HtmlValue[]): Html => {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
};

/** Text known to be HTML (a constant of this code, never input). */
export const trusted = (text: string): Html => new Html(text);
