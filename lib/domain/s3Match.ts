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
