/** Catalog builders for tests: a small valid catalog to mutate, and the shipped example. */
import exampleRaw from '../../jobs.ts';
import type { CatalogInput, JobInput } from '../../lib/catalog/schema.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import ec2Raw from '../fixtures/catalogs/ec2Gpu.ts';

export const baseJob = (overrides: Partial<JobInput> = {}): JobInput => ({
  name: 'thumbs',
  container: { image: 'public.ecr.aws/acme/thumbs:1.0.0' },
  size: { cpu: 512, memory: 1024 },
  triggers: [{ type: 's3', bucket: 'acme-uploads', prefix: 'in/', suffix: '.jpg' }, { type: 'manual' }],
  ...overrides,
});

export const baseCatalog = (jobs: JobInput[] = [baseJob()], extra: Partial<CatalogInput> = {}): CatalogInput => ({
  networks: { default: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'] } },
  jobs,
  ...extra,
});

export const exampleCatalog = () => validateCatalog(structuredClone(exampleRaw));
export const ec2Catalog = () => validateCatalog(structuredClone(ec2Raw));

/** A catalog for flow tests: unlimited and limited upload jobs, a Spot job, and one schedule per overlap policy. */
export const flowCatalog = () =>
  validateCatalog(
    baseCatalog([
      baseJob({
        name: 'thumbs',
        triggers: [{ type: 's3', bucket: 'acme-uploads', prefix: 'in/', suffix: '.jpg' }, { type: 'manual' }],
      }),
      baseJob({
        name: 'limited',
        maxConcurrent: 3,
        triggers: [{ type: 's3', bucket: 'acme-uploads', prefix: 'batch/' }, { type: 'manual' }],
      }),
      baseJob({
        name: 'spot',
        size: { cpu: 1024, memory: 2048 },
        capacity: { type: 'fargate-spot', fallback: 'on-demand' },
        triggers: [{ type: 'manual' }],
      }),
      baseJob({
        name: 'nightly',
        triggers: [{ type: 'schedule', expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Paris', overlap: 'forbid' }],
      }),
      baseJob({ name: 'replacer', triggers: [{ type: 'schedule', expression: 'rate(1 hour)', overlap: 'replace' }] }),
      baseJob({
        name: 'allower',
        triggers: [{ type: 'schedule', expression: 'rate(1 hour)' }, { type: 'manual' }],
        overrides: { environment: ['MODE', 'BIG'] },
      }),
      baseJob({ name: 'no-manual', triggers: [{ type: 's3', bucket: 'acme-other' }] }),
    ]),
  );
