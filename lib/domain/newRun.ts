/**
 * A new run record for a trigger of a job: QUEUED at attempt 1 (or SKIPPED, for a tick an overlap
 * policy declined), its id derived from the trigger's identity, its capacity and size from the job
 * and the overrides. Pure: the use cases create it with a conditional write.
 */
import type { Job } from '../catalog/schema.ts';
import { expiresAtFor, type ItemsOf, type Run, type RunOverrides, type RunTrigger } from './run.ts';
import { publishKey } from './runEvents.ts';
import { identityOf, runIdFor } from './runId.ts';
import { initialCapacity } from './taskRequest.ts';

export interface RunRequest {
  job: Job;
  trigger: RunTrigger;
  overrides?: RunOverrides;
  /** SKIPPED records a tick that an overlap policy declined, with `reason`. */
  status?: 'QUEUED' | 'SKIPPED';
  reason?: string;
  /** A retry of a fan-out parent's items that did not succeed (`runs retry PARENT --failed`). */
  itemsOf?: ItemsOf;
}

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
    ...(request.itemsOf ? { itemsOf: request.itemsOf } : {}),
    // A SKIPPED run owes its Run Skipped event from the write that creates it.
    published: status === 'SKIPPED' ? [publishKey('Run Skipped', 1)] : [],
    expiresAt: expiresAtFor(now),
  };
};
