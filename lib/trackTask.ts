/**
 * Tracking (invariants 3 and 4, docs/architecture.md): ECS task state changes close attempts. An event is trusted only for our
 * cluster, our stage, an attempt the run has, and that attempt's own task (an attempt without a task
 * yet adopts it). Events come duplicated and out of order: one is applied only if its
 * `detail.version` is newer than the attempt's, and a STOPPED attempt is never reopened. RUNNING
 * moves the run to RUNNING; other statuses before STOPPED are only recorded; the Spot two-minute
 * notice is only recorded; STOPPED records every container's exit and the failure policy decides
 * what follows (or, for a run being cancelled, closes it CANCELLED).
 */
import { closeCancelled } from './cancelRun.ts';
import type { TaskDetail } from './contracts/ecs.ts';
import { containerResults } from './domain/attemptFacts.ts';
import { logTargetOf, summarizeTaskEvent } from './domain/attemptSummary.ts';
import { attemptCostOf, regionOfArn } from './domain/cost.ts';
import { parseStartedBy } from './domain/names.ts';
import type { Verdict } from './domain/policy.ts';
import { type Attempt, isFinal } from './domain/run.ts';
import { publishKey } from './domain/runEvents.ts';
import { LOST_REASON_PREFIX } from './domain/stopReasons.ts';
import { isSpotNotice, taskPhase } from './domain/taskStatus.ts';
import { addCorrelation, logger, withCorrelation } from './logger.ts';
import type { CoreDeps } from './ports.ts';
import { jobOf, publishFinal, releaseSlotOf } from './runLifecycle.ts';
import { decisionWithStop, resumeRetry, settleAttempt } from './settleAttempt.ts';

export type TrackResult =
  | 'foreign'
  | 'unknown-run'
  /** The run never had the attempt the event names. */
  | 'unknown-attempt'
  /** A status before STOPPED that does not move the run (PENDING, STOPPING...): recorded only. */
  | 'recorded'
  | 'cancelled'
  | 'stale'
  | 'older-attempt'
  | 'running'
  | 'spot-notice'
  | 'settled'
  | 'closed-after-final';

const seconds = (from?: string, to?: string): number | undefined =>
  from && to ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)) : undefined;

const cut = (s: string | undefined, n = 1024): string | undefined => (s === undefined ? undefined : s.slice(0, n));

/**
 * Applies one task event; returns what it did.
 *
 * @example await trackTaskEvent(deps, parseTaskStateChange(event))
 */
