/**
 * Where the active catalog comes from outside a Lambda bundle (the CLI, the local flow, the tests):
 * the project's `jobs.ts`, validated. A Lambda bundle resolves `#catalog-source` to
 * `shippedCatalog.ts` instead (the `longshore-bundle` condition, lib/infra/service.ts), so neither
 * `jobs.ts` nor the validator is in it.
 */
import raw from '../../jobs.ts';
import type { Catalog } from './schema.ts';
import { validateCatalog } from './validate.ts';

/** Throws CatalogError (every problem listed) while `jobs.ts` is invalid. */
export const loadCatalog = (): Catalog => validateCatalog(raw);
