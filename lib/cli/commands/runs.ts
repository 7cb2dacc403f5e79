/** `longshore runs list | show | retry | cancel`: the runs of the store or of a stage. */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { ControlRequestInput, ControlResponse } from '../../contracts/control.ts';
import { parseDuration } from '../../domain/duration.ts';
import type { Run } from '../../domain/run.ts';
import { checkJobName, checkReason, checkRunId, checkStatus, checkToken } from '../arguments.ts';
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
import type { Output } from '../Output.ts';
import { printRunHistory, printRunList } from '../views.ts';

const sinceOf = (text?: string): string | undefined => {
  if (!text) return undefined;
  const seconds = parseDuration(text);
  if (seconds !== undefined) return new Date(Date.now() - seconds * 1000).toISOString();
  if (!Number.isNaN(Date.parse(text))) return new Date(text).toISOString();
  throw new CliError(`--since '${text}' is neither a duration (2h, 1d) nor a date`, EXIT.invalid);
};

/** Sends one control request over the backend and hands its answer on (a refusal is a CliError). */
export const controlRequest = async (
  g: Globals,
  request: ControlRequestInput,
  then: (answer: Extract<ControlResponse, { ok: true }>, b: Backend) => Promise<void> | void,
): Promise<void> =>
  withBackend(g, async (b) => {
    await then(checkControl(await b.control({ ...request, requestedBy: requester() })), b);
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

export const registerRunsCommands = (program: Command, ctx: CommandContext): void => {
  const runs = program.command('runs').description('runs: list, show, retry, cancel');
  runs
    .command('list')
    .description('runs, newest first')
    .option('--job <job>', 'only this job')
    .option(
      '--status <status>',
      'only runs in this status (QUEUED, STARTING, RUNNING, CANCELLING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, SKIPPED)',
    )
    .option('--since <when>', 'created since a duration ago (2h, 1d) or a date')
    .option('--limit <n>', 'at most this many', '20')
    .action(async (opts: { job?: string; status?: string; since?: string; limit: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive integer', EXIT.invalid);
      const since = sinceOf(opts.since);
      if (opts.job) checkJobName('--job', opts.job);
      const status = opts.status ? checkStatus(opts.status) : undefined;
      const catalog = await ctx.loadCatalog(g.catalog);
      const names = opts.job ? [opts.job] : catalog.jobs.map((j) => j.name);
      if (opts.job && !catalog.jobs.some((j) => j.name === opts.job))
        throw new CliError(`Unknown job '${opts.job}'`, EXIT.notFound);
      await withBackend(g, async (b) => {
        printRunList(
          o,
          await listRuns(b, names, { limit, ...(since ? { since } : {}), ...(status ? { status } : {}) }),
        );
      });
    });
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
        printRunHistory(o, catalog, h, localLogsDir(b, g));
      });
    });
  runs
    .command('retry')
    .description('run a finished run again, as a new run with the same trigger')
    .argument('<run>')
    .option('--token <token>', 'client token (repeat the command safely)')
    .option('--wait', 'wait for the new run to finish')
    .action(async (runId: string, opts: { token?: string; wait?: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o: Output = ctx.out(cmd);
      checkRunId('run', runId);
      if (opts.token !== undefined) checkToken(opts.token);
      const request = { action: 'retry' as const, runId, clientToken: opts.token ?? `cli-${randomUUID()}` };
      await controlRequest(g, request, async (r, b) => {
        if (o.json && !opts.wait) o.document(r);
        else if (!o.json)
          o.line(
            `${r.created ? 'Created' : 'Found'} run ${o.c.bold(r.runId)} (${o.status(r.status)}), a retry of ${runId}`,
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
        if (o.json) o.document(r);
        else o.line(`Run ${o.c.bold(r.runId)} is ${o.status(r.status)}`);
      });
    });
};
