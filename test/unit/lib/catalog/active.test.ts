/**
 * The runtime catalog: validated on first use, so that importing a use case never throws (the CLI
 * imports them before its error handling); in a Lambda the first use is at init, so a broken
 * catalog still fails the cold start with every problem listed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.resetModules();
  vi.doMock('../../../../jobs.ts', () => import('../../../fixtures/catalogs/broken.ts'));
});
afterEach(() => {
  vi.doUnmock('../../../../jobs.ts');
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('Function: activeCatalog', () => {
  it('imports without validating, and throws CatalogError with every problem on first use, when jobs.ts is invalid', async () => {
    // Prepare
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');

    // Act
    const runtime = await import('../../../../lib/catalog/active.ts');

    // Assess
    // (a fresh module graph: errors.ts is another instance here, so the error is matched by its code)
    const thrown = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    for (const use of [() => runtime.activeCatalog(), () => runtime.findJob('thumbs')])
      expect(thrown(use)).toMatchObject({ name: 'CatalogError', code: 'CATALOG_INVALID', problems: expect.any(Array) });
    expect((thrown(() => runtime.activeCatalog()) as { problems: string[] }).problems).toHaveLength(3);
  });

  it('fails at import (the Lambda init) with CatalogError when jobs.ts is invalid and it runs in a Lambda', async () => {
    // Prepare
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'longshore-prod-control');

    // Act
    const loading = import('../../../../lib/catalog/active.ts');

    // Assess
    await expect(loading).rejects.toThrow(/The job catalog has 3 problems/);
  });
});
