/**
 * Triggers become runs: each (job, trigger) gets a run whose id is derived from the trigger's
 * identity, created with a conditional write, and queued for launch. A duplicate delivery finds the
 * run and, if it is still queued, only queues it again (the launcher is idempotent), which also
 * repairs a crash between creating the run and queueing it.
 */
import { newRun, type RunRequest } from './domain/newRun.ts';
import type { Run } from './domain/run.ts';
import { logger, withCorrelation } from './logger.ts';
import type { CoreDeps } from './ports.ts';
import { publishOnce } from './runLifecycle.ts';

export interface AcceptedRun {
  runId: string;
  job: string;
  created: boolean;
  status: Run['status'];
  queued: boolean;
}

/**
 * Creates and queues the runs; returns one entry per request, in order.
 *
 * @example await acceptRuns(deps, [{ job, trigger: { type: 'manual', token: 'abc' } }])
 */
export const acceptRuns = async (deps: CoreDeps, requests: RunRequest[]): Promise<AcceptedRun[]> => {
  const now = deps.now();
  const results: AcceptedRun[] = [];
  const toQueue: Run[] = [];
  for (const request of requests) {
    const candidate = newRun(request, now);
    await withCorrelation({ job: candidate.job, runId: candidate.runId }, async () => {
      const { created, run } = await deps.store.createRun(candidate);
      const queue =
        run.status === 'QUEUED' &&
        (created || !run.waitingForSlot) &&
        (!run.notBefore || run.notBefore <= now.toISOString());
      if (queue) toQueue.push(run);
      if (created) logger.info('Run created', { status: run.status, trigger: request.trigger.type });
      else logger.info('Duplicate trigger: run exists', { status: run.status, requeued: queue });
      if (run.status === 'SKIPPED') await publishOnce(deps, run, 'Run Skipped');
      results.push({ runId: run.runId, job: run.job, created, status: run.status, queued: queue });
    });
  }
  // After every create: a crash before this line leaves QUEUED runs that the redelivery queues.
  await deps.queue.enqueue(toQueue.map((r) => ({ runId: r.runId, attempt: r.attempt })));
  return results;
};
