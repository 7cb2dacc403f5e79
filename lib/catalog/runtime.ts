/**
 * The catalog the Lambdas run with: the project's `jobs.ts`, bundled into every function and
 * validated at init (a bad catalog fails the function at cold start, loudly). The local tools may
 * swap it for another file (`--catalog`).
 */
import raw from '../../jobs.ts';
import { UnknownJobError } from '../errors.ts';
import type { Catalog, Job } from './schema.ts';
import { validateCatalog } from './validate.ts';

let active: Catalog = validateCatalog(raw);

export const activeCatalog = (): Catalog => active;

/** Local tools only: run the handlers with another validated catalog. */
export const useCatalog = (catalog: Catalog): void => {
  active = catalog;
};

/** The job by name, or UnknownJobError listing the jobs there are. */
export const findJob = (name: string, catalog: Catalog = active): Job => {
  const job = catalog.jobs.find((j) => j.name === name);
  if (!job)
    throw new UnknownJobError(
      name,
      catalog.jobs.map((j) => j.name),
    );
  return job;
};
