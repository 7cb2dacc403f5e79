/**
 * What follows an attempt that ended: the failure policy's verdict applied to the run. Every step
 * is conditional on the run still being at that attempt and active, so a redelivered event (or a
 * launcher and a tracker racing) applies it once; side effects after the state write (slot,
 * launch message, run event) are idempotent and repeated on redelivery.
 */

import { closeCancelled } from './cancelRun.ts';
import type { Job } from './catalog/schema.ts';
import { factsFromAttempt } from './domain/attemptFacts.ts';
import { summarizeAttempt } from './domain/attemptSummary.ts';
import { decide, type Verdict } from './domain/policy.ts';
import { type Attempt, type Decision, isFinal, type Run, type RunOutcome, WORKING_STATUSES } from './domain/run.ts';
import { publishKey } from './domain/runEvents.ts';
import { logger } from './logger.ts';
import type { CoreDeps } from './ports.ts';
import { costWith, finishRun, publishOnce, releaseSlotOf } from './runLifecycle.ts';
import { readRunResult } from './runResult.ts';

/**
 * What the run records of the attempt that decided (`Run.outcome`): the verdict, and the stop code
 * when the run ends on it (a retrying run's next attempt has its own).
 */
const runOutcome = (verdict: Verdict, stopCode?: string): RunOutcome => ({
  ...(verdict.exitCode !== undefined ? { exitCode: verdict.exitCode } : {}),
  ...(stopCode ? { stopCode } : {}),
  action: verdict.action,
  rule: verdict.rule,
  diagnosis: verdict.diagnosis,
});

const retryRun = async (
  deps: CoreDeps,
  run: Run,
  verdict: Extract<Verdict, { outcome: 'retry' }>,
  attempt: Attempt,
): Promise<Run> => {
  const now = deps.now();
  const cost = costWith(run, attempt);
  const notBefore =
    verdict.delaySeconds > 0 ? new Date(now.getTime() + verdict.delaySeconds * 1000).toISOString() : undefined;
  const next = await deps.store.transition(
    run,
    {
      from: WORKING_STATUSES,
      attempt: run.attempt,
      to: 'QUEUED',
      set: {
        attempt: verdict.nextAttempt,
        capacity: verdict.capacity,
        size: verdict.size,
        retries: verdict.retries,
        outcome: runOutcome(verdict),
        ...(notBefore ? { notBefore } : {}),
        ...(cost ? { costUsd: cost.costUsd } : {}),
      },
      remove: [
        'taskArn',
        'startedAt',
        'slot',
        'waitingForSlot',
        'dispatchedAt',
        ...(notBefore ? [] : (['notBefore'] as const)),
      ],
      publish: [publishKey('Run Retrying', verdict.nextAttempt)],
    },
    now,
  );
  const current = next ?? (await deps.store.getRun(run.runId)) ?? run;
  if (current.status !== 'QUEUED' || current.attempt !== verdict.nextAttempt) return current;
  // Also on redelivery after a crash past the transition: all of this is idempotent.
  if (run.slot !== undefined) await releaseSlotOf(deps, { ...current, slot: run.slot });
  await deps.queue.enqueue([{ runId: current.runId, attempt: current.attempt, delaySeconds: verdict.delaySeconds }]);
  await publishOnce(deps, current, 'Run Retrying', attempt);
  if (next) deps.metrics.record(run.job, 'RunsRetried', 1);
  if (next && cost && cost.added > 0) deps.metrics.record(run.job, 'Cost', cost.added);
  logger.info('Attempt failed; retrying', {
    rule: verdict.rule,
    action: verdict.action,
    nextAttempt: verdict.nextAttempt,
    delaySeconds: verdict.delaySeconds,
  });
  return current;
};

/** Repeats the side effects of a retry whose run already moved to the next attempt (idempotent). */
export const resumeRetry = async (deps: CoreDeps, run: Run, attempt: Attempt): Promise<void> => {
  const delaySeconds = run.notBefore ? Math.max(0, (Date.parse(run.notBefore) - deps.now().getTime()) / 1000) : 0;
  await deps.queue.enqueue([{ runId: run.runId, attempt: run.attempt, delaySeconds }]);
  await publishOnce(deps, run, 'Run Retrying', attempt);
};

