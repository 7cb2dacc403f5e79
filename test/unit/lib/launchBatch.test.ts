/** The launcher's batch handling, through fakes of the ports (store semantics: the integration tests). */
import { afterEach, describe, expect, it } from 'vitest';
import { launchMessage } from '../../../lib/contracts/launch.ts';
import { LaunchError } from '../../../lib/errors.ts';
import { parseEvent } from '../../../lib/handler.ts';
import { launchBatch } from '../../../lib/launchBatch.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { attemptItem, runItem } from '../../helpers/items.ts';
import { captureLogs } from '../../helpers/logs.ts';

const run = runItem('thumbnails', {
  type: 's3',
  bucket: 'acme-media-uploads',
  key: 'uploads/cat.jpg',
  sequencer: '00A1',
});
const message = JSON.stringify({ v: 1, runId: run.runId, attempt: 1 });
const parse = (body: string) => parseEvent(launchMessage, JSON.parse(body), 'launch message');

describe('Function: launchBatch', () => {
  it('skips a message for a run that has moved on, without calling ECS; its final event again, same id', async () => {
    // Prepare
    const store = fakeStore({
      getRun: async () => ({ ...run, status: 'SUCCEEDED', published: ['started#1', 'succeeded#1'] }),
      getAttempt: async () => attemptItem(run, { status: 'STOPPED' }),
    });
    const { launch, ecs, events } = buildDeps(store, exampleCatalog());

    // Act
    const out = await launchBatch(launch, [{ messageId: 'm-1', body: message }], parse);

    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(ecs.calls).toHaveLength(0);
    // The run cannot tell whether the delivery that finished it published before dying: it says again
    // what it owes, under the event's fixed id, and writes nothing.
    expect(events.published.map((e) => [e.type, e.detail.eventId])).toEqual([
      ['Run Succeeded', `${run.runId}/succeeded#1`],
    ]);
    expect(store.calls.map((c) => c.method)).toEqual(['getRun', 'getAttempt']);
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

describe('Function: launchBatch (a RunTask refusal is reported where it is met)', () => {
  let logs: ReturnType<typeof captureLogs> | undefined;
  afterEach(() => logs?.stop());

  it('logs and counts a capacity refusal once, even when queueing the deferred launch then fails', async () => {
    // Prepare: found by the generated histories: the refusal was logged only after the re-queue.
    const store = fakeStore({
      getRun: async () => run,
      getJobState: async () => undefined,
      acquireSlot: async () => 0,
      transition: async () => ({ ...run, slot: 0 }),
      claimAttempt: async () => ({ claimed: true, attempt: attemptItem(run) }),
      releaseAttempt: async () => undefined,
    });
    const ctx = buildDeps(store, exampleCatalog());
    const refusing = {
      ...ctx.launch,
      ecs: { ...ctx.ecs, runTask: async () => Promise.reject(new LaunchError('RESOURCE:CPU', 'capacity')) },
      queue: { enqueue: async () => Promise.reject(new Error('InternalError: the queue refused')) },
    };
    logs = captureLogs();

    // Act
    const out = await launchBatch(refusing, [{ messageId: 'm-1', body: message }], parse);

    // Assess
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(logs.faultLines('RESOURCE:CPU')).toHaveLength(1);
    expect(logs.faultLines('the queue refused')).toHaveLength(1);
    expect(ctx.metrics.faults).toEqual(['LAUNCH_CAPACITY', 'Error']);
  });
});
