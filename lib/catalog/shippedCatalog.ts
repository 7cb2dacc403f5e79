/**
 * The catalog a Lambda bundle runs with: the one `serverless.ts` validated at package time, put in
 * the bundle as JSON by esbuild's `define` (lib/infra/service.ts, `esbuildOptions`). Validating it
 * again at every init cost most of the cold start's excess over the floor (issue 12: zod schemas
 * and an `Intl.DateTimeFormat` per time zone); a test checks that the shipped form equals what
 * validation produces (test/unit/infra/shippedCatalog.test.ts). What stays at init is a cheap check
 * of its shape, so a bundle built without the definition fails its cold start, loudly.
 */
import { CatalogError } from '../errors.ts';
import type { Catalog } from './schema.ts';

/** The identifier esbuild's `define` replaces with the catalog's JSON, and the package.json condition. */
export const SHIPPED_CATALOG_GLOBAL = 'LONGSHORE_VALIDATED_CATALOG';
export const SHIPPED_CATALOG_CONDITION = 'longshore-bundle';
declare const LONGSHORE_VALIDATED_CATALOG: string | undefined;

export const loadCatalog = (): Catalog => {
  const text = typeof LONGSHORE_VALIDATED_CATALOG === 'string' ? LONGSHORE_VALIDATED_CATALOG : undefined;
  const catalog = text === undefined ? undefined : (JSON.parse(text) as Partial<Catalog>);
  if (!catalog || !Array.isArray(catalog.jobs) || typeof catalog.networks !== 'object')
    throw new CatalogError([
      'bundle: the validated catalog is missing (built without esbuildOptions from lib/infra/service.ts)',
    ]);
  return catalog as Catalog;
};
