import { describe, expect, it } from 'vitest';
import { buildHandler } from '../../../functions/onUpload/handler.ts';
import { InvalidEventError } from '../../../lib/errors.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ctx = lambdaContext('longshore-test-onUpload');

describe('Handler: onUpload', () => {
  it('creates a run with a conditional write and queues it for launch', async () => {
    // Prepare
    const store = fakeStore({ createRun: async (run) => ({ created: true, run }) });
    const { core, queue } = buildDeps(store, exampleCatalog());

    // Act
    const out = await buildHandler(core)(loadEvent('s3-object-created'), ctx);

    // Assess
    expect(out.runs).toEqual([
      {
        runId: expect.stringMatching(/^thumbnails-[a-z2-7]{20}$/),
        job: 'thumbnails',
        created: true,
        status: 'QUEUED',
        queued: true,
      },
    ]);
    expect(store.calls.map((c) => c.method)).toEqual(['createRun']);
    expect(store.calls[0]?.args[0]).toMatchObject({
      runId: out.runs[0]?.runId,
      status: 'QUEUED',
      attempt: 1,
      capacity: 'FARGATE',
      size: { cpu: 512, memory: 1024 },
      trigger: {
        type: 's3',
        bucket: 'acme-media-uploads',
        key: 'uploads/2026/11/cat on sofa.jpg',
        sequencer: '00673FA1B2C3D4E5F6',
      },
    });
    expect(queue.sent).toEqual([{ runId: out.runs[0]?.runId, attempt: 1 }]);
  });

  it('rejects a malformed event with the field that is wrong, before any AWS call', async () => {
    // Prepare
    const store = fakeStore();
    const handler = buildHandler(buildDeps(store, exampleCatalog()).core);

    // Act & Assess
    await expect(handler(loadEvent('s3-malformed'), ctx)).rejects.toThrow(InvalidEventError);
    await expect(handler(loadEvent('s3-malformed'), ctx)).rejects.toThrow(
      'Invalid S3 "Object Created" event: detail.object.key: is required (string)',
    );
    expect(store.calls).toHaveLength(0);
  });
});