/** The verdict as the attempt records it. */
export const decisionOf = (verdict: Verdict): Decision => ({
  action: verdict.action,
  rule: verdict.rule,
  diagnosis: verdict.diagnosis,
  next: verdict.next,
  ...(verdict.outcome === 'retry' ? { delaySeconds: verdict.delaySeconds } : {}),
});

const sameDecision = (a: Decision, b: Decision): boolean =>
  a.action === b.action &&
  a.rule === b.rule &&
  a.diagnosis === b.diagnosis &&
  a.next === b.next &&
  a.delaySeconds === b.delaySeconds;

/**
 * The decision a STOPPED event makes on its own, to record in the same write as the event: only
 * when the event carries every fact the policy reads (its containers, stop code and stopped reason;
 * else an earlier event's facts on the attempt count, and the decision waits for the write), for
 * the run's current attempt of a job it still has, the run neither final nor being cancelled.
 * Anything else is decided after the write, as before.
 */
export const decisionWithStop = (
  run: Run,
  attemptNumber: number,
  job: Job | undefined,
  facts: Pick<Attempt, 'containers' | 'stopCode' | 'stoppedReason'>,
): Decision | undefined => {
  if (!job || run.attempt !== attemptNumber || isFinal(run.status) || run.status === 'CANCELLING') return undefined;
  if (!facts.containers?.length || facts.stopCode === undefined || facts.stoppedReason === undefined) return undefined;
  return decisionOf(decide(job, run, factsFromAttempt({ status: 'STOPPED', ...facts } as Attempt)));
};

/**
 * Decides and applies the outcome of a finished attempt. The decision is recorded on the attempt
 * (rule, action, diagnosis, what next) so "why was this retried?" has an answer.
 */
export const settleAttempt = async (
  deps: CoreDeps,
  run: Run,
  attempt: Attempt,
  job: Job | undefined,
): Promise<{ run: Run; verdict?: Verdict }> => {
  // A cancel won the race with this attempt's end: the run closes as cancelled, not by the policy.
  if (run.status === 'CANCELLING') return { run: await closeCancelled(deps, run, attempt) };
  if (!job) {
    const reason = `job '${run.job}' is no longer in the catalog`;
    return {
      run: await finishRun(
        deps,
        run,
        { to: 'FAILED', from: WORKING_STATUSES, attempt: run.attempt, reason, releaseSlot: true },
        attempt,
      ),
    };
  }
  const verdict = decide(job, run, factsFromAttempt(attempt));
  const decision = decisionOf(verdict);
  // The tracker writes the decision with the STOPPED event when the event alone decides (one write
  // fewer, issue 12); the policy is pure, so the verdict here is the one it wrote.
  const recorded =
    attempt.decision && sameDecision(attempt.decision, decision)
      ? attempt
      : ((await deps.store.recordDecision(run.runId, attempt.attempt, decision)) ?? { ...attempt, decision });
  const outcome = runOutcome(verdict, attempt.stopCode);
  if (verdict.outcome === 'retry') {
    const next = await retryRun(deps, run, verdict, recorded);
    return { run: next.status === 'CANCELLING' ? await closeCancelled(deps, next, recorded) : next, verdict };
  }
  const to = verdict.outcome === 'success' ? 'SUCCEEDED' : verdict.finalStatus;
  // The job's declared result, read before the write that records it (never failing the settle).
  const result = verdict.outcome === 'success' ? await readRunResult(deps, job, recorded) : undefined;
  const finished = await finishRun(
    deps,
    run,
    {
      to,
      from: WORKING_STATUSES,
      attempt: run.attempt,
      outcome,
      reason: verdict.diagnosis,
      releaseSlot: true,
      ...(result ? { set: result } : {}),
    },
    recorded,
  );
  if (finished.status === to && run.status !== to) {
    deps.metrics.record(
      run.job,
      to === 'SUCCEEDED' ? 'RunsSucceeded' : to === 'TIMED_OUT' ? 'RunsTimedOut' : 'RunsFailed',
      1,
    );
    // Only a task that ran has a run time: a task that never started is not a 0 s (or 88 s) run.
    const ran = summarizeAttempt(attempt).durationSeconds;
    if (ran !== undefined) deps.metrics.record(run.job, 'RunDuration', ran);
  }
  if (finished.status === 'CANCELLING') return { run: await closeCancelled(deps, finished, recorded), verdict };
  logger.info(`Run ${finished.status}`, { rule: verdict.rule, action: verdict.action, diagnosis: verdict.diagnosis });
  return { run: finished, verdict };
};
