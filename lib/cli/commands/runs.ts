/** `longshore runs list | show | retry | cancel`: the runs of the store or of a stage. */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { ControlRequestInput, ControlResponse } from '../../contracts/control.ts';
import { FINAL_STATUSES, type Run } from '../../domain/run.ts';
import { triggerSummary } from '../../domain/runEvents.ts';
import { summarizeRuns } from '../../domain/runStats.ts';
import {
  checkJobName,
  checkReason,
  checkRunId,
  checkStatus,
  checkToken,
  parseOverrideOptions,
  sinceOf,
  type TriggerOptions,
} from '../arguments.ts';
import type { Backend } from '../backends.ts';
import {
  type CommandContext,
  checkControl,
  type Globals,
  localLogsDir,
  requester,
  waitForRun,
  withBackend,
} from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import { failureExcerpt } from '../failureExcerpt.ts';
import type { Output } from '../Output.ts';
import { runsInWindow } from '../runListing.ts';
import { type JobSummary, printRunHistory, printRunList, printRunSummary } from '../views.ts';
import { registerRunLogs } from './runLogs.ts';

/** `runs list --watch` reads the list again this often: the local store is cheap, a stage's table is not. */
const WATCH_LOCAL_MS = 1000;
const WATCH_STAGE_MS = 5000;

/** Prints a line for each run that appears or changes status or attempt, until Ctrl-C (SIGINT or SIGTERM). */
const watchRuns = async (b: Backend, o: Output, first: Run[], list: (b: Backend) => Promise<Run[]>): Promise<void> => {
  const seen = new Map(first.map((r) => [r.runId, `${r.status}#${r.attempt}`]));
  let stopped = false;
  let wake: () => void = () => undefined;
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    while (!stopped) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, b.local ? WATCH_LOCAL_MS : WATCH_STAGE_MS);
      });
      if (stopped) break;
      for (const r of (await list(b)).reverse()) {
        const state = `${r.status}#${r.attempt}`;
        if (seen.get(r.runId) === state) continue;
        seen.set(r.runId, state);
        o.line(
          `${o.c.dim(new Date().toISOString().slice(11, 19))}  ${r.runId}  ${o.status(r.status, 10)} #${r.attempt}  ${triggerSummary(r.trigger).slice(0, 70)}`,
        );
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
};

/** Sends one control request over the backend and hands its answer on (a refusal is a CliError). */
export const controlRequest = async (
  g: Globals,
  request: ControlRequestInput | ((b: Backend) => Promise<ControlRequestInput>),
  then: (answer: Extract<ControlResponse, { ok: true }>, b: Backend) => Promise<void> | void,
): Promise<void> =>
  withBackend(g, async (b) => {
    const asked = typeof request === 'function' ? await request(b) : request;
    await then(checkControl(await b.control({ ...asked, requestedBy: requester() })), b);
  });

