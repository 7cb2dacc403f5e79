import { describe, expect, it } from 'vitest';
import { buildHandler } from '../../../functions/onSchedule/handler.ts';
import type { Run } from '../../../lib/domain/run.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ctx = lambdaContext('longshore-test-onSchedule');

/** Our Scheduler input for the nightly report (overlap: forbid), in the test stage. */
const tick = (time = '2026-11-22T01:00:00Z') => ({
  ...loadEvent('schedule-scheduler-input'),
  scheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/longshore-test/longshore-test-nightly-report-cron0',
  scheduledTime: time,
});

const handlerOver = (store: ReturnType<typeof fakeStore>) => {
  const deps = buildDeps(store, exampleCatalog());
  return { handler: buildHandler({ ...deps.core, ecs: deps.ecs }), ...deps };
};

describe('Handler: onSchedule', () => {
  it('turns a tick into a run of its job, identified by schedule ARN and scheduled time', async () => {
    // Prepare
    const store = fakeStore({
      recordScheduleTick: async () => undefined,
      getRun: async () => undefined,
      activeRuns: async () => [],
      createRun: async (run) => ({ created: true, run }),
    });
    const { handler, queue } = handlerOver(store);

    // Act
    const out = await handler(tick(), ctx);

    // Assess
    expect(out).toMatchObject({ job: 'nightly-report', created: true, status: 'QUEUED', queued: true });
    expect((store.calls.find((c) => c.method === 'createRun')?.args[0] as Run | undefined)?.trigger).toEqual({
      type: 'schedule',
      schedule: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/longshore-test/longshore-test-nightly-report-cron0',
      scheduledTime: '2026-11-22T01:00:00.000Z',
      triggerIndex: 0,
    });
    expect(queue.sent).toHaveLength(1);
  });

  it('rejects a tick from a schedule that is not ours, naming the expected form', async () => {
    // Prepare
    const store = fakeStore();
    const { handler } = handlerOver(store);

    // Act & Assess
    await expect(handler(loadEvent('scheduler-default-payload'), ctx)).rejects.toThrow(
      "'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/test-schedule' is not a longshore schedule of stage 'test'",
    );
    expect(store.calls).toHaveLength(0);
  });
});
