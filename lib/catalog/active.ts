/**
 * The catalog the Lambdas run with. Outside a bundle (CLI, local flow, tests) it is the project's
 * `jobs.ts`, validated on first use, not at import: the CLI imports the use cases too, and a broken
 * `jobs.ts` must reach its error handling (`jobs validate` lists the problems) instead of crashing
 * the import. In a Lambda bundle `#catalog-source` is the catalog `serverless.ts` validated at
 * package time (lib/catalog/shippedCatalog.ts), read at init (below). The local tools may swap it
 * for another file (`--catalog`).
 */
import { loadCatalog } from '#catalog-source';
import { UnknownJobError } from '../errors.ts';
import type { Catalog, Job } from './schema.ts';

let active: Catalog | undefined;

/** The validated catalog; throws CatalogError (every problem listed) while `jobs.ts` is invalid. */
export const activeCatalog = (): Catalog => {
  active ??= loadCatalog();
  return active;
};

/** Local tools only: run the handlers with another validated catalog. */
export const useCatalog = (catalog: Catalog): void => {
  active = catalog;
};

/** The job by name, or UnknownJobError listing the jobs there are. */
export const findJob = (name: string, catalog: Catalog = activeCatalog()): Job => {
  const job = catalog.jobs.find((j) => j.name === name);
  if (!job)
    throw new UnknownJobError(
      name,
      catalog.jobs.map((j) => j.name),
    );
  return job;
};

// Lambda sets AWS_LAMBDA_FUNCTION_NAME in every function's environment (a reserved variable, see
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime):
// there, read the catalog at init. The CLI and the local flow never set it.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) activeCatalog();
