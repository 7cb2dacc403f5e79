/**
 * Triggers become runs: each (job, trigger) gets a run whose id is derived from the trigger's
 * identity, created with a conditional write, and queued for launch. A duplicate delivery finds the
 * run and, if it is still queued, only queues it again (the launcher is idempotent), which also
 * repairs a crash between creating the run and queueing it.
 */
import type { Job } from './catalog/schema.ts';
import { expiresAtFor, type Run, type RunOverrides, type RunTrigger } from './domain/run.ts';
import { runIdFor, type TriggerIdentity } from './domain/runId.ts';
import { initialCapacity } from './domain/taskRequest.ts';
import { logger, withCorrelation } from './logger.ts';
import type { CoreDeps } from './ports.ts';
import { publishOnce } from './runLifecycle.ts';

export interface RunRequest {
  job: Job;
  trigger: RunTrigger;
  overrides?: RunOverrides;
  /** SKIPPED records a tick that an overlap policy declined, with `reason`. */
  status?: 'QUEUED' | 'SKIPPED';
  reason?: string;
}

export interface AcceptedRun {
  runId: string;
  job: string;
  created: boolean;
  status: Run['status'];
  queued: boolean;
}

/** The identity a trigger's run id is derived from. */
export const identityOf = (trigger: RunTrigger): TriggerIdentity => {
  switch (trigger.type) {
    case 's3':
      return {
        type: 's3',
        bucket: trigger.bucket,
        key: trigger.key,
        versionId: trigger.versionId,
        sequencer: trigger.sequencer,
        etag: trigger.etag,
      };
    case 'schedule':
      return { type: 'schedule', schedule: trigger.schedule, scheduledTime: trigger.scheduledTime };
    case 'manual':
      return { type: 'manual', token: trigger.token };
    case 'retry':
      return { type: 'retry', of: trigger.of, token: trigger.token };
  }
};

export const newRun = (request: RunRequest, now: Date): Run => {
  const { job, trigger, overrides } = request;
  const iso = now.toISOString();
  const status = request.status ?? 'QUEUED';
  return {
    runId: runIdFor(job.name, identityOf(trigger)),
    job: job.name,
    status,
    attempt: 1,
    createdAt: iso,
    updatedAt: iso,
    trigger,
    ...(overrides && Object.keys(overrides).length > 0 ? { overrides } : {}),
    capacity: initialCapacity(job),
    size: { cpu: overrides?.cpu ?? job.size.cpu, memory: overrides?.memory ?? job.size.memory },
    retries: { app: 0, infra: 0, rules: {} },
    ...(status === 'SKIPPED' ? { finishedAt: iso } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
    published: [],
    expiresAt: expiresAtFor(now),
  };
};

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
