/**
 * Cancelling a run: it becomes CANCELLED (if not final yet) and its task, if any, is stopped. The
 * slot of a run whose task is still stopping is freed by the task's STOPPED event, so a cancel never
 * lets the job exceed its concurrency.
 */
import { ACTIVE_STATUSES, type Run } from './domain/run.ts';
import { RunNotFoundError } from './errors.ts';
import { logger, withCorrelation } from './logger.ts';
import type { StopDeps } from './ports.ts';
import { finishRun } from './runLifecycle.ts';

/**
 * @example await cancelRun(deps, 'thumbnails-abc...', 'replaced by the 02:00 tick')
 */
export const cancelRun = async (deps: StopDeps, runId: string, reason: string): Promise<Run> => {
  const run = await deps.store.getRun(runId);
  if (!run) throw new RunNotFoundError(runId);
  return withCorrelation({ job: run.job, runId, attempt: run.attempt }, async () => {
    if (!ACTIVE_STATUSES.includes(run.status)) {
      logger.info('Run is already final; nothing to cancel', { status: run.status });
      return run;
    }
    // A task may exist even while the run is QUEUED (launched, not yet recorded).
    const taskArn = run.taskArn ?? (await deps.store.getAttempt(run.runId, run.attempt))?.taskArn;
    const finished = await finishRun(deps, run, {
      to: 'CANCELLED',
      from: ACTIVE_STATUSES,
      reason,
      releaseSlot: !taskArn,
    });
    if (finished.status === 'CANCELLED' && taskArn) {
      await deps.ecs.stopTask(deps.settings.clusterArn, taskArn, `longshore: cancelled: ${reason}`);
      logger.info('Run cancelled; task stopping', { taskArn });
    }
    return finished;
  });
};