export const trackTaskEvent = async (
  deps: CoreDeps,
  detail: TaskDetail,
): Promise<{ outcome: TrackResult; runId?: string; verdict?: Verdict }> => {
  const ref = parseStartedBy(detail.startedBy);
  if (!ref || ref.stage !== deps.settings.stage || detail.clusterArn !== deps.settings.clusterArn) {
    logger.debug('Task is not ours: ignored', {
      taskArn: detail.taskArn,
      clusterArn: detail.clusterArn,
      startedBy: detail.startedBy,
    });
    return { outcome: 'foreign' };
  }
  return withCorrelation({ runId: ref.runId, attempt: ref.attempt, taskArn: detail.taskArn }, async () => {
    const run = await deps.store.getRun(ref.runId);
    if (!run) {
      logger.warn('Task event for a run that does not exist (expired history, or another table)', {
        lastStatus: detail.lastStatus,
      });
      return { outcome: 'unknown-run', runId: ref.runId };
    }
    addCorrelation({ job: run.job });
    if (ref.attempt > run.attempt) {
      logger.warn('Task event names an attempt the run never had: ignored', { runAttempt: run.attempt });
      return { outcome: 'unknown-attempt', runId: ref.runId };
    }
    const job = jobOf(deps, run);
    const phase = taskPhase(detail.lastStatus);
    const stopped = phase === 'stopped';
    const notice = isSpotNotice(detail);
    // What decided, from this event: the log stream of that container (none if the task never started).
    const ran = summarizeTaskEvent(
      detail,
      containerResults(job, detail.containers),
      job && logTargetOf(deps.settings.stage, job),
    );
    // Priced in the same write as the stop (no extra write): the capacity and size the task ran with.
    // A lost task's stop time is when the sweeper gave up on it: its bill is not known, so no estimate.
    const lost = (detail.stoppedReason ?? '').startsWith(LOST_REASON_PREFIX);
    const cost =
      stopped && !lost
        ? attemptCostOf({
            cpu: detail.cpu !== undefined ? Number(detail.cpu) : run.size.cpu,
            memory: detail.memory !== undefined ? Number(detail.memory) : run.size.memory,
            capacity: detail.capacityProviderName ?? run.capacity,
            architecture: job?.architecture ?? 'X86_64',
            ...(job?.size.ephemeralStorageGiB !== undefined
              ? { ephemeralStorageGiB: job.size.ephemeralStorageGiB }
              : {}),
            ...(regionOfArn(detail.taskArn) ? { region: regionOfArn(detail.taskArn) } : {}),
            started: ran.costApplies,
            times: {
              pullStartedAt: detail.pullStartedAt,
              startedAt: detail.startedAt,
              taskCreatedAt: detail.createdAt,
              stoppedAt: detail.stoppedAt,
            },
          })
        : undefined;
    const set: Partial<Attempt> = {
      lastStatus: detail.lastStatus,
      desiredStatus: detail.desiredStatus,
      ...(stopped ? { status: 'STOPPED' as const } : phase === 'running' ? { status: 'RUNNING' as const } : {}),
      capacityProvider: detail.capacityProviderName,
      cpu: detail.cpu !== undefined ? Number(detail.cpu) : undefined,
      memory: detail.memory !== undefined ? Number(detail.memory) : undefined,
      taskCreatedAt: detail.createdAt,
      pullStartedAt: detail.pullStartedAt,
      startedAt: detail.startedAt,
      stoppedAt: detail.stoppedAt,
      stopCode: detail.stopCode,
      stoppedReason: cut(detail.stoppedReason),
      containers: detail.containers.length ? containerResults(job, detail.containers) : undefined,
      durationSeconds: ran.durationSeconds,
      logLink: ran.logLink,
      ...(cost ? { cost } : {}),
      ...(notice ? { spotNoticeAt: deps.now().toISOString() } : {}),
    };
    // The policy's decision in this same write when the event alone decides (settleAttempt then
    // skips its own write of it): one write fewer per settled attempt (issue 12).
    const decision = stopped ? decisionWithStop(run, ref.attempt, job, set) : undefined;
    if (decision) set.decision = decision;
    // Its own attempt's task only, newer than what is recorded, never reopening STOPPED (invariant 3).
    const applied = await deps.store.applyTaskEvent(ref, detail, set);
    let attempt: Attempt;
    if (applied.applied) attempt = applied.attempt;
    else if (applied.why === 'no-attempt') {
      logger.warn('Task event for an attempt that was never launched: ignored', { lastStatus: detail.lastStatus });
      return { outcome: 'unknown-attempt', runId: ref.runId };
    } else if (applied.why === 'other-task') {
      logger.warn("Task event for another task than the attempt's: ignored as foreign", {
        attemptTask: applied.current?.taskArn,
      });
      return { outcome: 'foreign', runId: ref.runId };
    } else if (stopped && applied.current?.status === 'STOPPED') {
      // A duplicate STOPPED may find the run not yet settled (the last delivery died): settle it.
      attempt = applied.current;
    } else {
      logger.debug('Stale or duplicate task event: ignored', {
        version: detail.version,
        recorded: applied.current?.taskVersion,
        lastStatus: detail.lastStatus,
      });
      return { outcome: 'stale', runId: ref.runId };
    }
    if (run.attempt !== ref.attempt) {
      // The retry this attempt decided may have been cut short after the run moved on: finish it.
      if (stopped && attempt.decision && run.status === 'QUEUED' && run.attempt === ref.attempt + 1)
        await resumeRetry(deps, run, attempt);
      logger.debug('Event of an earlier attempt: recorded only', { runAttempt: run.attempt });
      return { outcome: 'older-attempt', runId: ref.runId };
    }
    if (notice) {
      logger.warn(
        'Fargate Spot interruption notice: the task gets SIGTERM and stops within 2 minutes; its STOPPED event decides',
      );
      return { outcome: 'spot-notice', runId: ref.runId };
    }
    if (!stopped && phase !== 'running') {
      logger.debug('Task status recorded', { lastStatus: detail.lastStatus, phase });
      return { outcome: 'recorded', runId: ref.runId };
    }
    if (!stopped) {
      const now = deps.now();
      const moved = await deps.store.transition(
        run,
        {
          from: ['QUEUED', 'STARTING'],
          attempt: run.attempt,
          to: 'RUNNING',
          set: { taskArn: detail.taskArn, ...(detail.startedAt ? { startedAt: detail.startedAt } : {}) },
          remove: ['waitingForSlot'],
          // From QUEUED (the task's event before the launcher's record), Run Started becomes due
          // here; the launcher publishes it when it records the task. From STARTING it is there.
          publish: [publishKey('Run Started', run.attempt)],
        },
        now,
      );
      if (moved) {
        const wait = seconds(run.createdAt, detail.startedAt);
        if (wait !== undefined && run.attempt === 1) deps.metrics.record(run.job, 'QueueWait', wait);
        logger.info('Task running');
      }
      return { outcome: 'running', runId: ref.runId };
    }
    if (run.status === 'CANCELLING') {
      await closeCancelled(deps, run, attempt);
      return { outcome: 'cancelled', runId: ref.runId };
    }
    if (isFinal(run.status)) {
      // Settled already (a duplicate), or cancelled while running: the task is gone, so is its slot;
      // and the final event, if the delivery that made the run final died before publishing it.
      await releaseSlotOf(deps, run);
      await publishFinal(deps, run, attempt);
      if (attempt.decision) return { outcome: 'stale', runId: ref.runId };
      logger.info('Task stopped after its run became final', { status: run.status });
      return { outcome: 'closed-after-final', runId: ref.runId };
    }
    const { verdict } = await settleAttempt(deps, run, attempt, job);
    return { outcome: 'settled', runId: ref.runId, ...(verdict ? { verdict } : {}) };
  });
};
