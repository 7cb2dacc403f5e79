/**
 * The sweeper (every 5 minutes): what events alone cannot guarantee.
 * - Runs past their job's timeout: StopTask with a reason the STOPPED event carries (TIMED_OUT).
 * - Attempts stuck in STARTING, or RUNNING with no news: reconciled with DescribeTasks, fed to the
 *   tracker as the event ECS would have sent; a task ECS no longer knows (MISSING, stopped over an
 *   hour ago) is closed as lost and the policy decides.
 * - Queued runs whose launch message was lost, runs waiting for a slot that is free, slots held by
 *   runs that are final: dispatched or freed.
 * - Cancelled runs whose task is not known stopped yet (CANCELLING): StopTask again, and closed
 *   CANCELLED once ECS says the task stopped (or never existed).
 * - Schedule ticks that produced no run: `Schedule Missed`, once per tick (lib/missedTicks.ts); not
 *   for a tick due while its job was paused (its schedule was disabled).
 * - PAUSED runs of a job that is not paused (a resume that died before releasing them): released.
 * - Batches of uploads whose window passed (or left full or sealed): closed, their runs started
 *   (lib/acceptBatch.ts). A batch closes at most one sweep interval after its window.
 * One sweep at a time (a lease item, not reserved concurrency, which new accounts cannot grant).
 */

import { type ClosedBatch, closeDueBatches } from './acceptBatch.ts';
import { closeCancelled, requestStop } from './cancelRun.ts';
import { findJob } from './catalog/active.ts';
import type { Job } from './catalog/schema.ts';
import { taskFromDescribe } from './contracts/ecs.ts';
import { formatDuration, parseDuration } from './domain/duration.ts';
import { startedBy } from './domain/names.ts';
import { isFinal, type Run } from './domain/run.ts';
import { LOST_REASON, timeoutReason } from './domain/stopReasons.ts';
import { faultKind, TaskGoneError } from './errors.ts';
import { logger, withCorrelation } from './logger.ts';
import { missedTicks } from './missedTicks.ts';
import { releasePaused } from './pauseJob.ts';
import type { SweepDeps } from './ports.ts';
import { dispatchQueued } from './runLifecycle.ts';
import { familiesInUse, retireTaskDefinitions } from './sweepTaskDefinitions.ts';
import { reconcileParent } from './tallyChild.ts';
import { trackTaskEvent } from './trackTask.ts';

/** A task not RUNNING this long after launch is looked up in ECS. */
export const START_DEADLINE_SECONDS = 15 * 60;
/** A run without any change for this long is checked against ECS (a STOPPED event may be lost). */
export const QUIET_SECONDS = 10 * 60;
/** A queued run this old with no launch in progress gets its launch message again. */
export const REQUEUE_AFTER_SECONDS = 15 * 60;

/** The lease that keeps sweeps single-flight outlives the sweeper's 120 s timeout. */
export const SWEEP_LEASE_SECONDS = 150;
/** A CANCELLING run's StopTask is asked for again after this long without the task stopping. */
export const STOP_RETRY_SECONDS = 60;

export interface SweepReport {
  /** Set when another sweep held the lease: this one did nothing. */
  skipped?: string;
  timedOut: string[];
  /** CANCELLING runs: StopTask asked again, and runs closed CANCELLED. */
  stopRetried: string[];
  cancelled: string[];
  reconciled: { runId: string; outcome: string }[];
  lost: string[];
  requeued: string[];
  /** PAUSED runs of a job no longer paused, released. */
  released: string[];
  dispatched: number;
  slotsFreed: number;
  missedTicks: { job: string; scheduledTime: string }[];
  /** Task definition revisions of runs on another image, deregistered (lib/sweepTaskDefinitions.ts). */
  deregistered: string[];
  /** Batches of uploads the sweep closed (window passed, or left full or sealed by a closer that died). */
  batches: ClosedBatch[];
}

const age = (iso: string | undefined, now: Date): number => (iso ? (now.getTime() - Date.parse(iso)) / 1000 : 0);

const stopTimedOut = async (deps: SweepDeps, job: Job, run: Run, now: Date, report: SweepReport): Promise<boolean> => {
  const limit = parseDuration(job.timeout) ?? 3600;
  const since = run.startedAt ?? run.updatedAt;
  if (!run.taskArn || run.timeoutRequestedAt || age(since, now) <= limit) return false;
  const reason = timeoutReason(formatDuration(age(since, now)), job.timeout);
  try {
    await deps.ecs.stopTask(deps.settings.clusterArn, run.taskArn, reason);
  } catch (e) {
    if (!(e instanceof TaskGoneError)) throw e;
    // Nothing to stop: the task is gone without a STOPPED event (its host lost). Closed as lost now,
    // so the policy decides; left alone, StopTask would fail the same way at every sweep.
    logger.warn('Run past its timeout, and ECS no longer knows its task: closed as lost');
    await closeLost(deps, run, run.taskArn, now, report);
    return true;
  }
  await deps.store.transition(
    run,
    { from: ['STARTING', 'RUNNING'], attempt: run.attempt, set: { timeoutRequestedAt: now.toISOString() } },
    now,
  );
  logger.warn('Run past its timeout: task stopped', { timeout: job.timeout });
  report.timedOut.push(run.runId);
  return true;
};

