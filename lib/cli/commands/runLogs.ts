/**
 * `longshore runs logs RUN [--attempt N] [--container NAME] [--follow] [--since 10m] [--tail N]`:
 * a container's log of one attempt, from CloudWatch Logs on a stage (the job's log group, the
 * stream `<prefix>/<container>/<task id>` the awslogs driver writes) or, locally, from the file the
 * simulated task wrote. By default the latest attempt and the container that decided it.
 */
import type { Command } from 'commander';
import type { Job } from '../../catalog/schema.ts';
import { logTargetOf, summarizeAttempt } from '../../domain/attemptSummary.ts';
import { logStreamName, parseTaskArn } from '../../domain/logLink.ts';
import { MAIN_CONTAINER_NAME } from '../../domain/names.ts';
import type { Attempt } from '../../domain/run.ts';
import { asError } from '../../errors.ts';
import type { LogLine, LogStreamRef } from '../../ports.ts';
import { checkPositiveInteger, checkRunId, sinceOf } from '../arguments.ts';
import type { Backend } from '../backends.ts';
import { type CommandContext, withBackend } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import type { Output } from '../Output.ts';

/** GetLogEvents returns at most 10,000 events a call; --tail asks for one call's worth at most. */
const MAX_TAIL = 10_000;
/** --follow polls: quickly locally, then backing off on a stage (1 s, doubling, at most 10 s). */
const FOLLOW_LOCAL_MS = 250;
const FOLLOW_FIRST_MS = 1000;
const FOLLOW_MAX_MS = 10_000;

interface LogsOptions {
  attempt?: string;
  container?: string;
  follow?: boolean;
  since?: string;
  tail?: string;
}

const isOver = (a: Attempt): boolean => a.status === 'STOPPED' || a.status === 'LAUNCH_FAILED';

const containersOf = (job: Job): string[] => [MAIN_CONTAINER_NAME, ...job.sidecars.map((s) => s.name)];

const printLines = (out: Output, lines: LogLine[]): void => {
  for (const l of lines) out.line(l.at ? `${out.c.dim(l.at)}  ${l.message}` : l.message);
};

const readOrSay = async (b: Backend, ref: LogStreamRef, opts: Parameters<Backend['logs']['read']>[1]) => {
  try {
    return await b.logs.read(ref, opts);
  } catch (e) {
    throw new CliError(
      `Cannot read the log stream ${ref.stream} of ${ref.group}: ${asError(e).name}: ${asError(e).message}`,
      EXIT.backend,
    );
  }
};

export const registerRunLogs = (runs: Command, ctx: CommandContext): void => {
  runs
    .command('logs')
    .description("a container's log of an attempt (default: the latest attempt, the container that decided it)")
    .argument('<run>')
    .option('--attempt <n>', 'this attempt (1, 2, ...)')
    .option('--container <name>', 'this container (main or a sidecar)')
    .option('--follow', 'keep printing new lines until the attempt is over')
    .option('--since <when>', 'lines since a duration ago (10m, 2h) or a date (CloudWatch Logs times)')
    .option('--tail <n>', `only the last N lines (at most ${MAX_TAIL})`)
    .action(async (runId: string, opts: LogsOptions, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      checkRunId('run', runId);
      const wanted = opts.attempt !== undefined ? checkPositiveInteger('--attempt', opts.attempt) : undefined;
      const tail = opts.tail !== undefined ? checkPositiveInteger('--tail', opts.tail) : undefined;
      if (tail !== undefined && tail > MAX_TAIL) throw new CliError(`--tail must be at most ${MAX_TAIL}`, EXIT.invalid);
      const since = sinceOf(opts.since);
      const catalog = await ctx.loadCatalog(g.catalog);
      await withBackend(g, async (b) => {
        let h = await b.history(runId);
        if (!h) throw new CliError(`Run '${runId}' does not exist in ${b.label}`, EXIT.notFound);
        const number = wanted ?? h.attempts.at(-1)?.attempt;
        let attempt = h.attempts.find((a) => a.attempt === number);
        if (!attempt)
          throw new CliError(
            number === undefined
              ? `Run ${runId} has no attempt yet (${h.run.status}): no logs`
              : `Run ${runId} has no attempt ${number} (it has ${h.attempts.length})`,
            EXIT.notFound,
          );
        const job = catalog.jobs.find((j) => j.name === h?.run.job);
        if (!job) throw new CliError(`Job '${h.run.job}' of run ${runId} is no longer in the catalog`, EXIT.notFound);
        const names = containersOf(job);
        const container = opts.container ?? summarizeAttempt(attempt).deciding?.name ?? MAIN_CONTAINER_NAME;
        if (!names.includes(container))
          throw new CliError(
            `--container '${container.slice(0, 64)}' must be one of job '${job.name}''s containers: ${names.join(', ')}`,
            EXIT.invalid,
          );
        const taskId = attempt.taskArn ? parseTaskArn(attempt.taskArn)?.taskId : undefined;
        if (!taskId)
          throw new CliError(
            `Attempt ${attempt.attempt} of ${runId} has no task (${attempt.launchFailure ?? attempt.status}): it has no logs`,
            EXIT.notFound,
          );
        const target = logTargetOf(b.stage, job);
        const ref = { group: target.group, stream: logStreamName(target.streamPrefix, container, taskId) };
        const first = await readOrSay(b, ref, {
          ...(tail !== undefined ? { tail } : {}),
          ...(since ? { sinceMs: Date.parse(since) } : {}),
        });
        const lines = [...first.lines];
        if (!o.json) printLines(o, first.lines);
        let cursor = first.cursor;
        let wait = b.local ? FOLLOW_LOCAL_MS : FOLLOW_FIRST_MS;
        while (opts.follow && !isOver(attempt)) {
          await new Promise((r) => setTimeout(r, wait));
          if (!b.local) wait = Math.min(FOLLOW_MAX_MS, wait * 2);
          h = (await b.history(runId)) ?? h;
          attempt = h.attempts.find((a) => a.attempt === number) ?? attempt;
          const next = await readOrSay(b, ref, cursor ? { cursor } : {});
          if (next.lines.length > 0) wait = b.local ? FOLLOW_LOCAL_MS : FOLLOW_FIRST_MS;
          lines.push(...next.lines);
          if (!o.json) printLines(o, next.lines);
          cursor = next.cursor ?? cursor;
        }
        if (o.json)
          o.document({ runId, attempt: attempt.attempt, container, group: ref.group, stream: ref.stream, lines });
        else if (lines.length === 0)
          process.stderr.write(
            `longshore: no log lines in ${ref.group} ${ref.stream}${isOver(attempt) && !summarizeAttempt(attempt).started ? ' (the task did not start)' : ''}\n`,
          );
      });
    });
};
