/**
 * Steps shared by every use case that moves a run: publish a run event once, finish a run (final
 * status, slot freed, next queued run dispatched, event published), and dispatch queued runs.
 */
import { findJob } from './catalog/active.ts';
import type { Job } from './catalog/schema.ts';
import type { Attempt, Run, RunStatus } from './domain/run.ts';
import { publishKey, type RunEventType, runEvent } from './domain/runEvents.ts';
import { logger } from './logger.ts';
import type { CoreDeps } from './ports.ts';

export const FINAL_EVENT: Partial<Record<RunStatus, RunEventType>> = {
  SUCCEEDED: 'Run Succeeded',
  FAILED: 'Run Failed',
  TIMED_OUT: 'Run Timed Out',
  CANCELLED: 'Run Cancelled',
  SKIPPED: 'Run Skipped',
};

/** The run event key a transition to `status` at `attempt` makes due (the final event), if any. */
export const finalEventKey = (status: RunStatus, attempt: number): string[] => {
  const type = FINAL_EVENT[status];
  return type ? [publishKey(type, attempt)] : [];
};

/**
 * Publishes a run event, once from its consumers' view: the event carries a fixed `eventId` (the run
 * and the event's key), so a second publication after a crash or a redelivery is the same event.
 * The transition that made the event due recorded it in its own write (`TransitionSpec.publish`);
 * only a caller that gets here without such a transition records it first (one more write), so the
 * run never owes an event it does not say it owes. Nothing is written after PutEvents: a crash
 * between the transition and PutEvents leaves the event due, and the redelivery, which finds the
 * transition done, publishes it (docs/decisions.md, "Run events recorded with the transition").
 */
export const publishOnce = async (deps: CoreDeps, run: Run, type: RunEventType, attempt?: Attempt): Promise<void> => {
  const key = publishKey(type, run.attempt);
  if (!run.published.includes(key)) {
    await deps.store.markPublished(run.runId, [key]);
    run.published = [...run.published, key].sort();
  }
  await deps.events.publish([runEvent(type, deps.settings.stage, run, attempt, jobOf(deps, run))]);
};

/**
 * Publishes a final run's final event: a delivery that died after the final write (and before the
 * event) is repaired by the next delivery that finds the run final, whichever it is (the task's
 * STOPPED event again, the launch message again, the cancel again); consumers know the repeat by
 * its `eventId`.
 */
export const publishFinal = async (
  deps: CoreDeps,
  run: Run,
  attempt?: Attempt | (() => Promise<Attempt | undefined>),
): Promise<void> => {
  const type = FINAL_EVENT[run.status];
  if (!type) return;
  await publishOnce(deps, run, type, typeof attempt === 'function' ? await attempt() : attempt);
};

/**
 * A waiting run whose dispatch was taken this long ago and that the launcher has not handled since
 * is sent again: the dispatcher may have died between taking it and sending the message. Longer
 * than a launch message waits in a busy queue, so a message on the way is not doubled.
 */
export const DISPATCH_RESEND_SECONDS = 300;
/** How many queued runs a dispatch looks at beyond its free slots (delayed retries among them). */
const DISPATCH_LOOKAHEAD = 10;

/**
 * Sends the oldest runs of a job that wait for a slot to the launcher, as many as it has free slots
 * (up to 25 when it has no limit), each once: only runs the launcher parked (`waitingForSlot`) are
 * sent, since any other queued run has a launch message on the way already (its first, a retry's),
 * and each is taken with a conditional write first (`claimDispatch`), so that two slots freed at
 * once send two different runs, not the same one twice. Safe to call any time: the launcher
 * re-checks everything.
 */