const reconcile = async (deps: SweepDeps, runs: Run[], now: Date, report: SweepReport): Promise<void> => {
  for (let i = 0; i < runs.length; i += 100) {
    const chunk = runs.slice(i, i + 100);
    const byArn = new Map(chunk.map((r) => [r.taskArn as string, r]));
    const { tasks, missing } = await deps.ecs.describeTasks(deps.settings.clusterArn, [...byArn.keys()]);
    for (const task of tasks) {
      const out = await trackTaskEvent(deps, taskFromDescribe(task));
      report.reconciled.push({ runId: byArn.get(task.taskArn ?? '')?.runId ?? '?', outcome: out.outcome });
    }
    for (const arn of missing) {
      const run = byArn.get(arn);
      // Right after RunTask a task may not be visible yet; MISSING means gone only for older runs. A
      // CANCELLING run's updatedAt moves with every stop request: its age counts from the cancel.
      const since = run?.status === 'CANCELLING' ? run.cancelRequestedAt : run?.updatedAt;
      if (!run || age(since, now) < START_DEADLINE_SECONDS) continue;
      await closeLost(deps, run, arn, now, report);
    }
  }
};

/** A task ECS no longer knows, with no STOPPED event seen: its attempt ends as lost, and the policy decides. */
const closeLost = async (deps: SweepDeps, run: Run, taskArn: string, now: Date, report: SweepReport): Promise<void> => {
  const attempt = await deps.store.getAttempt(run.runId, run.attempt);
  const out = await trackTaskEvent(deps, {
    taskArn,
    clusterArn: deps.settings.clusterArn,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    version: (attempt?.taskVersion ?? 0) + 1,
    startedBy: startedBy(deps.settings.stage, run.runId, run.attempt),
    stoppedReason: LOST_REASON,
    stoppedAt: now.toISOString(),
    containers: [],
  });
  report.lost.push(run.runId);
  report.reconciled.push({ runId: run.runId, outcome: out.outcome });
};

/**
 * A CANCELLING run: closed when no task can exist (the launch never produced one: found neither on
 * the attempt nor by startedBy once the launch lease is over); else its task, which the sweep
 * reconciles with DescribeTasks like any other and, if it still runs, stops again (`repeatStops`).
 */
const sweepCancelling = async (
  deps: SweepDeps,
  run: Run,
  now: Date,
  report: SweepReport,
): Promise<string | undefined> => {
  const attempt = await deps.store.getAttempt(run.runId, run.attempt);
  let taskArn = run.taskArn ?? attempt?.taskArn;
  const launching = attempt?.status === 'LAUNCHING';
  if (!taskArn && launching && attempt.leaseUntil && attempt.leaseUntil > now.toISOString()) return undefined;
  if (!taskArn && launching) {
    // The launcher died: RunTask may have started a task it never recorded.
    taskArn = (
      await deps.ecs.tasksStartedBy(deps.settings.clusterArn, startedBy(deps.settings.stage, run.runId, run.attempt))
    )[0];
  }
  if (!taskArn) {
    await closeCancelled(deps, run, attempt);
    report.cancelled.push(run.runId);
    return undefined;
  }
  return taskArn;
};

/** StopTask again for cancelled runs whose task DescribeTasks did not show stopped. */
const repeatStops = async (deps: SweepDeps, runs: Run[], now: Date, report: SweepReport): Promise<void> => {
  for (const r of runs) {
    const run = await deps.store.getRun(r.runId);
    if (run?.status !== 'CANCELLING' || !r.taskArn) continue;
    if (run.stopRequestedAt && age(run.stopRequestedAt, now) < STOP_RETRY_SECONDS) continue;
    if (await requestStop(deps, run, r.taskArn)) report.stopRetried.push(run.runId);
  }
};

const freeLeakedSlots = async (deps: SweepDeps, job: Job, report: SweepReport): Promise<void> => {
  for (const holder of await deps.store.slotHolders(job.name)) {
    const run = await deps.store.getRun(holder.runId);
    // A run keeps its slot until its task stopped (a cancel waits in CANCELLING), so a final run's
    // slot is a leak: its last delivery died after the final write and before the release. A
    // PAUSED run holds none either (the launcher gives it back before holding the run).
    const stale = !run || isFinal(run.status) || run.status === 'PAUSED';
    if (stale && (await deps.store.releaseSlot(job.name, holder.slot, holder.runId))) {
      report.slotsFreed++;
      logger.warn('Freed a concurrency slot held by a finished run', {
        job: job.name,
        runId: holder.runId,
        slot: holder.slot,
      });
    }
  }
};

/**
 * One sweep over every job of the catalog.
 *
 * @example const report = await sweep(deps);
 */
export const emptySweepReport = (): SweepReport => ({
  timedOut: [],
  stopRetried: [],
  cancelled: [],
  reconciled: [],
  lost: [],
  requeued: [],
  released: [],
  dispatched: 0,
  slotsFreed: 0,
  missedTicks: [],
  deregistered: [],
  batches: [],
});

