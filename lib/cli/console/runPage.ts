/**
 * One run: its trigger, its attempts on a timeline (queued, provisioning, running, stopped, with
 * capacity and size), every decision with its rule and diagnosis, exit and stop codes per container,
 * what decided (lib/domain/attemptSummary.ts), its logs, the alert that went out, the cost estimate;
 * and the actions (retry, cancel), each confirmed in a dialog, its answer shown. While the run is
 * active the page script keeps the live part fresh (`/runs/<id>/body`).
 *
 * A failed run's page quotes the deciding container's last log lines (as the alert does) and names
 * the `runs logs` command for all of them; retry offers the changes the job allows (`retryChanges`).
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../../catalog/schema.ts';
import { type AttemptSummary, summarizeAttempt } from '../../domain/attemptSummary.ts';
import { costBasis, formatCost } from '../../domain/cost.ts';
import type { QueueWait } from '../../domain/queueWait.ts';
import { type Attempt, isFinal, originalTrigger, type Run } from '../../domain/run.ts';
import { ALERT_TYPES, type AlertType, publishKey, triggerSummary } from '../../domain/runEvents.ts';
import type { RunHistory } from '../backends.ts';
import type { FailureExcerpt } from '../failureExcerpt.ts';
import { attemptCost, logsOf } from '../views.ts';
import { type Segment, timelineBar } from './charts.ts';
import type { ConsoleContext, PageRequest } from './context.ts';
import { duration, secondsBetween, statusBadge, taskSize, timeTag } from './format.ts';
import { type Html, html } from './html.ts';
import { layout } from './layout.ts';
import { waitsOf, waitText } from './waits.ts';

type Field = [string, Html | string | number | undefined];

const fields = (rows: readonly Field[]): Html =>
  html`<dl class="fields">${rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;

const triggerFields = (run: Run): Field[] => {
  const t = run.trigger;
  const o = originalTrigger(t);
  const rows: Field[] = [['trigger', triggerSummary(t)]];
  if (t.type === 'retry')
    rows.push(['retry of', html`<a href="/runs/${t.of}">${t.of}</a>${t.requestedBy ? ` by ${t.requestedBy}` : ''}`]);
  if (o.type === 's3') {
    rows.push(['object', html`<code>s3://${o.bucket}/${o.key}</code>`]);
    if (o.size !== undefined) rows.push(['size', `${o.size} bytes`]);
    if (o.versionId) rows.push(['version', o.versionId]);
    if (o.eventTime) rows.push(['uploaded', timeTag(o.eventTime)]);
  } else if (o.type === 'batch') {
    rows.push(
      ['batch', `${o.seq}: ${o.objects} objects, ${o.bytes} bytes, from s3://${o.bucket}`],
      ['closed', html`${o.reason}, ${timeTag(o.sealedAt)}`],
      ['manifest', 'uri' in o.manifest ? html`<code>${o.manifest.uri}</code>` : 'inline (LONGSHORE_MANIFEST)'],
    );
  } else if (o.type === 'schedule') {
    rows.push(['schedule', o.schedule], ['scheduled for', timeTag(o.scheduledTime)]);
  } else if (o.type === 'after') {
    rows.push([
      'after',
      html`<a href="/runs/${o.upstream.runId}">${o.upstream.runId}</a> (${o.upstream.job} ${o.upstream.status})`,
    ]);
  } else if (o.type === 'event') {
    rows.push(['event', html`<code>${o.source} ${o.detailType}</code> ${o.eventId}`]);
  } else if (o.type === 'sqs') {
    rows.push(['message', html`<code>${o.queue}</code> ${o.messageId}`]);
  } else if (o.requestedBy) rows.push(['requested by', o.requestedBy]);
  return rows;
};

const alertKinds: Record<Exclude<AlertType, 'Schedule Missed'>, 'FAILED' | 'TIMED_OUT'> = {
  'Run Failed': 'FAILED',
  'Run Timed Out': 'TIMED_OUT',
};

/**
 * The alert of a run's final failure: the run records the run event it published (`published`);
 * the alert function sends that event along the job's route, as lib/alert.ts chooses it (route by
 * name, else `default`; only the kinds it lists). Issue 9 makes alerts exactly once with a record
 * of each: this is where that record is read when it exists.
 */
