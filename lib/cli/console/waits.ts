/** Why queued runs wait (lib/domain/queueWait.ts), read for the runs on a page and said in words. */

import { type QueueWait, queueWait } from '../../domain/queueWait.ts';
import type { Attempt, Run } from '../../domain/run.ts';
import type { ConsoleContext } from './context.ts';
import { timeTag } from './format.ts';
import { type Html, html } from './html.ts';

/** How far into a job's line the console reads (its place is "beyond 200" after that). */
export const QUEUE_READ = 200;

/** The wait of every QUEUED run among these, with one read of slots and line per job. */
export const waitsOf = async (
  ctx: ConsoleContext,
  runs: readonly Run[],
  attempts: Map<string, Attempt> = new Map(),
): Promise<Map<string, QueueWait>> => {
  const queued = runs.filter((r) => r.status === 'QUEUED');
  const jobs = [...new Set(queued.map((r) => r.job))];
  const facts = new Map(
    await Promise.all(
      jobs.map(
        async (job) =>
          [
            job,
            {
              holders: await ctx.backend.slotHolders(job),
              queue: await ctx.backend.queuedRuns(job, QUEUE_READ),
            },
          ] as const,
      ),
    ),
  );
  const out = new Map<string, QueueWait>();
  for (const run of queued) {
    const f = facts.get(run.job);
    const job = ctx.catalog.jobs.find((j) => j.name === run.job);
    const attempt = attempts.get(run.runId);
    const w = queueWait(run, {
      holders: f?.holders ?? [],
      queue: f?.queue ?? [],
      limit: QUEUE_READ,
      now: ctx.now(),
      ...(job ? { maxConcurrent: job.maxConcurrent } : {}),
      ...(attempt ? { attempt } : {}),
    });
    if (w) out.set(run.runId, w);
  }
  return out;
};

const ordinal = (n: number): string => {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
};

/** The wait in words, each reason one line. */
export const waitText = (w: QueueWait): Html => {
  const lines: Html[] = [];
  if (w.backoffUntil) lines.push(html`retry back-off until ${timeTag(w.backoffUntil)}`);
  if (w.slotsFull)
    lines.push(
      html`all ${w.slotsFull.max} slot${w.slotsFull.max === 1 ? '' : 's'} held${
        w.slotsFull.holders.length > 0
          ? html` by ${w.slotsFull.holders.slice(0, 5).map((id, i) => html`${i > 0 ? ', ' : ''}<a href="/runs/${id}">${id}</a>`)}${
              w.slotsFull.holders.length > 5 ? ` and ${w.slotsFull.holders.length - 5} more` : ''
            }`
          : ''
      }`,
    );
  if (w.place)
    lines.push(
      'beyond' in w.place
        ? html`behind more than ${w.place.beyond} queued runs`
        : html`${ordinal(w.place.position)} of ${w.place.of}${w.place.more ? '+' : ''} in line`,
    );
  if (w.launch)
    lines.push(
      html`launch given back ${w.launch.tries} time${w.launch.tries === 1 ? '' : 's'}${w.launch.lastError ? html` (last: ${w.launch.lastError})` : ''}`,
    );
  if (lines.length === 0) lines.push(html`waiting for the launcher`);
  return html`<span class="wait">${lines.map((l, i) => html`${i > 0 ? html`<br>` : ''}${l}`)}</span>`;
};
