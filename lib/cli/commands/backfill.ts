/**
 * `longshore backfill JOB --from T --to T [--dry-run]`: the ticks the job's schedules would have
 * produced in [from, to), each a run with the real tick's identity (the control function's
 * `backfill`, lib/backfill.ts), queued for launch like any burst.
 */
import type { Command } from 'commander';
import { isIsoTime } from '../../contracts/common.ts';
import type { BackfillResponse } from '../../contracts/control.ts';
import { type CommandContext, requester, withBackend } from '../commandContext.ts';
import { CliError, EXIT, exitCodeFor } from '../exitCodes.ts';

/** A day (`2026-11-19`, midnight UTC) or an ISO 8601 time with its zone; anything else is refused, naming the option. */
export const parseWindowEdge = (option: '--from' | '--to', text: string): string => {
  const value = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  if (!isIsoTime(value))
    throw new CliError(
      `${option} '${text}' is not a time: give an ISO 8601 time with its zone (2026-11-19T00:00:00Z, 2026-11-19T02:00+01:00) or a day (2026-11-19, midnight UTC)`,
      EXIT.invalid,
    );
  return new Date(value).toISOString();
};

export const registerBackfillCommand = (program: Command, ctx: CommandContext): void => {
  program
    .command('backfill')
    .description(
      "create the runs a job's schedules would have made in a window (ticks at or after --from, before --to)",
    )
    .argument('<job>')
    .requiredOption('--from <time>', 'the window starts here (included): ISO 8601 with a zone, or a day (UTC)')
    .requiredOption('--to <time>', 'the window ends here (excluded), not after now')
    .option('--dry-run', 'list the ticks and their run ids; create nothing')
    .action(async (job: string, opts: { from: string; to: string; dryRun?: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      const from = parseWindowEdge('--from', opts.from);
      const to = parseWindowEdge('--to', opts.to);
      await withBackend(g, async (b) => {
        // The control function answers a backfill with its own shape (BackfillResponse).
        const answer = (await b.control({
          action: 'backfill',
          job,
          from,
          to,
          ...(opts.dryRun ? { dryRun: true } : {}),
          requestedBy: requester(),
        })) as unknown as BackfillResponse;
        if (!answer.ok) throw new CliError(answer.error.message, exitCodeFor(answer.error.code));
        if (o.json) {
          const { ok: _ok, ...document } = answer;
          o.document(document);
          return;
        }
        const n = answer.ticks.length;
        o.line(
          `${answer.dryRun ? 'Would backfill' : 'Backfilled'} ${n} tick${n === 1 ? '' : 's'} of ${o.c.bold(answer.job)} from ${answer.from} to ${answer.to}${n === 0 ? ' (no tick in the window)' : ':'}`,
        );
        if (n === 0) return;
        o.table(
          ['scheduled time', 'schedule', 'run', answer.dryRun ? 'now' : 'result'],
          answer.ticks.map((t) => [
            t.scheduledTime,
            `#${t.triggerIndex} ${t.expression}`,
            t.runId,
            answer.dryRun
              ? t.status
                ? `has a run (${o.status(t.status)})`
                : 'would be created'
              : t.created
                ? `created (${o.status(t.status ?? 'QUEUED')})`
                : `had a run (${o.status(t.status ?? '')})`,
          ]),
        );
        const fresh = answer.ticks.filter((t) => (answer.dryRun ? !t.status : t.created)).length;
        if (answer.dryRun)
          o.line(o.c.dim(`${fresh} run(s) would be created; run it again without --dry-run to create them.`));
        else o.line(o.c.dim(`${fresh} run(s) created and queued; their launches are paced and respect maxConcurrent.`));
      });
    });
};