const listRuns = async (
  b: Backend,
  names: string[],
  opts: { limit: number; since?: string; status?: string },
): Promise<Run[]> => {
  const all: Run[] = [];
  for (const job of names) {
    let cursor: string | undefined;
    do {
      const page = await b.runsOfJob(job, {
        limit: 100,
        ...(opts.since ? { since: opts.since } : {}),
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.runs.filter((r) => !opts.status || r.status === opts.status));
      cursor = all.length < opts.limit * names.length ? page.cursor : undefined;
    } while (cursor);
  }
  return all.sort((a, c) => c.createdAt.localeCompare(a.createdAt)).slice(0, opts.limit);
};

/** "SIZES set, cpu 1024, memory 2048": what a retry changes, for its answer (names only: a value is never printed). */
const describeChanges = (o: ReturnType<typeof parseOverrideOptions>): string =>
  [
    ...Object.keys(o.environment ?? {}).map((name) => `${name} set`),
    ...(o.command ? ['its command'] : []),
    ...(o.cpu !== undefined ? [`cpu ${o.cpu}`] : []),
    ...(o.memory !== undefined ? [`memory ${o.memory}`] : []),
    ...(o.imageTag !== undefined ? [`image tag ${o.imageTag}`] : []),
    ...(o.image !== undefined ? [`image ${o.image}`] : []),
  ].join(', ');

/** `runs list --summary`: each job's figures over the window, from its runs read in full (up to STATS_RUNS). */
const summarize = async (b: Backend, o: Output, names: string[], since: string): Promise<void> => {
  const to = new Date();
  const from = new Date(since);
  const jobs: JobSummary[] = [];
  for (const job of names) {
    const { runs, capped } = await runsInWindow(b, job, since);
    jobs.push({ job, stats: summarizeRuns(runs, { from, to, bucketCount: 1 }, (r) => r.costUsd), capped });
  }
  printRunSummary(o, { from: from.toISOString(), to: to.toISOString() }, jobs);
};

export const registerRunsCommands = (program: Command, ctx: CommandContext): void => {
  const runs = program.command('runs').description('runs: list, show, logs, retry, cancel');
  runs
    .command('list')
    .description('runs, newest first')
    .option('--job <job>', 'only this job')
    .option(
      '--status <status>',
      'only runs in this status (QUEUED, PAUSED, STARTING, RUNNING, CANCELLING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, SKIPPED)',
    )
    .option('--since <when>', 'created since a duration ago (2h, 1d) or a date')
    .option('--limit <n>', 'at most this many', '20')
    .option('--watch', 'then keep printing each run that appears or changes, until Ctrl-C')
    .option(
      '--summary',
      'per job over the window (--since, default 1d): runs, success rate, p50/p95 duration, total cost',
    )
    .action(
      async (
        opts: { job?: string; status?: string; since?: string; limit: string; watch?: boolean; summary?: boolean },
        cmd: Command,
      ) => {
        const g = ctx.globals(cmd);
        const o = ctx.out(cmd);
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new CliError('--limit must be a positive integer', EXIT.invalid);
        const since = sinceOf(opts.since);
        if (opts.job) checkJobName('--job', opts.job);
        const status = opts.status ? checkStatus(opts.status) : undefined;
        const catalog = await ctx.loadCatalog(g.catalog);
        const names = opts.job ? [opts.job] : catalog.jobs.map((j) => j.name);
        if (opts.job && !catalog.jobs.some((j) => j.name === opts.job))
          throw new CliError(`Unknown job '${opts.job}'`, EXIT.notFound);
        if (opts.watch && o.json)
          throw new CliError('--watch prints lines as runs change; it has no --json form', EXIT.invalid);
        if (opts.summary) {
          if (opts.watch || status)
            throw new CliError(
              `--summary counts every run of the window; it takes no ${opts.watch ? '--watch' : '--status'}`,
              EXIT.invalid,
            );
          await withBackend(g, (b) => summarize(b, o, names, since ?? (sinceOf('1d') as string)));
          return;
        }
        const list = (b: Backend) =>
          listRuns(b, names, { limit, ...(since ? { since } : {}), ...(status ? { status } : {}) });
        await withBackend(g, async (b) => {
          const first = await list(b);
          printRunList(o, first);
          if (opts.watch) await watchRuns(b, o, first, list);
        });
      },
    );
  runs
    .command('show')
    .description('a run with its attempts: exit codes, decisions with rule and diagnosis, logs, durations, cost')
    .argument('<run>')
    .action(async (runId: string, _o, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      checkRunId('run', runId);
      const catalog = await ctx.loadCatalog(g.catalog);
      await withBackend(g, async (b) => {
        const h = await b.history(runId);
        if (!h) throw new CliError(`Run '${runId}' does not exist in ${b.label}`, EXIT.notFound);
        const excerpt = await failureExcerpt(b, catalog, h);
        printRunHistory(o, catalog, excerpt ? { ...h, logExcerpt: excerpt } : h, localLogsDir(b, g));
      });
    });
  registerRunLogs(runs, ctx);
  runs
    .command('retry')
    .description(
      'run a finished run again, as a new run of the same trigger (same object or tick), with changes the job allows',
    )
    .argument('<run>')
    .option('--env <NAME=VALUE...>', 'set a variable for the new run (repeatable; the others stay as they were)')
    .option('--cpu <units>', 'cpu for the new run')
    .option('--memory <mib>', 'memory for the new run (MiB)')
    .option('--command <json>', 'command for the new run, as a JSON array')
    .option(
      '--image-tag <tag>',
      "run it on this tag of the job's main image (a task definition revision is registered for it)",
    )
    .option('--image <uri>', 'run it on this image (where the job allows it: overrides.image)')
    .option('--token <token>', 'client token (repeat the command safely)')
    .option('--failed', 'a fan-out run: run again only the items of its children that did not succeed')
    .option('--wait', 'wait for the new run to finish')
    .action(async (runId: string, opts: TriggerOptions & { wait?: boolean; failed?: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o: Output = ctx.out(cmd);
      checkRunId('run', runId);
      if (opts.token !== undefined) checkToken(opts.token);
      const overrides = parseOverrideOptions(opts);
      const request = {
        action: 'retry' as const,
        runId,
        clientToken: opts.token ?? `cli-${randomUUID()}`,
        ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
        ...(opts.failed ? { failed: true } : {}),
      };
      await controlRequest(g, request, async (r, b) => {
        if (o.json && !opts.wait) o.document(r);
        else if (!o.json)
          o.line(
            `${r.created ? 'Created' : 'Found'} run ${o.c.bold(r.runId)} (${o.status(r.status)}), a retry of ${
              opts.failed ? `the items that did not succeed in ${runId}` : runId
            }${Object.keys(overrides).length > 0 ? ` with ${describeChanges(overrides)}` : ''}`,
          );
        ctx.setExit(await waitForRun(b, o, r.runId, opts.wait === true, g));
      });
    });
  runs
    .command('cancel')
    .description('cancel a run: its task is stopped; CANCELLING until the task has stopped, then CANCELLED')
    .argument('<run>')
    .option('--reason <text>', 'why (recorded and sent to the task as the stop reason)')
    .action(async (runId: string, opts: { reason?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      checkRunId('run', runId);
      if (opts.reason !== undefined) checkReason(opts.reason);
      await controlRequest(g, { action: 'cancel', runId, ...(opts.reason ? { reason: opts.reason } : {}) }, (r) => {
        // The service answers a finished run with its status (a cancel is idempotent); for the
        // person who asked, a run that ended any other way than cancelled was not cancelled.
        if (FINAL_STATUSES.some((s) => s === r.status) && r.status !== 'CANCELLED')
          throw new CliError(
            `Run ${r.runId} has already finished (${r.status}); there is nothing to cancel`,
            EXIT.rejected,
          );
        if (o.json) o.document(r);
        else o.line(`Run ${o.c.bold(r.runId)} is ${o.status(r.status)}`);
      });
    });
};
