/**
 * The catalog the generated histories run: an upload job limited to 2 at a time with its own rules,
 * a Spot job that falls back to on-demand and grows its memory, a forbid-overlap schedule alerting
 * through a webhook route, a replace-overlap schedule that never alerts, a manual job, and a job
 * that runs after each finished `media` run (succeeded or failed) and after `adhoc` successes.
 */
import type { Catalog } from '../../lib/catalog/schema.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';

export const UPLOAD_BUCKET = 'fz-uploads';

/** Keys uploads are drawn from: some match `media` (in/), some `spot` (spot/), some neither. */
export const OBJECT_KEYS = [
  'in/a.jpg',
  'in/b c.jpg',
  'in/ünï+cødé%20.jpg',
  'spot/rows.csv',
  'spot/more rows+1.csv',
  'elsewhere/ignored.txt',
] as const;

export const fuzzCatalog = (): Catalog =>
  validateCatalog(
    baseCatalog(
      [
        baseJob({
          name: 'media',
          triggers: [{ type: 's3', bucket: UPLOAD_BUCKET, prefix: 'in/' }, { type: 'manual' }],
          maxConcurrent: 2,
          timeout: '10m',
          policy: {
            retries: 2,
            backoff: { base: '10s', factor: 2, cap: '1m' },
            rules: [
              { name: 'nothing-to-do', match: { exitCodes: [3] }, action: 'ignore' },
              {
                name: 'busy',
                match: { exitCodes: [75] },
                action: 'retry',
                retries: 2,
                backoff: { base: '5s', factor: 2, cap: '20s' },
              },
            ],
          },
        }),
        baseJob({
          name: 'spot',
          size: { cpu: 1024, memory: 2048 },
          capacity: { type: 'fargate-spot', fallback: 'on-demand' },
          triggers: [{ type: 's3', bucket: UPLOAD_BUCKET, prefix: 'spot/' }, { type: 'manual' }],
          timeout: '20m',
          policy: { retries: 1, maxMemory: 8192, backoff: { base: '10s', factor: 2, cap: '1m' } },
        }),
        baseJob({
          name: 'nightly',
          triggers: [{ type: 'schedule', expression: 'rate(1 hour)', overlap: 'forbid' }, { type: 'manual' }],
          maxConcurrent: 1,
          timeout: '30m',
          alerts: 'ops',
        }),
        baseJob({
          name: 'replacer',
          triggers: [{ type: 'schedule', expression: 'rate(1 hour)', overlap: 'replace' }],
          timeout: '2h',
          alerts: false,
        }),
        baseJob({ name: 'adhoc', triggers: [{ type: 'manual' }], policy: { retries: 0 } }),
        baseJob({
          name: 'report',
          triggers: [
            { type: 'after', job: 'media', on: ['SUCCEEDED', 'FAILED'] },
            { type: 'after', job: 'adhoc', on: ['SUCCEEDED'] },
          ],
          policy: { retries: 1 },
        }),
      ],
      {
        alerts: {
          default: { sns: true, on: ['FAILED', 'TIMED_OUT', 'MISSED_SCHEDULE'] },
          ops: { sns: true, webhookSecret: 'fz/ops-webhook', on: ['FAILED', 'TIMED_OUT', 'MISSED_SCHEDULE'] },
        },
      },
    ),
  );
