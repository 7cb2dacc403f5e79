/**
 * A schedule tick becomes a run of its job, honouring the trigger's overlap policy when other runs of
 * the job are still active: `allow` starts anyway, `forbid` records the tick as SKIPPED (and says
 * which run blocked it), `replace` cancels the active runs first.
 */
import { type AcceptedRun, acceptRuns } from './acceptRuns.ts';
import { cancelRun } from './cancelRun.ts';
import { findJob } from './catalog/active.ts';
import type { ScheduleTick } from './contracts/schedule.ts';
import { expiresAtFor, type RunTrigger } from './domain/run.ts';
import { identityOf, runIdFor } from './domain/runId.ts';
import { InvalidEventError, RequestRejectedError } from './errors.ts';
import { logger } from './logger.ts';
import type { StopDeps } from './ports.ts';

export const acceptTick = async (deps: StopDeps, tick: ScheduleTick): Promise<AcceptedRun> => {
  if (!tick.job) {
    throw new InvalidEventError('schedule event', [
      `'${tick.schedule}' is not a longshore schedule of stage '${deps.settings.stage}' (expected a name like longshore-${deps.settings.stage}-<job>-cron<n>)`,
    ]);
  }
  const job = findJob(tick.job, deps.catalog());
  const schedules = job.triggers.flatMap((t, i) => (t.type === 'schedule' ? [{ t, i }] : []));
  const entry =
    schedules.find((s) => s.i === tick.triggerIndex) ?? (tick.triggerIndex === undefined ? schedules[0] : undefined);
  if (!entry) {
    throw new RequestRejectedError(
      `job '${job.name}' has no schedule trigger #${tick.triggerIndex ?? 0} (the catalog may have changed since the schedule was deployed)`,
    );
  }
  const trigger: RunTrigger = {
    type: 'schedule',
    schedule: tick.schedule,
    scheduledTime: new Date(tick.scheduledTime).toISOString(),
    triggerIndex: entry.i,
  };
  const runId = runIdFor(job.name, identityOf(trigger));
  // The schedule's own record that it ticked (the sweeper's missed-tick check reads it, not the runs).
  await deps.store.recordScheduleTick(job.name, entry.i, trigger.scheduledTime, expiresAtFor(deps.now()));
  // A duplicate tick finds its run: the overlap decision was made the first time.
  const existing = entry.t.overlap === 'allow' ? undefined : await deps.store.getRun(runId);
  if (entry.t.overlap !== 'allow' && !existing) {
    const active = (await deps.store.activeRuns(job.name)).filter((r) => r.runId !== runId);
    if (active.length > 0 && entry.t.overlap === 'forbid') {
      const blocker = active[0] as (typeof active)[number];
      logger.info('Schedule tick skipped: overlap is forbidden', { job: job.name, blockedBy: blocker.runId });
      const [skipped] = await acceptRuns(deps, [
        {
          job,
          trigger,
          status: 'SKIPPED',
          reason: `overlap forbidden: run ${blocker.runId} is still ${blocker.status}`,
        },
      ]);
      return skipped as AcceptedRun;
    }
    for (const run of active) {
      await cancelRun(deps, run.runId, `replaced by the schedule tick of ${trigger.scheduledTime}`);
    }
  }
  const [accepted] = await acceptRuns(deps, [{ job, trigger }]);
  return accepted as AcceptedRun;
};
