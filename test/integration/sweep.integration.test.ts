/**
 * The sweeper over a real local DynamoDB engine: timeouts, reconciliation with DescribeTasks
 * (stopped tasks whose event was lost, and tasks ECS no longer knows), lost launches, leaked
 * slots, and schedule ticks that produced no run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptRuns } from '../../lib/acceptRuns.ts';
import { acceptTick } from '../../lib/acceptSchedule.ts';
import type { RunStore } from '../../lib/aws/runStore.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { scheduleArnFrom } from '../../lib/domain/names.ts';
import { launchOne } from '../../lib/launch.ts';
import type { SweepDeps } from '../../lib/ports.ts';
import { sweep } from '../../lib/sweep.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { exampleCatalog } from '../helpers/catalogs.ts';
import { loadEvent, taskEvent } from '../helpers/events.ts';
import { buildDeps } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

const catalog: Catalog = exampleCatalog();
let store: RunStore;
let close: () => void;
let seq = 0;
const FN_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:longshore-test-sweeper';

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

const setup = () => {
  const ctx = buildDeps(store, catalog);
  const deps: SweepDeps = { ...ctx.core, ecs: ctx.ecs, scheduleArn: scheduleArnFrom(FN_ARN, 'test') };
  return { ...ctx, deps };
};

const launchedRun = async (ctx: ReturnType<typeof setup>, job: string) => {
  const j = catalog.jobs.find((x) => x.name === job);
  if (!j) throw new Error(job);
  const [a] = await acceptRuns(ctx.core, [{ job: j, trigger: { type: 'manual', token: `sweep-${++seq}` } }]);
  ctx.queue.take();
  await launchOne(ctx.launch, { v: 1, runId: a?.runId ?? '', attempt: 1 });
  const run = await store.getRun(a?.runId ?? '');
  return { runId: a?.runId ?? '', taskArn: run?.taskArn ?? '' };
};

describe('Sweeper', () => {
  it('stops a run past its timeout once, and the STOPPED event then records TIMED_OUT', async () => {
    // Prepare
    const ctx = setup();
    const t = await launchedRun(ctx, 'thumbnails');
    await trackTaskEvent(ctx.core, parseTaskStateChange(taskEvent('ecs-task-running', { ...t, attempt: 1 })));
    ctx.clock.set('2026-11-22T09:26:00.000Z'); // started 09:15:17, timeout 10m
    ctx.ecs.described[t.taskArn] = { taskArn: t.taskArn, lastStatus: 'RUNNING', version: 3 };

    // Act
    const first = await sweep(ctx.deps);
    const second = await sweep(ctx.deps);
    const stopped = taskEvent('ecs-task-stopped-timeout', { ...t, attempt: 1 });
    stopped.detail.stoppedReason = ctx.ecs.stopped[0]?.reason;
    await trackTaskEvent(ctx.core, parseTaskStateChange(stopped));

    // Assess
    expect(first.timedOut).toEqual([t.runId]);
    expect(second.timedOut).toEqual([]);
    expect(ctx.ecs.stopped).toEqual([{ taskArn: t.taskArn, reason: 'longshore: timed out after 10m43s (limit 10m)' }]);
    expect(await store.getRun(t.runId)).toMatchObject({
      status: 'TIMED_OUT',
      outcome: { rule: 'timed-out', action: 'fail' },
    });
    expect(ctx.events.types()).toContain('Run Timed Out');
  });

  it('reconciles a task whose STOPPED event never came, from DescribeTasks', async () => {
    // Prepare
    const ctx = setup();
    const t = await launchedRun(ctx, 'nightly-report');
    const stopped = loadEvent<{ detail: Record<string, unknown> }>('ecs-task-stopped-app-failure').detail;
    ctx.ecs.described[t.taskArn] = {
      ...stopped,
      taskArn: t.taskArn,
      startedBy: `longshore/test/${t.runId}/1`,
      createdAt: new Date('2026-11-22T09:15:02Z'),
      startedAt: new Date('2026-11-22T09:15:17Z'),
      stoppedAt: new Date('2026-11-22T09:27:53Z'),
    };
    ctx.clock.advance(16 * 60);

    // Act
    const report = await sweep(ctx.deps);

    // Assess
    expect(report.reconciled).toContainEqual({ runId: t.runId, outcome: 'settled' });
    expect(await store.getRun(t.runId)).toMatchObject({
      status: 'QUEUED',
      attempt: 2,
      outcome: { exitCode: 2, rule: 'application-error' },
    });
    expect((await store.getHistory(t.runId))?.attempts[0]).toMatchObject({
      startedAt: '2026-11-22T09:15:17.000Z',
      durationSeconds: 756,
    });
  });

  it('closes a task ECS no longer knows (MISSING) as lost, and the policy retries it', async () => {
    // Prepare
    const ctx = setup();
    const t = await launchedRun(ctx, 'nightly-report');
    ctx.clock.advance(61 * 60);

    // Act
    const report = await sweep(ctx.deps);

    // Assess
    expect(report.lost).toContain(t.runId);
    expect(await store.getRun(t.runId)).toMatchObject({
      status: 'QUEUED',
      attempt: 2,
      outcome: { rule: 'task-lost', action: 'retry' },
    });
  });

  it('queues again a run whose launch message was lost, and frees a slot held by a finished run', async () => {
    // Prepare
    const ctx = setup();
    const j = catalog.jobs.find((x) => x.name === 'csv-ingest');
    const [a] = await acceptRuns(ctx.core, [
      { job: j as NonNullable<typeof j>, trigger: { type: 'manual', token: `lost-${++seq}` } },
    ]);
    ctx.queue.take(); // the message is lost
    await store.acquireSlot('csv-ingest', 3, 'csv-ingest-zzzzzzzzzzzzzzzzzzzz', ctx.clock.now()); // held by a run that does not exist
    ctx.clock.advance(16 * 60);

    // Act
    const report = await sweep(ctx.deps);

    // Assess
    expect(report.requeued).toContain(a?.runId);
    expect(ctx.queue.sent.map((m) => m.runId)).toContain(a?.runId);
    expect(report.slotsFreed).toBe(1);
  });

  it('alerts once on a schedule tick that produced no run, and never for ticks before the first run', async () => {
    // Prepare: the nightly report ran on the 20th (tick at 01:00 UTC), then the 21st's tick never came.
    const ctx = setup();
    ctx.clock.set('2026-11-20T01:00:05.000Z');
    const arn = ctx.deps.scheduleArn('nightly-report', 0);
    await acceptTick(
      { ...ctx.core, ecs: ctx.ecs },
      { job: 'nightly-report', triggerIndex: 0, schedule: arn, scheduledTime: '2026-11-20T01:00:00Z' },
    );
    ctx.clock.set('2026-11-21T02:00:00.000Z');

    // Act
    const first = await sweep(ctx.deps);
    const second = await sweep(ctx.deps);

    // Assess
    expect(first.missedTicks).toEqual([{ job: 'nightly-report', scheduledTime: '2026-11-21T01:00:00.000Z' }]);
    expect(second.missedTicks).toEqual([]);
    const missed = ctx.events.published.filter((e) => e.type === 'Schedule Missed');
    expect(missed).toHaveLength(1);
    expect(missed[0]?.detail).toMatchObject({
      job: 'nightly-report',
      schedule: arn,
      expression: 'cron(0 2 * * ? *)',
      timezone: 'Europe/Paris',
    });
  });
});