export const alertOf = (catalog: Catalog, run: Run): Html | undefined => {
  const type = ALERT_TYPES.find(
    (t): t is keyof typeof alertKinds => t in alertKinds && run.published.includes(publishKey(t, run.attempt)),
  );
  if (!type) {
    if (run.status === 'FAILED' || run.status === 'TIMED_OUT')
      return html`no alert event recorded yet (the run event is published after the run is final, and retried until it is)`;
    return undefined;
  }
  const job = catalog.jobs.find((j) => j.name === run.job);
  const routeName = job ? job.alerts : 'default';
  if (routeName === false) return html`${type} published; the job has <code>alerts: false</code>: no alert`;
  const route = catalog.alerts[routeName] ?? catalog.alerts.default;
  if (!route) return html`${type} published; no alert route '${routeName}' in the catalog`;
  if (!route.on.includes(alertKinds[type]))
    return html`${type} published; route '${routeName}' does not alert on ${alertKinds[type]}`;
  const to = [
    route.sns ? 'the SNS alert topic' : undefined,
    route.webhookSecret ? `the webhook in secret '${route.webhookSecret}'` : undefined,
  ].filter((x): x is string => x !== undefined);
  return html`${type} (attempt ${run.attempt}) went out along route '${routeName}' to ${to.length > 0 ? to.join(' and ') : 'nowhere (the route has no channel)'}`;
};

/** Queued, provisioning and running segments of each attempt, over the run's life. */
const timeline = (
  run: Run,
  attempts: readonly Attempt[],
  summaries: readonly AttemptSummary[],
  now: Date,
): Html | undefined => {
  if (attempts.length === 0) return undefined;
  const t = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);
  const start = Date.parse(run.createdAt);
  const ends = attempts.map(
    (a) => t(a.stoppedAt) ?? (summaries[attempts.indexOf(a)]?.ended ? t(a.launchRequestedAt) : now.getTime()),
  );
  const end = Math.max(start + 1000, ...ends.map((e) => e ?? start), t(run.finishedAt) ?? 0);
  const rows = attempts.map((a, i) => {
    const s = summaries[i] as AttemptSummary;
    const prev = attempts[i - 1];
    const queuedFrom = i === 0 ? start : (t(prev?.stoppedAt) ?? t(prev?.launchRequestedAt) ?? start);
    const launch = t(a.launchRequestedAt) ?? queuedFrom;
    const started = t(a.startedAt);
    const stopped = t(a.stoppedAt) ?? (s.ended ? launch : undefined);
    const segments: Segment[] = [];
    const span = (from: number, to: number) => duration((to - from) / 1000) ?? '';
    if (launch > queuedFrom)
      segments.push({ kind: 'queued', from: queuedFrom, to: launch, title: `queued ${span(queuedFrom, launch)}` });
    const provisionedTo = started ?? stopped ?? now.getTime();
    segments.push({
      kind: 'provisioning',
      from: launch,
      to: provisionedTo,
      title: `provisioning ${span(launch, provisionedTo)}`,
    });
    if (started !== undefined) {
      const ranTo = stopped ?? now.getTime();
      segments.push({ kind: 'running', from: started, to: ranTo, title: `running ${span(started, ranTo)}` });
    }
    const ok = a.decision ? a.decision.action === 'succeed' || a.decision.action === 'ignore' : s.exitCode === 0;
    const stop =
      stopped !== undefined
        ? {
            at: stopped,
            ok,
            title: `stopped${a.stopCode ? ` (${a.stopCode})` : ''}${a.decision ? `: ${a.decision.action} [${a.decision.rule}]` : ''}`,
          }
        : undefined;
    return html`<div class="tl-row"><div class="tl-label">#${a.attempt} ${a.capacityProvider} · ${taskSize(a.cpu, a.memory)}</div>${timelineBar(segments, start, end, stop)}</div>`;
  });
  return html`<figure class="timeline">${rows}<figcaption><span>${timeTag(run.createdAt)}</span><span class="legend"><i class="tl-queued"></i>queued <i class="tl-provisioning"></i>provisioning <i class="tl-running"></i>running <i class="tl-bad"></i>stopped</span><span>${timeTag(new Date(end).toISOString())}</span></figcaption></figure>`;
};

