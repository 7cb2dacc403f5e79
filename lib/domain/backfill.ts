/**
 * `longshore backfill JOB --from T --to T`: the ticks a job's schedules would have produced in a
 * window, each with the identity the real tick has (schedule ARN and scheduled time, so the run id
 * is the one the real tick gets: a backfill and a late real tick find each other's run).
 *
 * The window is half-open, [from, to): a tick at `to` belongs to the next window, so two backfills
 * of adjacent windows never both list it. Ticks after `now` are not backfill, they are the future:
 * the real schedule will produce them.
 */
import type { Job, ScheduleTrigger } from '../catalog/schema.ts';
import { cronOccurrences, parseScheduleExpression } from './scheduleExpression.ts';

/** One backfill creates at most this many runs: a mistyped year must not queue ten thousand runs. */
export const MAX_BACKFILL_TICKS = 200;

export interface BackfillTick {
  triggerIndex: number;
  expression: string;
  scheduledTime: string;
}

export class BackfillWindowError extends Error {
  override readonly name = 'BackfillWindowError';
}

/**
 * A rate schedule's ticks fall every `everySeconds` from when Scheduler created it, which only the
 * schedule's own record of a tick tells (`anchors(i)`: any tick it recorded, e.g. its last one).
 */
export type TickAnchor = (triggerIndex: number) => string | undefined;

const rateTicks = (anchor: number, everyMs: number, from: number, to: number, limit: number): number[] => {
  const out: number[] = [];
  // The first tick at or after `from` on the schedule's grid (which may lie before or after the anchor).
  let t = anchor + Math.ceil((from - anchor) / everyMs) * everyMs;
  for (; t < to && out.length < limit; t += everyMs) out.push(t);
  return out;
};

/**
 * The ticks, oldest first, of the job's enabled schedules in [from, to), capped at `now`.
 * Throws BackfillWindowError with a sentence naming the field for any window it cannot serve.
 *
 * @example backfillTicks(job, new Date('2026-11-01T00:00:00Z'), new Date('2026-11-03T00:00:00Z'), now, () => undefined)
 */
export const backfillTicks = (
  job: Job,
  from: Date,
  to: Date,
  now: Date,
  anchors: TickAnchor,
  max: number = MAX_BACKFILL_TICKS,
): BackfillTick[] => {
  if (!(from.getTime() < to.getTime()))
    throw new BackfillWindowError(`--from (${from.toISOString()}) must be before --to (${to.toISOString()})`);
  if (to.getTime() > now.getTime())
    throw new BackfillWindowError(
      `--to (${to.toISOString()}) is in the future (now is ${now.toISOString()}): the schedule itself will produce those ticks`,
    );
  const schedules = job.triggers.flatMap((t, i) => (t.type === 'schedule' ? [{ t: t as ScheduleTrigger, i }] : []));
  if (schedules.length === 0) throw new BackfillWindowError(`job '${job.name}' has no schedule trigger to backfill`);
  const enabled = schedules.filter((s) => s.t.enabled);
  if (enabled.length === 0)
    throw new BackfillWindowError(`job '${job.name}' has only disabled schedules: they produce no ticks to backfill`);
  const ticks: BackfillTick[] = [];
  for (const { t, i } of enabled) {
    const expr = parseScheduleExpression(t.expression);
    // One more than the cap: that is how we know the window holds too many.
    const times =
      expr.kind === 'cron'
        ? cronOccurrences(expr.cron, t.timezone, from, to, max + 1).map((d) => d.getTime())
        : (() => {
            const anchor = anchors(i);
            if (!anchor)
              throw new BackfillWindowError(
                `schedule #${i} of job '${job.name}' (${t.expression}) has never ticked: a rate schedule's ticks are counted from its first one, so their times are not known yet`,
              );
            return rateTicks(Date.parse(anchor), expr.everySeconds * 1000, from.getTime(), to.getTime(), max + 1);
          })();
    for (const ms of times)
      ticks.push({ triggerIndex: i, expression: t.expression, scheduledTime: new Date(ms).toISOString() });
  }
  if (ticks.length > max)
    throw new BackfillWindowError(
      `the window holds more than ${max} ticks of job '${job.name}' (at most ${max} per backfill): split it into smaller windows`,
    );
  return ticks.sort((a, b) =>
    a.scheduledTime < b.scheduledTime ? -1 : a.scheduledTime > b.scheduledTime ? 1 : a.triggerIndex - b.triggerIndex,
  );
};
