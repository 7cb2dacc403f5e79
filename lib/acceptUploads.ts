/**
 * Uploaded objects become runs of every job whose S3 triggers match them: one run per object, or,
 * for a trigger with `batch`, a place in the trigger's open batch (lib/acceptBatch.ts), one run per
 * batch. A job's first matching s3 trigger decides which (lib/domain/batch.ts `triggerForObject`).
 */
import { addToBatch, type BatchedUpload } from './acceptBatch.ts';
import { type AcceptedRun, acceptRuns } from './acceptRuns.ts';
import type { Job } from './catalog/schema.ts';
import type { ParsedUploads } from './contracts/s3.ts';
import { type BatchSpec, batchSpecOf, triggerForObject } from './domain/batch.ts';
import type { RunRequest } from './domain/newRun.ts';
import type { UploadedObject } from './domain/run.ts';
import { jobsForObject } from './domain/s3Match.ts';
import { logger } from './logger.ts';
import type { BatchDeps } from './ports.ts';

export interface UploadsResult {
  runs: AcceptedRun[];
  unmatched: number;
  ignored: string[];
  /** Objects that went into batches (present when any did); the runs of batches they closed are in `runs`. */
  batched?: BatchedUpload[];
}

/**
 * @example await acceptUploads(deps, parseUploads(event))
 */
export const acceptUploads = async (deps: BatchDeps, uploads: ParsedUploads): Promise<UploadsResult> => {
  const catalog = deps.catalog();
  const requests: RunRequest[] = [];
  const toBatch: { job: Job; object: UploadedObject; triggerIndex: number; spec: BatchSpec }[] = [];
  let unmatched = 0;
  for (const object of uploads.objects) {
    const jobs = jobsForObject(catalog, object.bucket, object.key);
    if (jobs.length === 0) {
      unmatched++;
      logger.debug('Upload matches no job', { bucket: object.bucket, key: object.key });
    }
    for (const job of jobs) {
      const t = triggerForObject(job, object.bucket, object.key);
      const spec = t && batchSpecOf(t.trigger);
      if (t && spec) toBatch.push({ job, object, triggerIndex: t.triggerIndex, spec });
      else requests.push({ job, trigger: { type: 's3', ...object } });
    }
  }
  for (const reason of uploads.ignored) logger.debug('S3 event ignored', { reason });
  const runs = await acceptRuns(deps, requests);
  const batched: BatchedUpload[] = [];
  // One after the other: two objects of one invocation would only race each other for slots.
  for (const { job, object, triggerIndex, spec } of toBatch) {
    const out = await addToBatch(deps, job, triggerIndex, spec, object);
    batched.push(out.upload);
    runs.push(...out.runs);
  }
  return { runs, unmatched, ignored: uploads.ignored, ...(batched.length > 0 ? { batched } : {}) };
};