const containersTable = (a: Attempt): Html | undefined => {
  const cs = a.containers ?? [];
  if (cs.length === 0) return undefined;
  return html`<table class="containers"><thead><tr><th>container</th><th>essential</th><th class="num">exit</th><th>reason</th></tr></thead><tbody>${cs.map(
    (c) =>
      html`<tr><td>${c.name}</td><td>${c.essential === false ? 'no' : 'yes'}</td><td class="num">${c.exitCode ?? '–'}</td><td>${c.reason ?? ''}</td></tr>`,
  )}</tbody></table>`;
};

/**
 * Where the attempt's logs are: the CloudWatch stream of the container that decided, or on the
 * local store the file the simulated task wrote (none when the simulation ran no command: a link
 * to CloudWatch would lead nowhere).
 */
const logsCell = (a: Attempt, s: AttemptSummary, localLogsDir: string | undefined): Html | string | undefined => {
  if (s.ended && !s.started) return 'none: the task did not start, so it has no log stream';
  const where = logsOf(a, localLogsDir);
  if (!where) return undefined;
  const of = s.deciding ? ` (container '${s.deciding.name}')` : '';
  if (localLogsDir && where.startsWith('https://'))
    return s.ended ? 'no local log file: the simulated task ran no command' : 'not yet';
  return where.startsWith('https://')
    ? html`<a href="${where}" target="_blank" rel="noopener noreferrer">CloudWatch Logs${of}</a>`
    : html`<code>${where}</code>${of}`;
};

/**
 * The last log lines of the container that decided (ConsoleContext.logExcerpt: a failed run's last
 * attempt, as its alert quotes them), escaped as they are, with the command that shows all of them.
 */
const excerptBlock = (excerpt: FailureExcerpt | undefined, a: Attempt): Html | undefined => {
  if (!excerpt || excerpt.attempt !== a.attempt || excerpt.lines.length === 0) return undefined;
  const n = excerpt.lines.length;
  return html`<figure class="log-excerpt"><figcaption>last ${n} log line${n === 1 ? '' : 's'} of container '${excerpt.container}'</figcaption><pre>${excerpt.lines.join('\n')}</pre></figure>`;
};

/** The CLI command that prints (or follows) every log line of an attempt: `runs logs`. */
const logsCommand = (ctx: ConsoleContext, run: Run, a: Attempt): Html =>
  html`<code>npx longshore${ctx.backend.local ? '' : ` --stage ${ctx.stage}`} runs logs ${run.runId} --attempt ${a.attempt}</code>`;

const decidedBy = (s: AttemptSummary): string | undefined => {
  if (!s.ended) return undefined;
  if (!s.hasTask) return 'RunTask: no task was created';
  if (!s.deciding) return undefined;
  const code = s.exitCode !== undefined ? `exit ${s.exitCode}` : 'no exit code';
  return `container '${s.deciding.name}': ${s.started ? code : `did not start, ${code}`}`;
};

