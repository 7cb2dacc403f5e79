/**
 * Schedule ticks that produced no run (the sweeper looks for them). Only once a schedule has ticked
 * (its own record, `SCHEDULE#<job>#<n>`, not the job's runs, which other triggers can fill): a
 * tick due before the first deploy is not "missed". Cron schedules: every occurrence in the last
 * three hours past the grace period; rate schedules: a gap longer than the interval plus the grace.
 */
import type { Job, ScheduleTrigger } from './catalog/schema.ts';
import { type JobState, pausedAtTime, rateTickReference } from './domain/jobState.ts';
import { expiresAtFor } from './domain/run.ts';
import { runIdFor } from './domain/runId.ts';
import { cronOccurrences, parseScheduleExpression } from './domain/scheduleExpression.ts';
import { logger } from './logger.ts';
import type { SweepDeps } from './ports.ts';

/** A schedule tick must have produced its run within this long (Scheduler and Lambda retry first). */
export const MISSED_TICK_GRACE_SECONDS = 20 * 60;
/** How far back the sweeper looks for missed ticks. */
export const MISSED_TICK_WINDOW_SECONDS = 3 * 3600;

export interface MissedTick {
  job: string;
  scheduledTime: string;
}

const age = (iso: string, now: Date): number => (now.getTime() - Date.parse(iso)) / 1000;

/**
 * The ticks of the job's enabled schedules that are due and produced no run: each recorded once
 * (`markMissedTick`) and published as `Schedule Missed`; returns the ones found this time. None
 * while the job is paused, and none due in a window it was paused in (`state`): its schedules were
 * disabled, so no tick was sent (docs/decisions.md, "Pausing a job").
 */
export const missedTicks = async (deps: SweepDeps, job: Job, now: Date, state?: JobState): Promise<MissedTick[]> => {
  const found: MissedTick[] = [];
  if (state?.paused) return found;
  const schedules = job.triggers.flatMap((t, i) => (t.type === 'schedule' && t.enabled ? [{ t, i }] : [])) as {
    t: ScheduleTrigger;
    i: number;
  }[];
  if (schedules.length === 0) return found;
  for (const { t, i } of schedules) {
    const arn = deps.scheduleArn(job.name, i);
    // The schedule's own record of its ticks: however many other runs the job has, this stays exact.
    // Only once the schedule has ticked: a tick due before the first deploy is not "missed".
    const ticks = await deps.store.scheduleTicks(job.name, i);
    if (!ticks) continue;
    const expr = parseScheduleExpression(t.expression);
    let due: string[] = [];
    if (expr.kind === 'cron') {
      const first = ticks.firstTick;
      due = cronOccurrences(
        expr.cron,
        t.timezone,
        new Date(now.getTime() - MISSED_TICK_WINDOW_SECONDS * 1000),
        new Date(now.getTime() - MISSED_TICK_GRACE_SECONDS * 1000),
      )
        .map((d) => d.toISOString())
        .filter((iso) => iso > first && !pausedAtTime(state, iso));
    } else {
      const last = rateTickReference(ticks.lastTick, state);
      if (age(last, now) > expr.everySeconds + MISSED_TICK_GRACE_SECONDS)
        due = [new Date(Date.parse(last) + expr.everySeconds * 1000).toISOString()];
    }
    for (const scheduledTime of due) {
      const runId = runIdFor(job.name, { type: 'schedule', schedule: arn, scheduledTime });
      if (await deps.store.getRun(runId)) continue;
      const first = await deps.store.markMissedTick(
        runId,
        { job: job.name, schedule: arn, scheduledTime, detectedAt: now.toISOString() },
        expiresAtFor(now),
      );
      if (!first) continue;
      await deps.events.publish([
        {
          type: 'Schedule Missed',
          detail: {
            stage: deps.settings.stage,
            job: job.name,
            schedule: arn,
            expression: t.expression,
            timezone: t.timezone,
            scheduledTime,
            expectedRunId: runId,
          },
        },
      ]);
      await deps.store.recordMissedTickPublished(runId);
      logger.error('Schedule tick produced no run', { job: job.name, scheduledTime, expression: t.expression });
      found.push({ job: job.name, scheduledTime });
    }
  }
  return found;
};
