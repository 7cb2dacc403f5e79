/**
 * The Explain page: the policy simulator of `longshore explain` (lib/cli/explainEvent.ts decides;
 * this only shows it). Pick a sample event from the project's events/ (a link: the page is made on
 * the server) or paste one (the page script posts it and shows the answer), optionally deciding
 * with a recorded run's attempt and budgets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.ts';
import { Refused } from '../../local/flowServer.ts';
import { type Explanation, explainEvent } from '../explainEvent.ts';
import type { ConsoleContext, PageRequest } from './context.ts';
import { duration, taskSize } from './format.ts';
import { type Html, html } from './html.ts';
import { layout } from './layout.ts';
import { runIdParam } from './params.ts';

/** The sample events the page offers: the JSON files of events/ (and only those names). */
export const sampleEvents = (dir: string | undefined): string[] => {
  if (!dir) return [];
  try {
    return readdirSync(dir)
      .filter((f) => /^[a-z0-9][a-z0-9.-]*\.json$/.test(f))
      .sort();
  } catch {
    return [];
  }
};

export const renderExplanation = (x: Explanation): Html => {
  if (x.kind === 'upload')
    return html`<div class="explanation">${x.objects.map(
      (o) =>
        html`<p><code>s3://${o.bucket}/${o.key}</code></p><ul>${
          o.jobs.length === 0
            ? html`<li>matches no job: logged at debug, nothing runs</li>`
            : o.jobs.map(
                (j) =>
                  html`<li>starts <b>${j.job}</b> as run <code>${j.runId}</code> (once, however often the event is delivered)</li>`,
              )
        }</ul>`,
    )}${x.ignored.map((i) => html`<p class="muted">ignored: ${i}</p>`)}</div>`;
  if (x.kind === 'schedule')
    return html`<div class="explanation"><p>${x.job ? html`<b>${x.job}</b>: ` : ''}${x.note}</p></div>`;
  if (x.kind === 'runEvent')
    return html`<div class="explanation"><p><b>${x.upstream.job}</b> run <code>${x.upstream.runId}</code> ${x.upstream.status}</p><ul>${x.starts.map(
      (s) =>
        html`<li>starts <b>${s.job}</b> as run <code>${s.runId}</code>, with <code>${Object.entries(s.environment)
          .map(([n, v]) => `${n}=${v}`)
          .join(' ')}</code></li>`,
    )}</ul><p>${x.note}</p></div>`;
  if (x.kind === 'triggerEvent' || x.kind === 'messages')
    return html`<div class="explanation">${(x.kind === 'messages' ? x.messages : [x]).map(
      (m) =>
        html`<p>${m.what}</p><ul>${m.starts.map((s) =>
          s.problems
            ? html`<li><b>${s.job}</b> (trigger #${s.triggerIndex}, ${s.from}) matches, but cannot start a run: ${s.problems.join('; ')}</li>`
            : html`<li>starts <b>${s.job}</b> as run <code>${s.runId ?? ''}</code> (${s.from}), with <code>${Object.entries(
                s.environment ?? {},
              )
                .map(([n, v]) => `${n}=${v}`)
                .join(' ')}</code></li>`,
        )}</ul><p>${m.note}</p>`,
    )}</div>`;
  const v = x.verdict;
  return html`<div class="explanation">
<p><b>${x.job}</b>${x.runId ? html` run <code>${x.runId}</code> attempt ${x.attempt}` : ''}: task ${x.status}</p>
${
  x.note
    ? html`<p>${x.note}</p>`
    : html`<p class="muted small">assuming ${x.assumed}</p>