export const dispatchQueued = async (deps: CoreDeps, job: Job): Promise<number> => {
  const now = deps.now();
  const nowIso = now.toISOString();
  const due = (r: Run) => r.waitingForSlot === true && (!r.notBefore || r.notBefore <= nowIso);
  let room = 25;
  let queued: Run[] | undefined;
  if (job.maxConcurrent !== undefined) {
    // The queued runs first, as many as one freed slot looks at: when every queued run of the job
    // is among them and none waits (a clean run's release finds none), the slots are not read at
    // all (issue 12: one DynamoDB request fewer per run that frees a slot).
    const first = await deps.store.queuedRuns(job.name, 1 + DISPATCH_LOOKAHEAD);
    if (first.length < 1 + DISPATCH_LOOKAHEAD && !first.some(due)) return 0;
    const holders = await deps.store.slotHolders(job.name);
    room = Math.max(0, job.maxConcurrent - holders.filter((h) => h.slot < (job.maxConcurrent ?? 0)).length);
    if (room === 0) return 0;
    // More free slots than one: look as far as they reach, as before.
    if (room === 1 || first.length < 1 + DISPATCH_LOOKAHEAD) queued = first;
  }
  const waiting = (queued ?? (await deps.store.queuedRuns(job.name, room + DISPATCH_LOOKAHEAD))).filter(due);
  const sent: Run[] = [];
  for (const run of waiting) {
    if (sent.length === room) break;
    if (await deps.store.claimDispatch(run, now, DISPATCH_RESEND_SECONDS)) sent.push(run);
  }
  await deps.queue.enqueue(sent.map((r) => ({ runId: r.runId, attempt: r.attempt })));
  if (sent.length > 0) logger.debug('Dispatched waiting runs', { job: job.name, runs: sent.map((r) => r.runId) });
  return sent.length;
};

/** Frees the run's concurrency slot (if it holds one) and lets the next queued run of the job go. */
export const releaseSlotOf = async (deps: CoreDeps, run: Run): Promise<void> => {
  if (run.slot === undefined) return;
  await deps.store.releaseSlot(run.job, run.slot, run.runId);
  const job = deps.catalog().jobs.find((j) => j.name === run.job);
  if (job) await dispatchQueued(deps, job);
};

/**
 * The run's cost once `attempt` is settled: what it had plus the attempt's estimate. Only for the
 * run's current attempt (an earlier attempt's cost was added when its retry moved the run on), and
 * only by the conditional transition that settles it, so each attempt is counted once.
 */
export const costWith = (run: Run, attempt: Attempt | undefined): { costUsd: number; added: number } | undefined =>
  attempt?.cost && attempt.attempt === run.attempt
    ? { costUsd: (run.costUsd ?? 0) + attempt.cost.costUsd, added: attempt.cost.costUsd }
    : undefined;

export interface FinishSpec {
  to: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED' | 'SKIPPED';
  from: readonly RunStatus[];
  attempt?: number;
  reason?: string;
  outcome?: Run['outcome'];
  /** False while the run's task may still be running (a cancel waits for STOPPED to free the slot). */
  releaseSlot: boolean;
  /** A succeeding run's result (lib/runResult.ts), recorded by the same write. */
  set?: Pick<Run, 'result' | 'resultError'>;
}

/**
 * Moves a run to a final status if it is still in one of `from`; then frees its slot, dispatches the
 * next queued run and publishes the final event. Returns the run as it is now (final or not).
 */
export const finishRun = async (deps: CoreDeps, run: Run, spec: FinishSpec, attempt?: Attempt): Promise<Run> => {
  const now = deps.now();
  const cost = costWith(run, attempt);
  const finished = await deps.store.transition(
    run,
    {
      from: spec.from,
      ...(spec.attempt !== undefined ? { attempt: spec.attempt } : {}),
      to: spec.to,
      set: {
        finishedAt: now.toISOString(),
        ...(cost ? { costUsd: cost.costUsd } : {}),
        ...(spec.reason !== undefined ? { reason: spec.reason } : {}),
        ...(spec.outcome ? { outcome: spec.outcome } : {}),
        ...spec.set,
      },
      remove: ['waitingForSlot', 'dispatchedAt', 'notBefore'],
      publish: finalEventKey(spec.to, spec.attempt ?? run.attempt),
    },
    now,
  );
  const current = finished ?? (await deps.store.getRun(run.runId)) ?? run;
  if (finished && cost && cost.added > 0) deps.metrics.record(run.job, 'Cost', cost.added);
  // Also on redelivery after a crash: the slot release and the event are idempotent.
  if (current.status === spec.to) {
    if (spec.releaseSlot) await releaseSlotOf(deps, current);
    await publishFinal(deps, current, attempt);
  }
  return current;
};

/** The job of a run, or undefined if the catalog no longer has it. */
export const jobOf = (deps: CoreDeps, run: Run): Job | undefined => {
  try {
    return findJob(run.job, deps.catalog());
  } catch {
    return undefined;
  }
};
