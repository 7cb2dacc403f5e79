/**
 * The launcher: queued runs become ECS tasks, exactly once per attempt (invariants 2, 5, 6 in docs/architecture.md).
 *
 * For each message (run, attempt):
 *  1. the run must still be QUEUED at that attempt, and due (a delayed retry waits in the queue);
 *  2. a concurrency slot, if the job has a limit (else the run waits, and a freed slot dispatches it);
 *  3. the attempt is claimed with a lease (two deliveries of one message never both call RunTask);
 *  4. RunTask with a clientToken derived from run, attempt and capacity (a retried call after a
 *     crash returns the same task), paced to Fargate's RunTask rate;
 *  5. the task is recorded (STARTING) and `Run Started` published.
 * Throttling and capacity shortages are back-pressure: the message comes back later with backoff;
 * a Spot launch without capacity falls back to on-demand when the job allows it.
 */

import { requestStop } from './cancelRun.ts';
import type { Job } from './catalog/schema.ts';
import type { LaunchMessage } from './contracts/launch.ts';
import { fullJitterDelay } from './domain/backoff.ts';
import { startedBy, taskFamily } from './domain/names.ts';
import { overridePolicyProblems } from './domain/overrides.ts';
import { type Attempt, isFinal, type Run } from './domain/run.ts';
import { notLaunchedReason } from './domain/stopReasons.ts';
import { buildRunTaskRequest } from './domain/taskRequest.ts';
import { LaunchError, OverridesTooLargeError, TaskGoneError } from './errors.ts';
import { addCorrelation, logger, withCorrelation } from './logger.ts';
import type { LaunchDeps } from './ports.ts';
import { jobOf, publishFinal, publishOnce } from './runLifecycle.ts';
import { settleAttempt } from './settleAttempt.ts';

/** Longer than the launcher's 60 s timeout: a lease always outlives the invocation holding it. */
export const LAUNCH_LEASE_SECONDS = 120;
/** A launch that keeps being throttled or finds no capacity for this long fails. */
export const LAUNCH_RETRY_WINDOW_SECONDS = 6 * 3600;
/** ECS keeps a clientToken for 24 hours; past that, look the task up by startedBy before launching. */
export const CLIENT_TOKEN_TTL_SECONDS = 23 * 3600;
const LAUNCH_BACKOFF = { baseSeconds: 5, factor: 2, capSeconds: 300 };

export type LaunchResult =
  | 'launched'
  | 'adopted'
  | 'skipped'
  | 'waiting'
  | 'deferred'
  | 'fallback'
  | 'failed'
  /** Another launcher holds this attempt's lease: try again after the visibility timeout. */
  | 'busy';

const seconds = (from: string, to: Date): number => (to.getTime() - Date.parse(from)) / 1000;

/** A launch that cannot succeed as it is: the attempt records why, and the failure policy decides. */
const failLaunch = async (deps: LaunchDeps, run: Run, reason: string, job: Job | undefined): Promise<LaunchResult> => {
  // Reported where it is met, before anything that can fail: a crash later must not hide it.
  deps.metrics.fault('LAUNCH_REFUSED');
  logger.error('Launch failed', { reason });
  await deps.store.recordLaunchFailed(run.runId, run.attempt, reason, deps.now());
  const attempt = (await deps.store.getAttempt(run.runId, run.attempt)) ?? {
    runId: run.runId,
    attempt: run.attempt,
    status: 'LAUNCH_FAILED' as const,
    launchRequestedAt: deps.now().toISOString(),
    launchTries: 0,
    capacityProvider: run.capacity,
    cpu: run.size.cpu,
    memory: run.size.memory,
    launchFailure: reason,
  };
  const { run: after } = await settleAttempt(deps, run, attempt, job);
  return after.status === 'QUEUED' ? 'deferred' : 'failed';
};

/**
 * A task exists for an attempt whose run is being cancelled or is final: it must not run on its own.
 * A CANCELLING run records the stop (the sweeper repeats it if ECS refuses); a final one is stopped
 * here, and a failure throws so the message comes back and this runs again.
 */
const stopStrayTask = async (deps: LaunchDeps, run: Run, taskArn: string): Promise<void> => {
  if (run.status === 'CANCELLING') {
    await requestStop(deps, run, taskArn);
  } else {
    try {
      await deps.ecs.stopTask(
        deps.settings.clusterArn,
        taskArn,
        `longshore: run ${run.status.toLowerCase()} while launching`,
      );
    } catch (e) {
      // A task ECS no longer knows runs nowhere: what this wanted.
      if (!(e instanceof TaskGoneError)) throw e;
    }
  }
  logger.warn('Run was cancelled or final while its task was launching: task stopped', { status: run.status });
};

