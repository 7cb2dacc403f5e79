/**
 * Batches of small uploads, the parts that need no table: the catalog's `batch` (errors naming the
 * field), which trigger takes an object, the run id and the task's variables of a batch run, how
 * the CLI says it, and the stack it needs (the manifest bucket and its grants, only with a batch).
 */
import { describe, expect, it } from 'vitest';
import { functions } from '../../../functions/index.ts';
import type { Catalog } from '../../../lib/catalog/schema.ts';
import { validateCatalog } from '../../../lib/catalog/validate.ts';
import { describeTrigger } from '../../../lib/cli/catalogText.ts';
import { dueReason, memberSlots, slotState, triggerForObject } from '../../../lib/domain/batch.ts';
import { newRun } from '../../../lib/domain/newRun.ts';
import type { BatchRunTrigger } from '../../../lib/domain/run.ts';
import { triggerEnvironment } from '../../../lib/domain/taskRequest.ts';
import { CatalogError } from '../../../lib/errors.ts';
import type { CfnResource } from '../../../lib/infra/cfn.ts';
import { PROTECTED_STAGES } from '../../../lib/infra/context.ts';
import { buildService } from '../../../lib/infra/service.ts';
import { baseCatalog, baseJob } from '../../helpers/catalogs.ts';
import { iamStatements } from '../../helpers/template.ts';

const withBatch = (batch: Record<string, unknown>, extra: Record<string, unknown>[] = []) =>
  baseCatalog([
    baseJob({
      name: 'csv-batch',
      triggers: [{ type: 's3', bucket: 'acme-drop', prefix: 'in/', batch } as never, ...(extra as never[])],
    }),
  ]);

const problems = (raw: unknown): string[] => {
  try {
    validateCatalog(raw);
    return [];
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    return [...e.problems];
  }
};

const batchTrigger = (over: Partial<BatchRunTrigger> = {}): BatchRunTrigger => ({
  type: 'batch',
  triggerIndex: 0,
  bucket: 'acme-drop',
  seq: 7,
  openedAt: '2026-11-22T10:00:00.000Z',
  sealedAt: '2026-11-22T10:00:45.000Z',
  reason: 'full',
  objects: 2,
  bytes: 30,
  manifest: { inline: '[{"bucket":"acme-drop","key":"in/a.csv"},{"bucket":"acme-drop","key":"in/b.csv"}]' },
  ...over,
});

describe('the catalog: batch', () => {
  it('accepts maxObjects 1-10000, a window as a duration, maxBytes optional', () => {
    // Act
    const catalog = validateCatalog(withBatch({ maxObjects: 500, window: '10m', maxBytes: 5_000_000 }));

    // Assess
    expect(catalog.jobs[0]?.triggers[0]).toMatchObject({
      batch: { maxObjects: 500, window: '10m', maxBytes: 5_000_000 },
    });
    expect(problems(withBatch({ maxObjects: 1, window: '1s' }))).toEqual([]);
    expect(problems(withBatch({ maxObjects: 10_000, window: '1d' }))).toEqual([]);
  });

  it.each([
    [{ maxObjects: 0, window: '10m' }, 'triggers[0].batch.maxObjects: 0 is out of range (1-10000)'],
    [{ maxObjects: 10_001, window: '10m' }, 'triggers[0].batch.maxObjects: 10001 is out of range (1-10000)'],
    [{ maxObjects: 2.5, window: '10m' }, 'triggers[0].batch.maxObjects: 2.5 is out of range (1-10000)'],
    [{ maxObjects: 5, window: 'soon' }, "triggers[0].batch.window: 'soon' is not a duration (e.g. '30s', '10m', '1h')"],
    [{ maxObjects: 5, window: '0s' }, "triggers[0].batch.window: '0s' is out of range (1s-1d)"],
    [{ maxObjects: 5, window: '2d' }, "triggers[0].batch.window: '2d' is out of range (1s-1d)"],
    [{ maxObjects: 5, window: '1m', maxBytes: 0 }, 'triggers[0].batch.maxBytes: 0 is not a positive whole number'],
  ])('refuses %j naming the field', (batch, message) => {
    // Act
    const found = problems(withBatch(batch));

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`job 'csv-batch': ${message}`);
  });

  it('refuses a field it does not know, and a missing window, naming them', () => {
    // Act
    const found = problems(withBatch({ maxObjects: 5, window: '1m', max: 3 }));
    const missing = problems(withBatch({ maxObjects: 5 }));

    // Assess
    expect(found.join('\n')).toMatch(/triggers\[0\]\.batch.*max/);
    expect(missing.join('\n')).toMatch(/triggers\[0\]\.batch\.window/);
  });
});

