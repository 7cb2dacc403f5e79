/**
 * The Jobs page: each job with its triggers and its schedules' next fire times, and over a chosen
 * window its runs, success rate, p50/p95 duration and retries by class (lib/domain/runStats.ts),
 * as small charts. The window's runs are read per job, newest first, up to `STATS_RUNS` (the page
 * says when it stopped there), so a long history costs a bounded read; and after the first load,
 * through the console's FinalRunCache, only the runs that may have changed since are read again.
 *
 * A paused job (`jobs pause`) says so under its name, with its held runs (`pausedOf`). The
 * window's cost is the sum of its runs' recorded `costUsd`.
 */
import type { Job, ScheduleTrigger } from '../../catalog/schema.ts';
import { formatCost } from '../../domain/cost.ts';
import type { JobState } from '../../domain/jobState.ts';
import { type RunStats, summarizeRuns } from '../../domain/runStats.ts';
import { cronOccurrences, parseScheduleExpression } from '../../domain/scheduleExpression.ts';
import { describeCapacity, describeTrigger } from '../catalogText.ts';
import { STATS_RUNS } from '../runListing.ts';
import { outcomeBars, shareBar } from './charts.ts';
import type { ConsoleContext, PageRequest } from './context.ts';
import { duration, percent, taskSize, timeTag } from './format.ts';
import { type Html, html } from './html.ts';
import { layout } from './layout.ts';
import { WINDOWS, type WindowName, windowParam } from './params.ts';

const BUCKETS: Record<WindowName, number> = { '1h': 12, '24h': 24, '7d': 28, '30d': 30 };
const WINDOW_LABEL: Record<WindowName, string> = {
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
};

/** The next fire times of a schedule (cron: the next three, in the schedule's zone; rate: its period). */
const nextFires = (t: ScheduleTrigger, now: Date): Html => {
  if (!t.enabled) return html`<span class="muted">disabled</span>`;
  const expr = parseScheduleExpression(t.expression);
  if (expr.kind === 'rate')
    return html`every ${duration(expr.everySeconds)}, counted from when the schedule was created`;
  const next = cronOccurrences(expr.cron, t.timezone, now, new Date(now.getTime() + 400 * 86400_000), 3);
  if (next.length === 0) return html`<span class="muted">no fire time in the next 400 days</span>`;
  return html`next ${next.map((d, i) => html`${i > 0 ? ', ' : ''}${timeTag(d.toISOString())}`)}`;
};

const retriesOf = (s: RunStats): Html => {
  const parts = [
    { label: 'application', value: s.retries.application, cls: 'r-app' },
    { label: 'infrastructure', value: s.retries.infrastructure, cls: 'r-infra' },
    ...Object.entries(s.retries.rules).map(([rule, value]) => ({ label: `rule ${rule}`, value, cls: 'r-rule' })),
  ];
  const total = parts.reduce((n, p) => n + p.value, 0);
  if (total === 0) return html`<span class="muted">none</span>`;
  return html`${shareBar(parts)}<span class="small">${parts
    .filter((p) => p.value > 0)
    .map((p, i) => html`${i > 0 ? ', ' : ''}<i class="${p.cls}"></i>${p.value} ${p.label}`)}</span>`;
};

/** A paused job's line: since when, how its runs are held, and how to resume it. */
const pausedOf = (job: Job, state: JobState | undefined): Html =>
  state?.paused
    ? html`<p class="paused"><strong>paused</strong> (${state.mode === 'skip' ? 'new runs are skipped' : html`new runs wait: <a href="/runs?job=${job.name}&amp;status=PAUSED">paused runs</a>`})${state.pausedAt ? html` since ${timeTag(state.pausedAt)}` : ''}${state.pausedBy ? ` by ${state.pausedBy}` : ''}; its schedules are disabled. Resume with <code>npx longshore jobs resume ${job.name}</code></p>`
    : html``;

