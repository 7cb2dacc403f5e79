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
