/**
 * Cancelling a run. A run without a task (and none being launched) becomes CANCELLED at once. A run
 * that has a task, or whose launch is in flight, becomes CANCELLING: StopTask is asked for, and the
 * run is final (CANCELLED) only once its task is known stopped (its STOPPED event, or the sweeper
 * reconciling with ECS). If StopTask fails, the run stays CANCELLING and the sweeper asks again, so
 * a cancelled task never runs on past its timeout and never overlaps the run that replaced it.
 * The slot is freed when the task has stopped, so a cancel never lets a job exceed its concurrency.
 */
import { type Attempt, isFinal, type Run, WORKING_STATUSES } from './domain/run.ts';
import { cancelReason } from './domain/stopReasons.ts';
import { faultKind, RunNotFoundError, TaskGoneError } from './errors.ts';
import { logger, withCorrelation } from './logger.ts';
import type { StopDeps } from './ports.ts';
import { finishRun, publishFinal } from './runLifecycle.ts';

/** The task a cancel has to stop, if the run has one. */
const taskOf = (run: Run, attempt: Attempt | undefined): string | undefined => run.taskArn ?? attempt?.taskArn;

/**
 * Asks ECS to stop the task of a CANCELLING run; records when it did. A failure is logged and left
 * to the sweeper, which repeats this until the task is known stopped.
 */
export const requestStop = async (deps: StopDeps, run: Run, taskArn: string): Promise<boolean> => {
  try {
    await deps.ecs.stopTask(deps.settings.clusterArn, taskArn, cancelReason(run.reason ?? 'cancelled'));
  } catch (e) {
    // A task ECS no longer knows is not running: the stop is done; the sweeper's reconcile finds
    // it MISSING and closes the run.
    if (e instanceof TaskGoneError) logger.info('StopTask: ECS no longer knows the task; nothing runs', { taskArn });
    else {
      deps.metrics.fault(faultKind(e));
      logger.warn('StopTask failed for a cancelled run; the sweeper will ask again', { taskArn, error: e as Error });
      return false;
    }
  }
  await deps.store.transition(
    run,
    // Only on the attempt whose task this is: a stale read must not put an earlier attempt's task
    // back on a run that has moved on (found by the generated histories).
    { from: ['CANCELLING'], attempt: run.attempt, set: { stopRequestedAt: deps.now().toISOString(), taskArn } },
    deps.now(),
  );
  return true;
};

/**
 * A CANCELLING run whose task is known stopped (or never started): CANCELLED, slot freed, `Run
 * Cancelled` published. Idempotent.
 */
export const closeCancelled = async (
  deps: Parameters<typeof finishRun>[0],
  run: Run,
  attempt?: Attempt,
): Promise<Run> => {
  const closed = await finishRun(
    deps,
    run,
    { to: 'CANCELLED', from: ['CANCELLING'], ...(run.reason ? { reason: run.reason } : {}), releaseSlot: true },
    attempt,
  );
  if (closed.status === 'CANCELLED') logger.info('Run cancelled: its task has stopped');
  return closed;
};

/**
 * @example await cancelRun(deps, 'thumbnails-abc...', 'replaced by the 02:00 tick')
 */
export const cancelRun = async (deps: StopDeps, runId: string, reason: string): Promise<Run> => {
  const run = await deps.store.getRun(runId);
  if (!run) throw new RunNotFoundError(runId);
  return withCorrelation({ job: run.job, runId, attempt: run.attempt }, async () => {
    if (isFinal(run.status)) {
      // A cancel that died after the final write and before Run Cancelled is repaired by asking again.
      await publishFinal(deps, run, () => deps.store.getAttempt(run.runId, run.attempt));
      logger.info('Run is already final; nothing to cancel', { status: run.status });
      return run;
    }
    const attempt = await deps.store.getAttempt(run.runId, run.attempt);
    const taskArn = taskOf(run, attempt);
    if (run.status === 'CANCELLING') {
      // Asked again: repeat the stop (idempotent in ECS), the state stays as it is.
      if (taskArn) await requestStop(deps, run, taskArn);
      return (await deps.store.getRun(runId)) ?? run;
    }
    // A launch in flight (attempt claimed, no task recorded yet) may still produce a task.
    if (!taskArn && attempt?.status !== 'LAUNCHING') {
      return finishRun(deps, run, { to: 'CANCELLED', from: WORKING_STATUSES, reason, releaseSlot: true });
    }
    const now = deps.now();
    // On the attempt read above: if a concurrent STOPPED event retried the run meanwhile, the task
    // found here is the earlier attempt's, and the cancel must look again (it then finds no task).
    const cancelling = await deps.store.transition(
      run,
      {
        from: WORKING_STATUSES,
        attempt: run.attempt,
        to: 'CANCELLING',
        set: { reason, cancelRequestedAt: now.toISOString() },
      },
      now,
    );
    if (!cancelling) {
      // Moved on meanwhile (settled, retried, or cancelled by another request): look again.
      const current = (await deps.store.getRun(runId)) ?? run;
      return current.status === run.status && current.attempt === run.attempt
        ? current
        : cancelRun(deps, runId, reason);
    }
    if (taskArn) await requestStop(deps, cancelling, taskArn);
    logger.info('Run cancelling: task stopping', { taskArn });
    return (await deps.store.getRun(runId)) ?? cancelling;
  });
};