const jobCard = (
  ctx: ConsoleContext,
  job: Job,
  stats: RunStats,
  capped: boolean,
  window: WindowName,
  state?: JobState,
): Html => {
  const failed = (stats.byStatus.FAILED ?? 0) + (stats.byStatus.TIMED_OUT ?? 0);
  const active =
    (stats.byStatus.QUEUED ?? 0) +
    (stats.byStatus.PAUSED ?? 0) +
    (stats.byStatus.STARTING ?? 0) +
    (stats.byStatus.RUNNING ?? 0) +
    (stats.byStatus.CANCELLING ?? 0);
  return html`<article class="job" id="job-${job.name}">
<h2><a href="/runs?job=${job.name}">${job.name}</a></h2>
${pausedOf(job, state)}<p class="muted small">${describeCapacity(job)} · ${taskSize(job.size.cpu, job.size.memory)} · at most ${job.maxConcurrent} at once · timeout ${job.timeout}</p>
<ul class="triggers">${job.triggers.map(
    (t) =>
      html`<li><code>${describeTrigger(t, { overlap: true })}</code>${t.type === 'schedule' ? html` <span class="fires">${nextFires(t, ctx.now())}</span>` : ''}</li>`,
  )}</ul>
<div class="stats">
<div class="figure"><span class="big">${stats.runs}${capped ? '+' : ''}</span> runs<br><span class="small">${failed > 0 ? html`<a href="/runs?job=${job.name}&amp;status=FAILED,TIMED_OUT&amp;since=${window}">${failed} failed</a>` : '0 failed'}${active > 0 ? html`, <a href="/runs?job=${job.name}&amp;status=QUEUED,PAUSED,STARTING,RUNNING,CANCELLING">${active} active</a>` : ''}</span></div>
<div class="figure"><span class="big">${percent(stats.successRate)}</span> succeeded</div>
<div class="figure"><span class="big">${duration(stats.p50Seconds) ?? '–'}</span> p50<br><span class="small">p95 ${duration(stats.p95Seconds) ?? '–'}</span></div>
${stats.costUsd !== undefined ? html`<div class="figure"><span class="big">${formatCost(stats.costUsd)}</span> cost</div>` : ''}
<div class="chart">${outcomeBars(stats.buckets, `${job.name}: runs per ${window === '1h' ? '5 minutes' : 'period'}, ${WINDOW_LABEL[window]}`)}<span class="small muted">${WINDOW_LABEL[window]}${capped ? `, latest ${STATS_RUNS} runs` : ''}</span></div>
<div class="retries"><span class="small">retries</span> ${retriesOf(stats)}</div>
</div>
</article>`;
};

export const jobsPage = async (ctx: ConsoleContext, req: PageRequest): Promise<Html> => {
  const window = windowParam(req.url.searchParams);
  const now = ctx.now();
  const from = new Date(now.getTime() - WINDOWS[window] * 1000);
  const cards = await Promise.all(
    ctx.catalog.jobs.map(async (job) => {
      const { runs, capped } = await ctx.runCache.runsInWindow(ctx.backend, job.name, from.toISOString());
      const stats = summarizeRuns(runs, { from, to: now, bucketCount: BUCKETS[window] }, (r) => r.costUsd);
      return jobCard(ctx, job, stats, capped, window, await ctx.backend.jobState(job.name));
    }),
  );
  return layout(ctx, req, {
    title: 'Jobs',
    section: 'jobs',
    body: html`<div class="page-head"><h1>Jobs</h1><nav class="windows" aria-label="window">${(
      Object.keys(WINDOWS) as WindowName[]
    ).map(
      (w) => html`<a href="/jobs?window=${w}"${w === window ? html` aria-current="true"` : ''}>${w}</a>`,
    )}</nav></div>
<p class="muted small">Over the ${WINDOW_LABEL[window]}, by creation time. Success rate: succeeded of the runs that ended by themselves (cancelled and skipped runs left out). Duration: creation to finish.</p>
<div class="jobs">${cards}</div>`,
  });
};
