import { describe, expect, it } from 'vitest';
import { buildHandler } from '../../../functions/launcher/handler.ts';
import { clientTokenFor } from '../../../lib/domain/runId.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { attemptItem, runItem } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ctx = lambdaContext('longshore-test-launcher');

const run = runItem('thumbnails', {
  type: 's3',
  bucket: 'acme-media-uploads',
  key: 'uploads/cat.jpg',
  sequencer: '00A1',
});
const sqsEvent = (body: string, id = 'm-1') => {
  const e = loadEvent<{ Records: { messageId: string; body: string }[] }>('launch-queue');
  e.Records = [{ ...(e.Records[0] as { messageId: string; body: string }), messageId: id, body }];
  return e;
};
const message = JSON.stringify({ v: 1, runId: run.runId, attempt: 1 });

describe('Handler: launcher', () => {
  it('claims a slot and the attempt, then calls RunTask once with the run, attempt and capacity', async () => {
    // Prepare: the job is not paused (it never was)
    const store = fakeStore({
      getRun: async () => run,
      getJobState: async () => undefined,
      acquireSlot: async () => 7,
      transition: async (r, spec) => ({ ...r, ...spec.set, status: spec.to ?? r.status }),
      claimAttempt: async () => ({ claimed: true, attempt: attemptItem(run) }),
      recordLaunched: async (r, taskArn) => ({
        run: { ...r, status: 'STARTING', taskArn, published: ['started#1'] },
        attempt: attemptItem(run, { status: 'STARTING', taskArn }),
      }),
      getAttempt: async () => attemptItem(run, { status: 'STARTING' }),
      markPublished: async () => undefined,
    });
    const { launch, ecs, events } = buildDeps(store, exampleCatalog());

    // Act
    const out = await buildHandler(launch)(sqsEvent(message), ctx);

    // Assess
    expect(out).toEqual({ batchItemFailures: [] });
    expect(ecs.calls).toHaveLength(1);
    expect(ecs.calls[0]).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-test',
      taskDefinition: 'longshore-test-thumbnails',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      startedBy: `longshore/test/${run.runId}/1`,
      clientToken: clientTokenFor('test', run.runId, 1, 'FARGATE'),
    });
    expect(store.calls.find((c) => c.method === 'acquireSlot')?.args.slice(0, 3)).toEqual([
      'thumbnails',
      50,
      run.runId,
    ]);
    expect(events.types()).toEqual(['Run Started']);
    // The pause is read before a slot is taken: a held run never takes one.
    const methods = store.calls.map((c) => c.method);
    expect(methods.indexOf('getJobState')).toBeLessThan(methods.indexOf('acquireSlot'));
  });

  it.each([
    ['hold', 'PAUSED'],
    ['skip', 'SKIPPED'],
  ] as const)('holds the run of a job paused (%s) as %s: no slot, no attempt, no RunTask', async (mode, status) => {
    // Prepare
    const moved: { to?: string; from: readonly string[] }[] = [];
    const store = fakeStore({
      getRun: async () => run,
      getJobState: async () => ({
        job: 'thumbnails',
        paused: true,
        mode,
        pausedAt: '2026-11-22T09:00:00.000Z',
        pauses: [],
      }),
      transition: async (r, spec) => {
        moved.push({ ...(spec.to ? { to: spec.to } : {}), from: spec.from });
        return { ...r, ...spec.set, status: spec.to ?? r.status, published: spec.publish ?? r.published };
      },
      markPublished: async () => undefined,
    });
    const { launch, ecs, events } = buildDeps(store, exampleCatalog());

    // Act
    const out = await buildHandler(launch)(sqsEvent(message), ctx);

    // Assess
    expect(out).toEqual({ batchItemFailures: [] });
    expect(ecs.calls).toHaveLength(0);
    expect(moved).toEqual([{ to: status, from: ['QUEUED'] }]);
    const methods = store.calls.map((c) => c.method);
    expect(methods).not.toContain('acquireSlot');
    expect(methods).not.toContain('claimAttempt');
    expect(events.types()).toEqual(mode === 'skip' ? ['Run Skipped'] : []);
  });

  it('rejects an event that is not an SQS batch', async () => {
    // Prepare
    const store = fakeStore();

    // Act & Assess
    await expect(buildHandler(buildDeps(store, exampleCatalog()).launch)({ hello: 'world' }, ctx)).rejects.toThrow(
      'Invalid SQS event: Records: is required (array)',
    );
    expect(store.calls).toHaveLength(0);
  });
});