const isBeingStopped = (run: Run): boolean => isFinal(run.status) || run.status === 'CANCELLING';

const recordTask = async (
  deps: LaunchDeps,
  run: Run,
  taskArn: string,
  how: 'launched' | 'adopted',
): Promise<LaunchResult> => {
  addCorrelation({ taskArn });
  const recorded = await deps.store.recordLaunched(run, taskArn, deps.now());
  const current = recorded.run ?? (await deps.store.getRun(run.runId)) ?? run;
  const attempt = recorded.attempt ?? (await deps.store.getAttempt(run.runId, run.attempt));
  if (isBeingStopped(current) && current.attempt === run.attempt && attempt?.status !== 'STOPPED') {
    await stopStrayTask(deps, current, taskArn);
    return 'skipped';
  }
  // The task's own events may have moved the run on already; Run Started is published either way.
  if (current.attempt === run.attempt) await publishOnce(deps, current, 'Run Started', attempt);
  logger.info(how === 'launched' ? 'Task launched' : 'Task already launched for this attempt: recorded it', {
    capacity: run.capacity,
  });
  return how;
};

const retryLater = async (deps: LaunchDeps, run: Run, attempt: Attempt, error: LaunchError): Promise<LaunchResult> => {
  const now = deps.now();
  if (seconds(attempt.launchRequestedAt, now) > LAUNCH_RETRY_WINDOW_SECONDS) {
    return failLaunch(
      deps,
      run,
      `no launch within ${LAUNCH_RETRY_WINDOW_SECONDS / 3600}h: ${error.reason}`,
      jobOf(deps, run),
    );
  }
  const delaySeconds = Math.max(1, fullJitterDelay(LAUNCH_BACKOFF, attempt.launchTries, deps.random()));
  // Reported where it is met, before the calls that can fail after it.
  deps.metrics.fault(`LAUNCH_${error.kind.toUpperCase()}`);
  logger.warn('Launch deferred (back-pressure)', {
    kind: error.kind,
    reason: error.reason,
    delaySeconds,
    tries: attempt.launchTries + 1,
  });
  await deps.store.releaseAttempt(run.runId, run.attempt, error.reason, now);
  await deps.queue.enqueue([{ runId: run.runId, attempt: run.attempt, delaySeconds }]);
  return 'deferred';
};

