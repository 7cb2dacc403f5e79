/** Which jobs an uploaded object starts: every S3 trigger of every job whose bucket, prefix and suffix match. */
import type { Catalog, Job } from '../catalog/schema.ts';

export const matchesTrigger = (
  t: { bucket: string; prefix?: string; suffix?: string },
  bucket: string,
  key: string,
): boolean =>
  t.bucket === bucket &&
  (t.prefix === undefined || key.startsWith(t.prefix)) &&
  (t.suffix === undefined || key.endsWith(t.suffix)) &&
  // With both, the key must be long enough for them not to overlap ("a.csv" is not "a.csv" + ".csv").
  key.length >= (t.prefix?.length ?? 0) + (t.suffix?.length ?? 0);

/**
 * The jobs an object starts, each once even if several of its triggers match.
 *
 * @example jobsForObject(catalog, 'acme-media-uploads', 'uploads/cat.jpg').map((j) => j.name) // ['thumbnails']
 */
export const jobsForObject = (catalog: Catalog, bucket: string, key: string): Job[] =>
  catalog.jobs.filter((job) => job.triggers.some((t) => t.type === 's3' && matchesTrigger(t, bucket, key)));

export interface TriggerBucket {
  bucket: string;
  jobs: string[];
}

/** Every bucket an s3 trigger of the catalog names, with the jobs it starts, by bucket name. */
export const triggerBuckets = (catalog: Catalog): TriggerBucket[] => {
  const jobsOf = new Map<string, Set<string>>();
  for (const job of catalog.jobs)
    for (const t of job.triggers)
      if (t.type === 's3') jobsOf.set(t.bucket, (jobsOf.get(t.bucket) ?? new Set()).add(job.name));
  return [...jobsOf].sort(([a], [b]) => a.localeCompare(b)).map(([bucket, jobs]) => ({ bucket, jobs: [...jobs] }));
};
