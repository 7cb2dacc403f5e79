/**
 * Uploads become runs, through fakes of the ports (the store's own semantics are tested over
 * DynamoDB Local in test/integration/runStore.integration.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { acceptUploads } from '../../../lib/acceptUploads.ts';
import { parseUploads } from '../../../lib/contracts/s3.ts';
import type { Run } from '../../../lib/domain/run.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent, objectCreated } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';

/** A store in which the run exists already, as a duplicate delivery finds it. */
const runExists = (existing: Partial<Run>) =>
  fakeStore({ createRun: async (run) => ({ created: false, run: { ...run, ...existing } }) });

describe('Function: acceptUploads', () => {
  it('on a duplicate delivery finds the queued run and only queues it again', async () => {
    // Prepare
    const existing = { runId: 'thumbnails-aaaaaaaaaaaaaaaaaaaa', status: 'QUEUED' as const, attempt: 1 };
    const { core, queue } = buildDeps(runExists(existing), exampleCatalog());

    // Act
    const out = await acceptUploads(core, parseUploads(loadEvent('s3-object-created')));

    // Assess
    expect(out.runs).toEqual([
      { runId: existing.runId, job: 'thumbnails', created: false, status: 'QUEUED', queued: true },
    ]);
    expect(queue.sent).toEqual([{ runId: existing.runId, attempt: 1 }]);
  });

  it('on a duplicate of a run already launched does nothing more', async () => {
    // Prepare
    const { core, queue } = buildDeps(runExists({ status: 'STARTING' }), exampleCatalog());

    // Act
    const out = await acceptUploads(core, parseUploads(loadEvent('s3-object-created')));

    // Assess
    expect(out.runs[0]).toMatchObject({ created: false, status: 'STARTING', queued: false });
    expect(queue.sent).toHaveLength(0);
  });

  it('creates one run per matching record of a classic notification, with the key decoded', async () => {
    // Prepare
    const store = fakeStore({ createRun: async (run) => ({ created: true, run }) });
    const { core } = buildDeps(store, exampleCatalog());

    // Act
    const out = await acceptUploads(core, parseUploads(loadEvent('s3-notification')));

    // Assess
    expect(out).toMatchObject({ unmatched: 1, runs: [{ job: 'thumbnails', created: true }] });
    expect((store.calls[0]?.args[0] as Run | undefined)?.trigger).toMatchObject({
      key: 'uploads/holiday/red flower + sun:1.jpg',
    });
  });

  it('logs an upload no job wants and writes nothing', async () => {
    // Prepare
    const store = fakeStore();
    const { core, queue } = buildDeps(store, exampleCatalog());

    // Act
    const out = await acceptUploads(
      core,
      parseUploads(objectCreated('acme-media-uploads', 'private/secret-plans.pdf')),
    );

    // Assess
    expect(out).toEqual({ runs: [], unmatched: 1, ignored: [] });
    expect(store.calls).toHaveLength(0);
    expect(queue.sent).toHaveLength(0);
  });

  it('fails (for Lambda to retry) when DynamoDB fails, queueing nothing', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Throughput exceeds the current capacity'), {
      name: 'ThrottlingException',
    });
    const store = fakeStore({
      createRun: async () => {
        throw throttled;
      },
    });
    const { core, queue } = buildDeps(store, exampleCatalog());

    // Act & Assess
    await expect(acceptUploads(core, parseUploads(loadEvent('s3-object-created')))).rejects.toThrow(
      'Throughput exceeds',
    );
    expect(queue.sent).toHaveLength(0);
  });
});
