import { describe, expect, it } from 'vitest';
import { buildHandler } from '../../../functions/onTaskStateChange/handler.ts';
import type { Attempt } from '../../../lib/domain/run.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent, taskEvent } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { attemptItem, runItem } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ctx = lambdaContext('longshore-test-onTaskStateChange');
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/longshore-test/e5f7a9b1c3d5468013579bdf2468ace0';

const run = runItem(
  'thumbnails',
  { type: 's3', bucket: 'acme-media-uploads', key: 'uploads/cat.jpg', sequencer: '00A1' },
  { status: 'STARTING', taskArn: TASK, slot: 4 },
);
const target = { runId: run.runId, attempt: 1, taskArn: TASK };

describe('Handler: onTaskStateChange', () => {
  it('on STOPPED with exit 0 records the containers, decides success and publishes Run Succeeded', async () => {
    // Prepare
    const stopped = attemptItem(run, {
      status: 'STOPPED',
      taskVersion: 5,
      containers: [{ name: 'main', exitCode: 0, essential: true }],
      stopCode: 'EssentialContainerExited',
      durationSeconds: 756,
    });
    const store = fakeStore({
      getRun: async () => run,
      applyTaskEvent: async () => ({ applied: true, attempt: stopped }),
      recordDecision: async (_id, _n, decision) => ({ ...stopped, decision }),
      transition: async (r, spec) => ({ ...r, status: spec.to ?? r.status }),
      releaseSlot: async () => true,
      slotHolders: async () => [],
      queuedRuns: async () => [],
      markPublished: async () => undefined,
    });
    const { core, events } = buildDeps(store, exampleCatalog());

    // Act
    const out = await buildHandler(core)(taskEvent('ecs-task-stopped-success', target), ctx);

    // Assess
    expect(out).toMatchObject({ outcome: 'settled', verdict: { outcome: 'success', rule: 'success' } });
    const applied = store.calls.find((c) => c.method === 'applyTaskEvent');
    expect(applied?.args[2]).toMatchObject({
      status: 'STOPPED',
      containers: [{ name: 'main', exitCode: 0, essential: true }],
    } satisfies Partial<Attempt>);
    expect(store.calls.find((c) => c.method === 'releaseSlot')?.args).toEqual(['thumbnails', 4, run.runId]);
    expect(events.types()).toEqual(['Run Succeeded']);
  });

  it('rejects a malformed event naming the field', async () => {
    // Prepare
    const store = fakeStore();
    const e = loadEvent<{ detail: Record<string, unknown> }>('ecs-task-running');
    delete e.detail.taskArn;

    // Act & Assess
    await expect(buildHandler(buildDeps(store, exampleCatalog()).core)(e, ctx)).rejects.toThrow(
      'Invalid ECS Task State Change event: detail.taskArn: is required (string)',
    );
    expect(store.calls).toHaveLength(0);
  });
});
