/**
 * The console's small charts, as inline SVG made on the server: no chart library, no script. Bars
 * only (no text inside the SVG, which is stretched to its box); the labels are HTML beside them, so
 * they stay readable on a phone. Each bar has a <title>, the browser's own tooltip.
 */
import type { StatsBucket } from '../../domain/runStats.ts';
import { type Html, html } from './html.ts';

const n = (x: number): string => (Math.round(x * 100) / 100).toString();

/**
 * Runs per time bucket, stacked: succeeded, failed (or timed out), other (active, cancelled,
 * skipped).
 *
 * @example outcomeBars(stats.buckets, 'thumbnails, last 24 hours')
 */
export const outcomeBars = (buckets: readonly StatsBucket[], label: string): Html => {
  const width = 240;
  const height = 40;
  const max = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed + b.other));
  const w = width / Math.max(1, buckets.length);
  const bars = buckets.map((b, i) => {
    const x = i * w + 0.5;
    const bw = Math.max(0.5, w - 1);
    let y = height;
    const part = (count: number, cls: string) => {
      if (count === 0) return html``;
      const h = (count / max) * height;
      y -= h;
      return html`<rect class="${cls}" x="${n(x)}" y="${n(y)}" width="${n(bw)}" height="${n(h)}"></rect>`;
    };
    const total = b.succeeded + b.failed + b.other;
    return html`<g><title>${b.from.slice(0, 16).replace('T', ' ')}Z: ${total} run${total === 1 ? '' : 's'} (${b.succeeded} succeeded, ${b.failed} failed, ${b.other} other)</title><rect class="bg" x="${n(x)}" y="0" width="${n(bw)}" height="${height}"></rect>${part(b.succeeded, 'ok')}${part(b.failed, 'bad')}${part(b.other, 'other')}</g>`;
  });
  return html`<svg class="bars" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${label}">${bars}</svg>`;
};

export interface Segment {
  kind: 'queued' | 'provisioning' | 'running';
  from: number;
  to: number;
  title: string;
}

/**
 * One row of a timeline: segments over [start, end] (epoch milliseconds), and where it stopped.
 *
 * @example timelineBar([{ kind: 'running', from, to, title: 'running 1m' }], start, end, { at: to, ok: false })
 */
export const timelineBar = (
  segments: readonly Segment[],
  start: number,
  end: number,
  stop?: { at: number; ok: boolean; title: string },
): Html => {
  const span = Math.max(1, end - start);
  const x = (t: number) => ((Math.min(end, Math.max(start, t)) - start) / span) * 1000;
  const rects = segments.map(
    (s) =>
      html`<rect class="tl-${s.kind}" x="${n(x(s.from))}" y="2" width="${n(Math.max(2, x(s.to) - x(s.from)))}" height="8"><title>${s.title}</title></rect>`,
  );
  const mark = stop
    ? html`<rect class="${stop.ok ? 'tl-ok' : 'tl-bad'}" x="${n(Math.min(994, x(stop.at)))}" y="0" width="6" height="12"><title>${stop.title}</title></rect>`
    : undefined;
  return html`<svg class="tl" viewBox="0 0 1000 12" preserveAspectRatio="none" role="img" aria-label="${segments.map((s) => s.title).join('; ')}">${rects}${mark}</svg>`;
};

/** A horizontal share bar: parts of a whole, e.g. retries by class. */
export const shareBar = (parts: readonly { label: string; value: number; cls: string }[]): Html => {
  const total = parts.reduce((s, p) => s + p.value, 0);
  if (total === 0) return html``;
  let x = 0;
  const rects = parts
    .filter((p) => p.value > 0)
    .map((p) => {
      const w = (p.value / total) * 100;
      const r = html`<rect class="${p.cls}" x="${n(x)}" y="0" width="${n(w)}" height="6"><title>${p.label}: ${p.value}</title></rect>`;
      x += w;
      return r;
    });
  return html`<svg class="share" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="${parts.map((p) => `${p.label} ${p.value}`).join(', ')}">${rects}</svg>`;
};