describe('batches: the pure rules', () => {
  it("an object goes by its job's first matching s3 trigger, batched or not", () => {
    // Prepare
    const catalog: Catalog = validateCatalog(
      withBatch({ maxObjects: 5, window: '1m' }, [{ type: 's3', bucket: 'acme-drop', prefix: 'in/urgent/' }]),
    );
    const job = catalog.jobs[0] as Catalog['jobs'][number];

    // Act / Assess
    expect(triggerForObject(job, 'acme-drop', 'in/urgent/x.jpg')?.triggerIndex).toBe(0);
    expect(triggerForObject(job, 'acme-drop', 'out/x.jpg')).toBeUndefined();
  });

  it('a batch is due when its window passed or its live slots reach maxObjects; members are its slots less the void', () => {
    // Prepare
    const spec = { maxObjects: 3, windowSeconds: 600 };
    const batch = {
      job: 'j',
      triggerIndex: 0,
      seq: 1,
      slots: 3,
      voided: [2],
      bytes: 0,
      openedAt: '2026-11-22T10:00:00Z',
    };

    // Act / Assess
    expect(dueReason(batch, spec, new Date('2026-11-22T10:05:00Z'))).toBeUndefined();
    expect(dueReason({ ...batch, slots: 4 }, spec, new Date('2026-11-22T10:05:00Z'))).toBe('full');
    expect(dueReason(batch, spec, new Date('2026-11-22T10:10:00Z'))).toBe('window');
    expect(memberSlots({ slots: 4, voided: [2] })).toEqual([1, 3, 4]);
    expect(slotState(1, { slot: 2, objectId: 'o' }, { objectId: 'o', seq: 1, slot: 2 })).toBe('member');
    expect(slotState(1, { slot: 2, objectId: 'o' }, { objectId: 'o', seq: 3, slot: 9 })).toBe('void');
    expect(slotState(1, { slot: 2, objectId: 'o' }, undefined)).toBe('unassigned');
    expect(slotState(1, { slot: 2, void: true }, undefined)).toBe('void');
    expect(slotState(1, undefined, undefined)).toBe('missing');
  });

  it("a batch run's id derives from its trigger, number and first object's time, not its manifest", () => {
    // Prepare
    const job = validateCatalog(withBatch({ maxObjects: 5, window: '1m' })).jobs[0] as Catalog['jobs'][number];
    const now = new Date('2026-11-22T10:01:00Z');

    // Act
    const a = newRun({ job, trigger: batchTrigger() }, now).runId;
    const b = newRun(
      { job, trigger: batchTrigger({ manifest: { uri: 's3://m/batches/csv-batch/x.json' } }) },
      now,
    ).runId;
    const c = newRun({ job, trigger: batchTrigger({ seq: 8 }) }, now).runId;

    // Assess
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it("gives the task the manifest inline, or the URI longshore wrote it to, with the batch's number and size", () => {
    // Prepare
    const job = validateCatalog(withBatch({ maxObjects: 5, window: '1m' })).jobs[0] as Catalog['jobs'][number];
    const now = new Date('2026-11-22T10:01:00Z');

    // Act
    const inline = triggerEnvironment('dev', newRun({ job, trigger: batchTrigger() }, now));
    const uri = triggerEnvironment(
      'dev',
      newRun({ job, trigger: batchTrigger({ manifest: { uri: 's3://m/batches/csv-batch/r.json' } }) }, now),
    );

    // Assess
    expect(inline).toMatchObject({
      LONGSHORE_TRIGGER: 'batch',
      LONGSHORE_BATCH_SEQ: '7',
      LONGSHORE_BATCH_OBJECTS: '2',
      LONGSHORE_BATCH_BYTES: '30',
      LONGSHORE_MANIFEST: batchTrigger().manifest && (batchTrigger().manifest as { inline: string }).inline,
    });
    expect(inline.LONGSHORE_MANIFEST_URI).toBeUndefined();
    expect(uri).toMatchObject({ LONGSHORE_MANIFEST_URI: 's3://m/batches/csv-batch/r.json' });
    expect(uri.LONGSHORE_MANIFEST).toBeUndefined();
  });

  it('the CLI says the batch setting with the trigger', () => {
    // Prepare
    const t = validateCatalog(withBatch({ maxObjects: 500, window: '10m', maxBytes: 1000 })).jobs[0]?.triggers[0];

    // Act / Assess
    expect(describeTrigger(t as never)).toBe('s3://acme-drop/in/* (batch 500, window 10m, max 1000 bytes)');
  });
});

describe('batches: the stack', () => {
  const build = (raw: unknown) => {
    const { config } = buildService(
      { stage: 'dev', catalog: validateCatalog(raw), protectedStages: PROTECTED_STAGES },
      functions,
    );
    return config.resources?.Resources as unknown as Record<string, CfnResource>;
  };

  it('with a batched trigger: a private manifest bucket, PutObject on batches/* for onUpload and the sweeper, GetObject on its own prefix for the job', () => {
    // Act
    const resources = build(withBatch({ maxObjects: 500, window: '10m' }));
    const statements = iamStatements(resources as never);

    // Assess
    expect(resources.ManifestBucket?.Type).toBe('AWS::S3::Bucket');
    expect(JSON.stringify(resources.ManifestBucket?.Properties)).toContain('"BlockPublicPolicy":true');
    const writers = statements
      .filter((s) => s.where.endsWith('/WriteBatchManifests'))
      .map((s) => s.where.split('/')[0]);
    expect(writers.sort()).toEqual(['OnUploadRole', 'SweeperRole']);
    const writes = statements.find((s) => s.where.endsWith('/WriteBatchManifests'))?.statement;
    expect(writes).toMatchObject({
      Action: ['s3:PutObject'],
      Resource: [{ 'Fn::Sub': '${ManifestBucket.Arn}/batches/*' }],
    });
    const reads = statements.filter((s) => s.where.endsWith('/ReadBatchManifests'));
    expect(reads).toHaveLength(1);
    expect(reads[0]?.statement).toMatchObject({
      Action: ['s3:GetObject'],
      Resource: [{ 'Fn::Sub': '${ManifestBucket.Arn}/batches/csv-batch/*' }],
    });
  });

  it('without one: no bucket, and no S3 write for any function', () => {
    // Act
    const resources = build(baseCatalog());

    // Assess
    expect(Object.values(resources).some((r) => r.Type === 'AWS::S3::Bucket')).toBe(false);
    expect(iamStatements(resources as never).some((s) => /Manifests$/.test(s.where))).toBe(false);
  });
});
