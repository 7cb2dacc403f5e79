/**
 * The catalog a Lambda bundle runs with is the one `serverless.ts` validated at package time, put in
 * the bundle by esbuild (issue 12): it must equal what validation produces, and a bundle built with
 * the package's options must carry neither `jobs.ts` nor the validator.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functions } from '../../../../functions/index.ts';
import raw from '../../../../jobs.ts';
import { BUNDLE_FEATURES, loadCatalog, SHIPPED_CATALOG_GLOBAL } from '../../../../lib/catalog/shippedCatalog.ts';
import { validateCatalog } from '../../../../lib/catalog/validate.ts';
import { PROTECTED_STAGES } from '../../../../lib/infra/context.ts';
import { buildService, esbuildOptions } from '../../../../lib/infra/service.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');

/** The esbuild options `osls package` hands to esbuild, without serverless-esbuild's own keys. */
const packagedOptions = () => {
  const catalog = validateCatalog(raw);
  const { config } = buildService({ stage: 'prod', catalog, protectedStages: PROTECTED_STAGES }, functions);
  const packaged = (config.custom?.esbuild ?? {}) as Record<string, unknown>;
  const { exclude: _1, skipRebuild: _2, outputFileExtension: _3, ...options } = packaged;
  return { catalog, options: options as esbuild.BuildOptions };
};

describe('Function: esbuildOptions (the shipped catalog)', () => {
  it('ships, as JSON, exactly the catalog validation produces', () => {
    // Prepare
    const { catalog, options } = packagedOptions();

    // Act
    const shipped = JSON.parse(JSON.parse(options.define?.[SHIPPED_CATALOG_GLOBAL] as string) as string);

    // Assess
    expect(shipped).toStrictEqual(catalog);
  });

  it('builds a bundle that reads the shipped catalog and carries neither jobs.ts nor the validator', async () => {
    // Prepare
    const { catalog, options } = packagedOptions();
    const dir = mkdtempSync(join(tmpdir(), 'longshore-shipped-'));

    try {
      // Act
      const out = await esbuild.build({
        ...options,
        absWorkingDir: ROOT,
        entryPoints: ['lib/catalog/active.ts'],
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const file = join(dir, 'active.mjs');
      writeFileSync(file, out.outputFiles?.[0]?.contents ?? '');
      const bundled = (await import(pathToFileURL(file).href)) as { activeCatalog: () => unknown };

      // Assess
      const inputs = Object.keys(out.metafile?.inputs ?? {});
      expect(inputs).toContain('lib/catalog/shippedCatalog.ts');
      expect(inputs.filter((i) => ['jobs.ts', 'lib/catalog/validate.ts', 'lib/catalog/schema.ts'].includes(i))).toEqual(
        [],
      );
      expect(bundled.activeCatalog()).toStrictEqual(catalog);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Function: esbuildOptions (bundle features)', () => {
  it('builds onUpload without the S3 client when the catalog has no batched trigger', async () => {
    // Prepare: jobs.ts has no batched trigger, so no function writes a manifest
    const { catalog, options } = packagedOptions();
    expect(catalog.jobs.some((j) => j.triggers.some((t) => t.type === 's3' && t.batch))).toBe(false);

    // Act
    const out = await esbuild.build({
      ...options,
      absWorkingDir: ROOT,
      entryPoints: ['functions/onUpload/handler.ts'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });

    // Assess
    expect(options.define?.[BUNDLE_FEATURES.batches]).toBe('"false"');
    // What the output carries (metafile.inputs also lists the modules tree-shaking dropped).
    const output = Object.values(out.metafile?.outputs ?? {})[0];
    const carried = Object.entries(output?.inputs ?? {})
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([path]) => path);
    expect(carried).toContain('lib/acceptUploads.ts');
    expect(carried.filter((i) => i.includes('@aws-sdk/client-s3/'))).toEqual([]);
  });

  it('keeps the manifest writer in the bundles of a catalog with a batched trigger', () => {
    // Prepare
    const catalog = validateCatalog(raw);
    const first = catalog.jobs.find((j) => j.triggers.some((t) => t.type === 's3'));
    if (!first) throw new Error('jobs.ts has no S3-triggered job');
    const batched = {
      ...catalog,
      jobs: catalog.jobs.map((j) =>
        j === first
          ? {
              ...j,
              triggers: j.triggers.map((t) => (t.type === 's3' ? { ...t, batch: { maxObjects: 5, window: '5m' } } : t)),
            }
          : j,
      ),
    } as typeof catalog;

    // Act
    const options = esbuildOptions(false, batched);

    // Assess
    expect((options.define as Record<string, string>)[BUNDLE_FEATURES.batches]).toBe('"true"');
  });
});

describe('Function: loadCatalog (shipped)', () => {
  it('refuses with CatalogError when the bundle was built without the validated catalog', () => {
    // Act
    const load = () => loadCatalog();

    // Assess
    expect(load).toThrow(/the validated catalog is missing/);
  });
});
