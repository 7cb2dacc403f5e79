/** How values read on the console's pages: times, durations, statuses, sizes. One way each. */
import { formatDuration } from '../../domain/duration.ts';
import { formatCpu, formatMemory } from '../../domain/fargateSizes.ts';
import { type Html, html } from './html.ts';

/**
 * A time as the server knows it (UTC, to the second); the page script shows it in the browser's
 * own zone and as an age ("3m ago"), keeping the UTC time as the tooltip.
 */
export const timeTag = (iso: string | undefined): Html | undefined => {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return html`${iso}`;
  const utc = `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return html`<time datetime="${new Date(ms).toISOString()}" title="${utc}">${utc}</time>`;
};

/** Seconds between two ISO times (to now when `to` is missing). */
export const secondsBetween = (from: string | undefined, to: string | undefined, now: Date): number | undefined => {
  if (!from) return undefined;
  const ms = (to ? Date.parse(to) : now.getTime()) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms / 1000) : undefined;
};

/** "1m 5s", "0.4s", or undefined. */
export const duration = (seconds: number | undefined): string | undefined =>
  seconds === undefined ? undefined : seconds < 10 ? `${seconds.toFixed(1)}s` : formatDuration(Math.round(seconds));

export const statusBadge = (status: string): Html =>
  html`<span class="st st-${status.toLowerCase().replace(/_/g, '-')}">${status}</span>`;

export const taskSize = (cpu: number, memory: number): string => `${formatCpu(cpu)}, ${formatMemory(memory)}`;

export const percent = (ratio: number | undefined): string =>
  ratio === undefined ? '–' : `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 1)}%`;
