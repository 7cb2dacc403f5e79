/** Uploaded objects become runs of every job whose S3 triggers match them. */
import { type AcceptedRun, acceptRuns } from './acceptRuns.ts';
import type { ParsedUploads } from './contracts/s3.ts';
import type { RunRequest } from './domain/newRun.ts';
import { jobsForObject } from './domain/s3Match.ts';
import { logger } from './logger.ts';
import type { CoreDeps } from './ports.ts';

export interface UploadsResult {
  runs: AcceptedRun[];
  unmatched: number;
  ignored: string[];
}

/**
 * @example await acceptUploads(deps, parseUploads(event))
 */
export const acceptUploads = async (deps: CoreDeps, uploads: ParsedUploads): Promise<UploadsResult> => {
  const catalog = deps.catalog();
  const requests: RunRequest[] = [];
  let unmatched = 0;
  for (const object of uploads.objects) {
    const jobs = jobsForObject(catalog, object.bucket, object.key);
    if (jobs.length === 0) {
      unmatched++;
      logger.debug('Upload matches no job', { bucket: object.bucket, key: object.key });
    }
    for (const job of jobs) requests.push({ job, trigger: { type: 's3', ...object } });
  }
  for (const reason of uploads.ignored) logger.debug('S3 event ignored', { reason });
  return { runs: await acceptRuns(deps, requests), unmatched, ignored: uploads.ignored };
};