/** Launches one attempt; see the module comment for the steps. */
export const launchOne = async (deps: LaunchDeps, message: LaunchMessage): Promise<LaunchResult> => {
  const found = await deps.store.getRun(message.runId);
  if (!found) {
    logger.error('Launch message for a run that does not exist', { runId: message.runId });
    return 'skipped';
  }
  let run = found;
  return withCorrelation({ job: run.job, runId: run.runId, attempt: message.attempt }, async () => {
    if (run.status !== 'QUEUED' || run.attempt !== message.attempt) {
      // A launcher that died after recording the task but before publishing: finish its work.
      if (run.attempt === message.attempt && (run.status === 'STARTING' || run.status === 'RUNNING')) {
        await publishOnce(deps, run, 'Run Started', await deps.store.getAttempt(run.runId, run.attempt));
      }
      // A launcher that died after a launch failed for good and before Run Failed: publish it now.
      if (run.attempt === message.attempt && isFinal(run.status))
        await publishFinal(deps, run, () => deps.store.getAttempt(run.runId, run.attempt));
      // A launcher that died before stopping the task of a run cancelled meanwhile: stop it now.
      if (run.attempt === message.attempt && (run.status === 'CANCELLING' || run.status === 'CANCELLED')) {
        const attempt = await deps.store.getAttempt(run.runId, run.attempt);
        if (attempt?.taskArn && attempt.status !== 'STOPPED') await stopStrayTask(deps, run, attempt.taskArn);
      }
      logger.debug('Launch message is stale or a duplicate', { status: run.status, runAttempt: run.attempt });
      return 'skipped';
    }
    const now = deps.now();
    if (run.notBefore && run.notBefore > now.toISOString()) {
      await deps.queue.enqueue([
        { runId: run.runId, attempt: run.attempt, delaySeconds: seconds(now.toISOString(), new Date(run.notBefore)) },
      ]);
      return 'deferred';
    }
    const job = jobOf(deps, run);
    if (!job)
      return failLaunch(deps, run, notLaunchedReason(`job '${run.job}' is no longer in the catalog`), undefined);

    if (job.maxConcurrent !== undefined) {
      let slot = await deps.store.acquireSlot(job.name, job.maxConcurrent, run.runId, now);
      if (slot === undefined) {
        // Say we wait before looking again, so a slot freed in between is not missed by both sides;
        // and that this dispatch is handled, so the next freed slot sends this run again.
        await deps.store.transition(
          run,
          { from: ['QUEUED'], attempt: run.attempt, set: { waitingForSlot: true }, remove: ['dispatchedAt'] },
          now,
        );
        slot = await deps.store.acquireSlot(job.name, job.maxConcurrent, run.runId, now);
        if (slot === undefined) {
          logger.info('All concurrency slots taken: run waits', { maxConcurrent: job.maxConcurrent });
          return 'waiting';
        }
      }
      if (run.slot !== slot || run.waitingForSlot || run.dispatchedAt) {
        const updated = await deps.store.transition(
          run,
          { from: ['QUEUED'], attempt: run.attempt, set: { slot }, remove: ['waitingForSlot', 'dispatchedAt'] },
          now,
        );
        if (!updated) {
          await deps.store.releaseSlot(job.name, slot, run.runId);
          return 'skipped';
        }
        run = updated;
      }
    }

    const claim = await deps.store.claimAttempt(
      {
        runId: run.runId,
        attempt: run.attempt,
        capacityProvider: run.capacity,
        cpu: run.size.cpu,
        memory: run.size.memory,
        expiresAt: run.expiresAt,
      },
      now,
      LAUNCH_LEASE_SECONDS,
    );
    if (!claim.claimed) {
      if (claim.attempt.taskArn) return recordTask(deps, run, claim.attempt.taskArn, 'adopted');
      if (claim.attempt.status === 'LAUNCHING') {
        logger.info('Another launcher holds this attempt', { leaseUntil: claim.attempt.leaseUntil });
        return 'busy';
      }
      // A launcher that recorded a launch failure and died (or failed) before the policy moved the
      // run on: the run is still QUEUED on this attempt, and nothing else would ever settle it.
      if (claim.attempt.status === 'LAUNCH_FAILED') {
        // The reason was logged (and counted) where it was met; the attempt holds it for the policy.
        logger.warn('Launch failure recorded before: settling it');
        const { run: after } = await settleAttempt(deps, run, claim.attempt, job);
        return after.status === 'QUEUED' ? 'deferred' : 'failed';
      }
      return 'skipped';
    }

    // The catalog decides who may change what: a run queued with an override its job no longer
    // accepts does not run with it (the control function checked it against the catalog of then).
    const refused = run.overrides ? overridePolicyProblems(job, run.overrides) : [];
    if (refused.length > 0)
      return failLaunch(deps, run, notLaunchedReason(`overrides the job does not accept: ${refused.join('; ')}`), job);

    let request: ReturnType<typeof buildRunTaskRequest>;
    try {
      const network = deps.networks[job.network];
      if (!network)
        return failLaunch(
          deps,
          run,
          notLaunchedReason(`network '${job.network}' has no subnets configured in this stage`),
          job,
        );
      request = buildRunTaskRequest({
        stage: deps.settings.stage,
        clusterArn: deps.settings.clusterArn,
        job,
        run,
        network,
        taskDefinition: taskFamily(deps.settings.stage, job.name),
      });
    } catch (e) {
      if (e instanceof OverridesTooLargeError) return failLaunch(deps, run, notLaunchedReason(e.message), job);
      throw e;
    }

    // The clientToken protects for 24 hours; an attempt first claimed longer ago may have a task.
    if (seconds(claim.attempt.launchRequestedAt, now) > CLIENT_TOKEN_TTL_SECONDS) {
      const existing = await deps.ecs.tasksStartedBy(
        deps.settings.clusterArn,
        startedBy(deps.settings.stage, run.runId, run.attempt),
      );
      if (existing[0]) return recordTask(deps, run, existing[0], 'adopted');
    }

    await deps.pace();
    try {
      const task = await deps.ecs.runTask(request);
      return recordTask(deps, run, task.taskArn, task.adopted ? 'adopted' : 'launched');
    } catch (e) {
      if (!(e instanceof LaunchError)) throw e;
      if (
        e.kind === 'capacity' &&
        run.capacity === 'FARGATE_SPOT' &&
        job.capacity.type === 'fargate-spot' &&
        job.capacity.fallback === 'on-demand'
      ) {
        deps.metrics.fault('LAUNCH_CAPACITY');
        logger.warn('No Spot capacity: falling back to on-demand', { reason: e.reason });
        await deps.store.releaseAttempt(run.runId, run.attempt, e.reason, now);
        await deps.store.transition(run, { from: ['QUEUED'], attempt: run.attempt, set: { capacity: 'FARGATE' } }, now);
        await deps.queue.enqueue([{ runId: run.runId, attempt: run.attempt }]);
        return 'fallback';
      }
      if (e.retryable) return retryLater(deps, run, claim.attempt, e);
      return failLaunch(deps, run, e.reason, job);
    }
  });
};