/**
 * One sweep, unless another is running: `holder` (the invocation's request id) takes the sweep's
 * lease first, and gives it back when done.
 *
 * @example const report = await sweepOnce(deps, context.awsRequestId);
 */
export const sweepOnce = async (deps: SweepDeps, holder: string): Promise<SweepReport> => {
  if (!(await deps.store.takeLease('sweeper', holder, SWEEP_LEASE_SECONDS, deps.now()))) {
    logger.info('Another sweep holds the lease: nothing to do');
    return { ...emptySweepReport(), skipped: 'another sweep is running' };
  }
  // Giving the lease back early is a courtesy (it runs out by itself in SWEEP_LEASE_SECONDS): its
  // failure is reported and never replaces the sweep's own result or error.
  const release = async () => {
    try {
      await deps.store.releaseLease('sweeper', holder, deps.now());
    } catch (e) {
      deps.metrics.fault(faultKind(e));
      logger.warn('Could not give the sweep lease back; it runs out by itself', { error: e as Error });
    }
  };
  try {
    const report = await sweep(deps);
    await release();
    return report;
  } catch (e) {
    await release();
    throw e;
  }
};

export const sweep = async (deps: SweepDeps): Promise<SweepReport> => {
  const now = deps.now();
  const report: SweepReport = emptySweepReport();
  const familiesUsed = new Set<string>();
  const parents = new Map<string, Promise<Run | undefined>>();
  const parentOf = (runId: string): Promise<Run | undefined> => {
    const known = parents.get(runId) ?? deps.store.getRun(runId);
    parents.set(runId, known);
    return known;
  };
  for (const job of deps.catalog().jobs) {
    const active = await deps.store.activeRuns(job.name);
    const state = await deps.store.getJobState(job.name);
    for (const family of familiesInUse(deps.settings.stage, job.name, active)) familiesUsed.add(family);
    const toCheck: Run[] = [];
    const requeue: Run[] = [];
    // Held by a paused job: no task, no slot, nothing to sweep (while the job is paused).
    const held = active.filter((r) => r.status === 'PAUSED');
    for (const run of active.filter((r) => r.status !== 'PAUSED')) {
      await withCorrelation(
        { job: job.name, runId: run.runId, attempt: run.attempt, ...(run.taskArn ? { taskArn: run.taskArn } : {}) },
        async () => {
          if (run.status === 'QUEUED' && run.heldByParent && run.parent) {
            // Fan-out (issue 14): a held child waits for a release; once its parent ended, the
            // launcher cancels it (a parent's end sends its held children, this repeats it).
            if (isFinal((await parentOf(run.parent.runId))?.status ?? 'CANCELLED')) requeue.push(run);
            return;
          }
          if (run.status === 'QUEUED') {
            const due = !run.notBefore || run.notBefore <= now.toISOString();
            if (due && !run.waitingForSlot && age(run.updatedAt, now) > REQUEUE_AFTER_SECONDS) requeue.push(run);
            return;
          }
          if (run.status === 'CANCELLING') {
            // Its task is known: DescribeTasks tells whether it stopped (then the run closes).
            const taskArn = await sweepCancelling(deps, run, now, report);
            if (taskArn) toCheck.push({ ...run, taskArn });
            return;
          }
          // Fan-out (issue 14): a parent has no task; a quiet one has its children counted again.
          if (run.fanOut && run.status === 'RUNNING') {
            if (age(run.updatedAt, now) > QUIET_SECONDS) await reconcileParent(deps, run);
            return;
          }
          if (await stopTimedOut(deps, job, run, now, report)) return;
          if (
            run.taskArn &&
            age(run.updatedAt, now) > (run.status === 'STARTING' ? START_DEADLINE_SECONDS : QUIET_SECONDS)
          )
            toCheck.push(run);
        },
      );
    }
    await reconcile(deps, toCheck, now, report);
    await repeatStops(
      deps,
      toCheck.filter((r) => r.status === 'CANCELLING'),
      now,
      report,
    );
    if (requeue.length > 0) {
      await deps.queue.enqueue(requeue.map((r) => ({ runId: r.runId, attempt: r.attempt })));
      report.requeued.push(...requeue.map((r) => r.runId));
    }
    if (held.length > 0 && !state?.paused) {
      logger.warn('PAUSED runs of a job that is not paused: releasing them', { job: job.name, runs: held.length });
      report.released.push(...(await releasePaused(deps, job)).released);
    }
    await freeLeakedSlots(deps, job, report);
    if (job.maxConcurrent !== undefined)
      report.dispatched += await dispatchQueued(deps, findJob(job.name, deps.catalog()));
    report.missedTicks.push(...(await missedTicks(deps, job, now, state)));
  }
  report.deregistered = await retireTaskDefinitions(deps, deps.catalog(), familiesUsed, now);
  report.batches.push(...(await closeDueBatches(deps)));
  logger.info('Sweep done', { ...report, reconciled: report.reconciled.length });
  return report;
};