const attemptSection = (
  ctx: ConsoleContext,
  run: Run,
  a: Attempt,
  s: AttemptSummary,
  wait: QueueWait | undefined,
  excerpt: FailureExcerpt | undefined,
): Html => {
  const cost = attemptCost(ctx.catalog, run, a);
  const notStarted = s.ended && !s.started;
  const d = a.decision;
  return html`<section class="attempt" id="attempt-${a.attempt}">
<h3>Attempt ${a.attempt} ${statusBadge(a.status)}${d ? html` <span class="decision-tag">${d.action} <span class="rule">[${d.rule}]</span></span>` : ''}</h3>
${fields([
  ['capacity', `${a.capacityProvider}, ${taskSize(a.cpu, a.memory)}`],
  ['task', a.taskArn ? html`<code>${a.taskArn}</code>` : undefined],
  ['launch asked', timeTag(a.launchRequestedAt)],
  [
    'launch tries',
    a.launchTries > 1 || a.lastLaunchError
      ? `${a.launchTries}${a.lastLaunchError ? ` (last error: ${a.lastLaunchError})` : ''}`
      : undefined,
  ],
  ['waiting', wait && run.attempt === a.attempt ? waitText(wait) : undefined],
  ['task created', timeTag(a.taskCreatedAt)],
  [
    'started',
    s.started
      ? timeTag(a.startedAt)
      : s.ended
        ? html`did not start (${s.hasTask ? (a.stopCode ? `stop code ${a.stopCode}` : 'no stop code') : 'RunTask created no task'})`
        : 'not yet',
  ],
  ['stopped', timeTag(a.stoppedAt)],
  [
    'ran for',
    s.durationSeconds !== undefined ? duration(s.durationSeconds) : notStarted ? 'none (did not start)' : undefined,
  ],
  ['decided by', decidedBy(s)],
  ['stop code', a.stopCode],
  ['reason', a.stoppedReason ?? a.launchFailure],
  ['spot notice', timeTag(a.spotNoticeAt)],
])}
${containersTable(a)}
${
  d
    ? html`<div class="decision"><h4>Decision: ${d.action} <span class="rule">[rule ${d.rule}]</span></h4>${fields([
        ['diagnosis', d.diagnosis],
        ['next', d.next],
        ['after', d.delaySeconds !== undefined ? duration(d.delaySeconds) : undefined],
      ])}</div>`
    : ''
}
${fields([
  ['logs', logsCell(a, s, ctx.localLogsDir)],
  ['all log lines', s.started ? logsCommand(ctx, run, a) : undefined],
  ['log excerpt', excerptBlock(excerpt, a)],
  [
    'cost',
    notStarted && cost === 0
      ? 'none (did not start)'
      : cost !== undefined
        ? `${formatCost(cost)} (estimate)`
        : undefined,
  ],
])}
</section>`;
};

/**
 * The changes a retry may carry, as the job's override policy allows them (lib/domain/overrides.ts
 * checks them again in control): a size, variables, a command. A template the page script puts in
 * the confirm dialog; nothing when the job allows no change.
 */
const retryChanges = (catalog: Catalog, run: Run): Html | undefined => {
  const policy = catalog.jobs.find((j) => j.name === run.job)?.overrides;
  if (!policy) return undefined;
  const names = policy.environment === true ? 'any name' : Array.isArray(policy.environment) ? policy.environment : [];
  const env = names === 'any name' || names.length > 0;
  if (!policy.size && !env && !policy.command) return undefined;
  const size =
    run.overrides?.cpu || run.overrides?.memory
      ? { cpu: run.overrides.cpu ?? run.size.cpu, memory: run.overrides.memory ?? run.size.memory }
      : run.size;
  return html`<template id="retry-changes"><fieldset class="changes"><legend>Changes for the new run (optional)</legend>${
    policy.size
      ? html`<label>cpu units <input name="cpu" type="text" inputmode="numeric" placeholder="${size.cpu}" size="6"></label> <label>memory MiB <input name="memory" type="text" inputmode="numeric" placeholder="${size.memory}" size="7"></label>`
      : ''
  }${
    env
      ? html`<label class="wide">environment, one <code>NAME=value</code> per line (${names === 'any name' ? 'any name' : (names as string[]).join(', ')})<textarea name="environment" rows="3" spellcheck="false"></textarea></label>`
      : ''
  }${
    policy.command
      ? html`<label class="wide">command, as a JSON array <input name="command" type="text" spellcheck="false" placeholder='["python", "main.py"]'></label>`
      : ''
  }</fieldset></template>`;
};

