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

/**
 * Features whose code (and SDK client) a bundle leaves out when the shipped catalog has no job that
 * uses them: esbuild's `define` replaces each expression with "true" or "false" at package time
 * (lib/infra/service.ts), so `if (process.env.LONGSHORE_BUNDLE_BATCHES !== 'false') { ... }` is
 * `if (false) { ... }` in such a bundle and esbuild drops the block and the imports only it uses
 * (the S3 client is ~100 KB minified: issue 12's zip target). Outside a bundle (tests, the local
 * flow) the variable is not set and the code is there. Only the `if (...) { ... }` block form is
 * dropped by esbuild: an early `return` or a ternary keeps the import.
 */
export const BUNDLE_FEATURES = {
  /** The functions that close batches write manifests to S3 (lib/wiring.ts, `manifestWriter`). */
  batches: 'process.env.LONGSHORE_BUNDLE_BATCHES',
} as const;

export const loadCatalog = (): Catalog => {
  const text = typeof LONGSHORE_VALIDATED_CATALOG === 'string' ? LONGSHORE_VALIDATED_CATALOG : undefined;
  const catalog = text === undefined ? undefined : (JSON.parse(text) as Partial<Catalog>);
  if (!catalog || !Array.isArray(catalog.jobs) || typeof catalog.networks !== 'object')
    throw new CatalogError([
      'bundle: the validated catalog is missing (built without esbuildOptions from lib/infra/service.ts)',
    ]);
  return catalog as Catalog;
};
