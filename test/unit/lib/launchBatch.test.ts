/** The launcher's batch handling, through fakes of the ports (store semantics: the integration tests). */
import { describe, expect, it } from 'vitest';
import { launchMessage } from '../../../lib/contracts/launch.ts';
import { parseEvent } from '../../../lib/handler.ts';
import { launchBatch } from '../../../lib/launchBatch.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { runItem } from '../../helpers/items.ts';

const run = runItem('thumbnails', {
  type: 's3',
  bucket: 'acme-media-uploads',
  key: 'uploads/cat.jpg',
  sequencer: '00A1',
});
const message = JSON.stringify({ v: 1, runId: run.runId, attempt: 1 });
const parse = (body: string) => parseEvent(launchMessage, JSON.parse(body), 'launch message');

describe('Function: launchBatch', () => {
  it('skips a message for a run that has moved on, without calling ECS', async () => {
    // Prepare
    const store = fakeStore({ getRun: async () => ({ ...run, status: 'SUCCEEDED' }) });
    const { launch, ecs } = buildDeps(store, exampleCatalog());

    // Act
    const out = await launchBatch(launch, [{ messageId: 'm-1', body: message }], parse);

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(ecs.calls).toHaveLength(0);
  });

  it('reports a malformed message as a batch item failure (dead-letter after its retries)', async () => {
    // Prepare
    const store = fakeStore();
    const { launch } = buildDeps(store, exampleCatalog());

    // Act
    const out = await launchBatch(launch, [{ messageId: 'bad-1', body: '{"runId":42}' }], parse);

    // Assess
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'bad-1' }]);
    expect(store.calls).toHaveLength(0);
  });

  it('reports the message for retry when DynamoDB fails unexpectedly', async () => {
    // Prepare
    const store = fakeStore({
      getRun: async () => {
        throw new Error('socket hang up');
      },
    });
    const { launch } = buildDeps(store, exampleCatalog());

    // Act
    const out = await launchBatch(launch, [{ messageId: 'flaky-1', body: message }], parse);

    // Assess
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'flaky-1' }]);
  });
});