/** A final fan-out parent with children that did not succeed: how many `runs retry --failed` would run. */
const unsucceeded = (h: RunHistory): number =>
  h.children && isFinal(h.run.status) ? h.children.total - (h.children.counts.SUCCEEDED ?? 0) : 0;

/**
 * Retry (a final run; a fan-out parent also "retry failed items") or cancel (an active one): a
 * button, a dialog that confirms, a place for the answer.
 */
const actions = (catalog: Catalog, h: RunHistory): Html => {
  const { run } = h;
  const final = isFinal(run.status);
  // A client token per page view: a second click (or a repeated request) finds the same new run;
  // the page script adds the changes' digest, so a retry with other changes is another run.
  const token = `console-${randomUUID()}`;
  const failedItems = unsucceeded(h);
  return html`<div class="actions">${
    final
      ? html`<button type="button" data-action="retry" data-run="${run.runId}" data-token="${token}" data-confirm="Retry run ${run.runId}? A new run starts with the same trigger (${triggerSummary(run.trigger)}).">Retry…</button>${
          failedItems > 0
            ? html` <button type="button" data-action="retry" data-failed="1" data-run="${run.runId}" data-token="${token}-failed" data-confirm="Retry the ${String(failedItems)} items of run ${run.runId} that did not succeed? A new fan-out run starts with only their items.">Retry failed items…</button>`
            : ''
        }${retryChanges(catalog, run) ?? ''}`
      : run.status !== 'CANCELLING'
        ? html`<button type="button" class="danger" data-action="cancel" data-run="${run.runId}" data-confirm="Cancel run ${run.runId}? Its task is stopped; the run ends CANCELLED.">Cancel…</button>`
        : html`<span class="muted">cancelling: waiting for the task to stop</span>`
  }</div>`;
};

/**
 * A fan-out parent's children: how many ended in each status, how many have not, and the first
 * failed ones with their decisions (the tally holds every index; `runs retry --failed` uses it).
 */
const childrenSection = (h: RunHistory): Html | string => {
  const c = h.children;
  if (!c) return '';
  const notEnded = c.total - c.counted;
  const counts = Object.entries(c.counts).sort(([a], [b]) => (a < b ? -1 : 1));
  return html`<h2>Children</h2>
<p class="children-counts">${String(c.total)} children (${String(c.tolerated)} failures tolerated): ${
    counts.length > 0
      ? counts.map(([status, n], i) => html`${i > 0 ? ', ' : ''}${String(n)} ${statusBadge(status as Run['status'])}`)
      : 'none ended yet'
  }${notEnded > 0 ? `; ${notEnded} not ended` : ''}${c.created < c.total ? `; ${c.created} created so far` : ''}</p>${
    c.failed.length > 0
      ? html`<table class="children-failed"><thead><tr><th>index</th><th>run</th><th>status</th><th>decision</th></tr></thead><tbody>${c.failed.map(
          (f) =>
            html`<tr><td>${String(f.index)}</td><td><a href="/runs/${f.runId}"><code>${f.runId}</code></a></td><td>${statusBadge(f.status as Run['status'])}</td><td>${f.decision ?? ''}</td></tr>`,
        )}</tbody></table>${c.moreFailed > 0 ? html`<p class="muted">and ${String(c.moreFailed)} more failed children</p>` : ''}`
      : ''
  }`;
};