<div class="scroll"><table class="rules"><thead><tr><th>#</th><th>rule</th><th>action</th><th>matches</th></tr></thead><tbody>${(
        x.rules ?? []
      ).map(
        (r, i) =>
          html`<tr${r.decides ? html` class="decides"` : ''}><td class="num">${i + 1}</td><td>${r.name}</td><td>${r.action}</td><td>${r.decides ? 'yes: decides' : r.matched ? 'yes (after the first match)' : 'no'}</td></tr>`,
      )}</tbody></table></div>`
}
${
  v
    ? html`<dl class="fields verdict"><dt>decision</dt><dd>${v.action} <span class="rule">[rule ${v.rule}]</span></dd><dt>diagnosis</dt><dd>${v.diagnosis}</dd><dt>next</dt><dd>${v.next}</dd><dt>then</dt><dd>${
        v.outcome === 'retry'
          ? `attempt ${v.nextAttempt} on ${v.capacity}, ${taskSize(v.size.cpu, v.size.memory)}, after ${duration(v.delaySeconds)}`
          : v.outcome === 'success'
            ? 'the run SUCCEEDS'
            : `the run is ${v.finalStatus}; an alert goes out`
      }</dd></dl>`
    : ''
}
</div>`;
};

/** An event as pasted: JSON, or a 400 saying where it is not. */
export const parseEvent = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Refused(400, `event: not JSON (${(e as Error).message})`);
  }
};

/** Explains an event (already parsed JSON); the event's own problems come back as a 400 in words. */
export const explainHtml = async (ctx: ConsoleContext, event: unknown, runId: string | undefined): Promise<Html> => {
  const run = runId ? (await ctx.backend.history(runIdParam(runId)))?.run : undefined;
  if (runId && !run) throw new Refused(404, `run: '${runId}' does not exist in ${ctx.backend.label}`);
  try {
    return renderExplanation(explainEvent(ctx.catalog, event, ctx.stage, run));
  } catch (e) {
    if (e instanceof AppError) throw new Refused(400, e.message);
    throw e;
  }
};

export const explainPage = async (ctx: ConsoleContext, req: PageRequest): Promise<Html> => {
  const samples = sampleEvents(ctx.eventsDir);
  const q = req.url.searchParams;
  const sample = q.get('sample') ?? undefined;
  const runId = q.get('run') || undefined;
  let pasted = '';
  let result: Html | undefined;
  const given = q.get('event') ?? undefined;
  if (sample !== undefined) {
    // Only a name of the list: never a path the request makes up.
    if (!samples.includes(sample))
      throw new Refused(400, `sample: '${sample.slice(0, 60)}' is not one of the events in events/`);
    pasted = readFileSync(join(ctx.eventsDir as string, sample), 'utf8');
  } else if (given) pasted = given; // the form without the page script: the event in the query
  if (pasted) {
    try {
      result = await explainHtml(ctx, parseEvent(pasted), runId);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      result = html`<p class="error" role="alert">${e.message}</p>`;
    }
  }
  return layout(ctx, req, {
    title: 'Explain',
    section: 'explain',
    body: html`<h1>Explain</h1>
<p class="muted">How the service decides an event: for a task that stopped, every rule in order and the one that decides; for an upload or a tick, the runs it starts. Nothing is sent anywhere.</p>
<div class="explain">
<form id="explain-form" class="explain-form" method="get" action="/explain">
<label>Event (JSON) <textarea name="event" rows="14" spellcheck="false" placeholder='{"source":"aws.ecs","detail-type":"ECS Task State Change",...}'>${pasted}</textarea></label>
<label>Decide with run (optional: its attempt and budgets) <input name="run" value="${runId ?? ''}" placeholder="csv-ingest-…" maxlength="64"></label>
<button type="submit" class="primary">Explain</button>
</form>
<aside class="samples"><h2>Samples</h2><ul>${samples.map(
      (s) =>
        html`<li><a href="/explain?sample=${encodeURIComponent(s)}${runId ? `&run=${encodeURIComponent(runId)}` : ''}"${s === sample ? html` aria-current="true"` : ''}>${s.replace(/\.json$/, '')}</a></li>`,
    )}</ul></aside>
</div>
<section id="explain-result" aria-live="polite">${result ?? ''}</section>`,
  });
};
