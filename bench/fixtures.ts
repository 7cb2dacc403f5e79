/**
 * What the benchmarks assume about the shipped catalog and samples, without importing any code
 * (the simulation loads this before it installs virtual time, so it must not load the SDK).
 * `checkFixtures` in production.ts checks these assumptions against jobs.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project; compiled bench children are told where it is (they run from bench/.work). */
export const ROOT = process.env.BENCH_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
/** Scratch space for packages, bundles, traces and profiles (git-ignored). */
export const WORK = join(ROOT, 'bench', '.work');
/** The Node the Lambda runtime matches (nodejs24.x), from the project's pinned package. */
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');
/** The stage packaged for the benchmarks: production's settings (log level INFO). */
export const BENCH_STAGE = 'prod';

/** A sample event from `events/`, parsed. */
const samples = new Map<string, string>();
export const sampleEvent = <T = Record<string, unknown>>(name: string): T => {
  let text = samples.get(name);
  if (text === undefined) {
    text = readFileSync(join(ROOT, 'events', `${name}.json`), 'utf8');
    samples.set(name, text);
  }
  return JSON.parse(text) as T;
};

/**
 * The fixture jobs, as `jobs.ts` declares them (checked against the catalog at start, so a change
 * to jobs.ts fails the bench loudly instead of measuring another path):
 * - `thumbnails`: S3 uploads under uploads/ ending .jpg, `maxConcurrent` 50, default policy
 *   (2 retries of application errors), default alerts (SNS);
 * - `nightly-report`: one cron schedule, overlap forbid, maxConcurrent 1.
 */
export const FIXTURES = {
  uploadJob: 'thumbnails',
  uploadBucket: 'acme-media-uploads',
  uploadPrefix: 'uploads/',
  uploadSuffix: '.jpg',
  uploadMaxConcurrent: 50,
  uploadRetries: 2,
  scheduleJob: 'nightly-report',
  /** `alerts: default` (SNS only), for the alert handler's events. */
  alertJob: 'csv-ingest',
} as const;