/** The live part of the page (what `/runs/<id>/body` answers, to replace it). */
export const runLive = async (ctx: ConsoleContext, h: RunHistory): Promise<Html> => {
  const { run, attempts } = h;
  const summaries = attempts.map((a) => summarizeAttempt(a));
  const current = attempts.find((a) => a.attempt === run.attempt);
  const waits = await waitsOf(ctx, [run], current ? new Map([[run.runId, current]]) : undefined);
  const wait = waits.get(run.runId);
  const costs = attempts.map((a) => attemptCost(ctx.catalog, run, a));
  const total = costs.some((c) => c !== undefined) ? costs.reduce<number>((s, c) => s + (c ?? 0), 0) : undefined;
  const noneStarted = summaries.length > 0 && summaries.every((s) => s.ended && !s.started);
  const retries = run.retries;
  const excerpt = await ctx.logExcerpt(h);
  return html`<div id="run-live"${isFinal(run.status) ? '' : html` data-poll="/runs/${run.runId}/body"`}>
<div class="run-head"><h1><span class="muted">Run</span> <code>${run.runId}</code> ${statusBadge(run.status)}</h1>${actions(ctx.catalog, h)}</div>
${fields([
  ['job', html`<a href="/runs?job=${run.job}">${run.job}</a>`],
  ...triggerFields(run),
  ['created', timeTag(run.createdAt)],
  ['finished', timeTag(run.finishedAt)],
  ['took', duration(secondsBetween(run.createdAt, run.finishedAt, ctx.now()))],
  [
    'attempts',
    `${run.attempt} (retries used: ${retries.app} application, ${retries.infra} infrastructure${Object.entries(
      retries.rules,
    )
      .map(([k, v]) => `, ${v} ${k}`)
      .join('')})`,
  ],
  ['waiting', wait ? waitText(wait) : undefined],
  [run.status === 'SUCCEEDED' ? 'outcome' : 'reason', run.reason],
  [
    'result',
    run.result !== undefined
      ? html`<code>${run.result}</code>`
      : run.resultError
        ? `none: ${run.resultError}`
        : undefined,
  ],
  [
    'overrides',
    run.overrides
      ? [
          run.overrides.environment?.length
            ? `environment ${run.overrides.environment.map((e) => e.name).join(', ')}`
            : undefined,
          run.overrides.command ? 'command' : undefined,
          run.overrides.image ? `image ${run.overrides.image}` : undefined,
          run.overrides.imageTag ? `image tag ${run.overrides.imageTag}` : undefined,
          run.overrides.cpu || run.overrides.memory
            ? `size ${taskSize(run.overrides.cpu ?? run.size.cpu, run.overrides.memory ?? run.size.memory)}`
            : undefined,
        ]
          .filter(Boolean)
          .join('; ')
      : undefined,
  ],
  [
    'parent',
    run.parent
      ? html`<a href="/runs/${run.parent.runId}">${run.parent.runId}</a> (child ${String(run.parent.index)} of ${String(run.parent.count)}; items <code>${run.parent.items}</code>)`
      : undefined,
  ],
  [
    'retries items of',
    run.itemsOf
      ? html`<a href="/runs/${run.itemsOf.runId}">${run.itemsOf.runId}</a>: the ${String(run.itemsOf.indices.length)} children that did not succeed`
      : undefined,
  ],
  ['alert', alertOf(ctx.catalog, run)],
  [
    'cost',
    noneStarted
      ? 'none (no task started)'
      : total !== undefined
        ? `${formatCost(total)} (estimate: ${costBasis(attempts)})`
        : undefined,
  ],
])}
${childrenSection(h)}
<h2>Attempts</h2>
${timeline(run, attempts, summaries, ctx.now())}
${attempts.map((a, i) => attemptSection(ctx, run, a, summaries[i] as AttemptSummary, wait, excerpt))}
${attempts.length === 0 ? html`<p class="muted">No attempt yet: the run waits for its launch.</p>` : ''}
</div>`;
};

export const runPage = async (ctx: ConsoleContext, req: PageRequest, h: RunHistory): Promise<Html> =>
  layout(ctx, req, {
    title: `Run ${h.run.runId}`,
    section: 'runs',
    body: html`${await runLive(ctx, h)}
<p id="action-result" role="status" aria-live="polite"></p>
<dialog id="confirm"><form method="dialog"><p class="confirm-text"></p><div class="overrides"></div><menu><button value="cancel" type="submit">Back</button> <button value="ok" type="submit" class="primary">Confirm</button></menu></form></dialog>`,
  });
