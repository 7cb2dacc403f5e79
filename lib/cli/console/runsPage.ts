/**
 * The Runs page: runs across jobs, newest first, filtered by job, status, trigger and time; the
 * first page stays live (the page script polls its fragment, `/runs/rows`, with back-off), and a
 * queued run says why it waits.
 */
import type { QueueWait } from '../../domain/queueWait.ts';
import { RUN_STATUSES, type Run } from '../../domain/run.ts';
import { triggerSummary } from '../../domain/runEvents.ts';
import { TRIGGER_KINDS } from '../../domain/runFilter.ts';
import type { ConsoleContext, PageRequest } from './context.ts';
import { duration, secondsBetween, statusBadge, timeTag } from './format.ts';
import { type Html, html } from './html.ts';
import { layout } from './layout.ts';
import { PAGE_SIZES, type RunsParams, runsParams } from './params.ts';
import { waitsOf, waitText } from './waits.ts';

const STATUS_CHOICES: [string, string][] = [
  ['', 'any status'],
  ['QUEUED,STARTING,RUNNING,CANCELLING', 'active'],
  ['FAILED,TIMED_OUT', 'failed or timed out'],
  ...RUN_STATUSES.map((s): [string, string] => [s, s]),
];

const options = (choices: readonly (readonly [string, string])[], selected: string | undefined): Html[] =>
  choices.map(
    ([value, label]) =>
      html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`,
  );

const filterForm = (ctx: ConsoleContext, p: RunsParams): Html => {
  const q = p.query;
  return html`<form class="filters" method="get" action="/runs" role="search">
<label>Job <select name="job">${options([['', 'all jobs'], ...ctx.catalog.jobs.map((j): [string, string] => [j.name, j.name])], p.job)}</select></label>
<label>Status <select name="status">${options(STATUS_CHOICES, p.status)}</select></label>
<label>Trigger <select name="kind">${options([['', 'any'], ...TRIGGER_KINDS.map((k): [string, string] => [k, k])], q.get('kind') ?? '')}</select></label>
<label class="wide">Key prefix or text <input name="trigger" value="${q.get('trigger') ?? ''}" placeholder="incoming/globex or s3://bucket/prefix" maxlength="1024"></label>
<label>Since <input name="since" value="${q.get('since') ?? ''}" placeholder="2h, 7d, 2026-11-22" size="12"></label>
<label>Until <input name="until" value="${q.get('until') ?? ''}" placeholder="2026-11-22T09:00Z" size="12"></label>
<label>Show <select name="limit">${options(
    PAGE_SIZES.map((n): [string, string] => [String(n), String(n)]),
    String(p.limit),
  )}</select></label>
<button type="submit">Apply</button> <a href="/runs">Clear</a>
</form>`;
};

/** The last outcome, or for a run still going what it is doing (and a queued run why it waits). */
const nowCell = (ctx: ConsoleContext, run: Run, wait: QueueWait | undefined): Html => {
  if (run.status === 'QUEUED') return wait ? waitText(wait) : html`waiting for the launcher`;
  if (run.status === 'PAUSED') return html`held: job ${run.job} is paused (jobs resume ${run.job})`;
  if (run.status === 'STARTING') return html`provisioning`;
  if (run.status === 'RUNNING')
    return html`running for ${duration(secondsBetween(run.startedAt ?? run.updatedAt, undefined, ctx.now()))}`;
  const o = run.outcome;
  if (o)
    return html`${o.exitCode !== undefined ? `exit ${o.exitCode} ` : ''}${o.action ?? ''}${o.rule ? html` <span class="rule">[${o.rule}]</span>` : ''}`;
  return html`${run.reason ?? ''}`;
};

const row = (ctx: ConsoleContext, run: Run, wait: QueueWait | undefined): Html => {
  const summary = triggerSummary(run.trigger);
  const took = secondsBetween(run.createdAt, run.finishedAt, ctx.now());
  return html`<tr data-run="${run.runId}" data-status="${run.status}">
<td class="id"><a href="/runs/${run.runId}">${run.runId}</a></td>
<td>${run.job}</td>
<td>${statusBadge(run.status)}</td>
<td class="opt num">${run.attempt}</td>
<td class="opt">${timeTag(run.createdAt)}</td>
<td class="trig" title="${summary}">${summary}</td>
<td class="opt num">${duration(took)}</td>
<td class="now">${nowCell(ctx, run, wait)}</td>
</tr>`;
};

/** The live part: the table and the pager (what `/runs/rows` answers, to replace it). */
export const runsLive = async (ctx: ConsoleContext, p: RunsParams): Promise<Html> => {
  const jobs = p.job ? [p.job] : ctx.catalog.jobs.map((j) => j.name);
  const listing = await ctx.backend.runs({
    jobs,
    filter: p.filter,
    limit: p.limit,
    ...(p.cursor ? { cursor: p.cursor } : {}),
  });
  const waits = await waitsOf(ctx, listing.runs);
  const here = p.query.toString();
  const older = listing.cursor
    ? `/runs?${new URLSearchParams([...p.query, ['cursor', ctx.cursors.encode(listing.cursor)]])}`
    : undefined;
  const live = !p.cursor;
  return html`<div id="runs-live"${live ? html` data-poll="/runs/rows${here ? `?${here}` : ''}"` : ''}>
<div class="scroll"><table class="runs">
<thead><tr><th>Run</th><th>Job</th><th>Status</th><th class="opt">Att.</th><th class="opt">Created</th><th>Trigger</th><th class="opt">Took</th><th>Now / outcome</th></tr></thead>
<tbody>${
    listing.runs.length > 0
      ? listing.runs.map((r) => row(ctx, r, waits.get(r.runId)))
      : html`<tr><td colspan="8" class="empty">No runs${listing.budgetSpent ? ' among the runs read so far' : ' match'}.</td></tr>`
  }</tbody>
</table></div>
<p class="pager">${listing.runs.length} run${listing.runs.length === 1 ? '' : 's'}${
    listing.budgetSpent && listing.searchedBack
      ? html`, searched back to ${timeTag(listing.searchedBack)} (${listing.scanned} runs read)`
      : ''
  }${p.cursor ? html` · <a href="/runs${here ? `?${here}` : ''}">Newest</a>` : ''}${
    older ? html` · <a rel="next" href="${older}">${listing.budgetSpent ? 'Search further back' : 'Older'} →</a>` : ''
  }${live ? html` <span class="live" aria-live="polite"></span>` : ''}</p>
</div>`;
};

export const runsPage = async (ctx: ConsoleContext, req: PageRequest): Promise<Html> => {
  const p = runsParams(req.url.searchParams, ctx.catalog, ctx.now(), ctx.cursors);
  return layout(ctx, req, {
    title: 'Runs',
    section: 'runs',
    body: html`<h1>Runs</h1>${filterForm(ctx, p)}${await runsLive(ctx, p)}`,
  });
};

export const runsFragment = async (ctx: ConsoleContext, req: PageRequest): Promise<Html> =>
  runsLive(ctx, runsParams(req.url.searchParams, ctx.catalog, ctx.now(), ctx.cursors));
