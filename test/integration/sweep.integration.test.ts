/**
 * The sweeper over a real local DynamoDB engine: timeouts, reconciliation with DescribeTasks
 * (stopped tasks whose event was lost, and tasks ECS no longer knows), lost launches, leaked
 * slots, and schedule ticks that produced no run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptRuns } from '../../lib/acceptRuns.ts';
import { acceptTick } from '../../lib/acceptTick.ts';
import { cancelRun } from '../../lib/cancelRun.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { scheduleArnFrom } from '../../lib/domain/names.ts';
import { launchOne } from '../../lib/launch.ts';
import type { RunStore, SweepDeps } from '../../lib/ports.ts';
import { sweep, sweepOnce } from '../../lib/sweep.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../helpers/catalogs.ts';
import { loadEvent, taskEvent } from '../helpers/events.ts';
import { buildDeps, SETTINGS } from '../helpers/fakes.ts';
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
  it('closes as lost a run past its timeout whose task ECS no longer knows (StopTask: task not found), and sweeps on', async () => {
    // Prepare: found by the generated histories; the sweep used to fail at every tick from here on.
    const ctx = setup();
    const t = await launchedRun(ctx, 'thumbnails');
    await trackTaskEvent(ctx.core, parseTaskStateChange(taskEvent('ecs-task-running', { ...t, attempt: 1 })));
    ctx.clock.set('2026-11-22T09:26:00.000Z'); // started 09:15:17, timeout 10m
    ctx.ecs.gone.add(t.taskArn);

    // Act
    const first = await sweep(ctx.deps);
    const second = await sweep(ctx.deps);

    // Assess: the attempt ends as lost and the policy retries it (a lost task is an infrastructure failure).
    expect(first.lost).toEqual([t.runId]);
    expect(first.timedOut).toEqual([]);
    expect(second.lost).toEqual([]);
    expect(ctx.ecs.stopped).toEqual([]);
    const history = await store.getHistory(t.runId);
    expect(history?.attempts[0]).toMatchObject({ status: 'STOPPED', decision: { action: 'retry' } });
    expect(history?.run).toMatchObject({ status: 'QUEUED', attempt: 2 });
  });

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
      clusterArn: SETTINGS.clusterArn,
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

describe('Sweeper: schedules by their own key, cancels until stopped, one sweep at a time', () => {
  const own: Catalog = validateCatalog(
    baseCatalog([
      baseJob({
        name: 'busy',
        triggers: [{ type: 'schedule', expression: 'rate(1 hour)' }, { type: 'manual' }],
      }),
      baseJob({
        name: 'paris',
        triggers: [{ type: 'schedule', expression: 'cron(30 2 * * ? *)', timezone: 'Europe/Paris' }],
      }),
      baseJob({ name: 'stopper', triggers: [{ type: 'manual' }] }),
    ]),
  );
  let ownStore: RunStore;
  let closeOwn: () => void;
  beforeAll(async () => {
    ({ store: ownStore, close: closeOwn } = await localStore());
  });
  afterAll(() => closeOwn());

  const ownSetup = () => {
    const ctx = buildDeps(ownStore, own);
    const deps: SweepDeps = { ...ctx.core, ecs: ctx.ecs, scheduleArn: scheduleArnFrom(FN_ARN, 'test') };
    return { ...ctx, deps };
  };

  it('still sees a missed tick of a job that has had 150 manual runs since its last tick', async () => {
    // Prepare: one tick at 09:00, then 150 manual runs; the 10:00 tick never comes.
    const ctx = ownSetup();
    ctx.clock.set('2026-11-22T09:00:02.000Z');
    const arn = ctx.deps.scheduleArn('busy', 0);
    await acceptTick(
      { ...ctx.core, ecs: ctx.ecs },
      { job: 'busy', schedule: arn, scheduledTime: '2026-11-22T09:00:00Z' },
    );
    const busy = own.jobs.find((j) => j.name === 'busy') as Catalog['jobs'][number];
    ctx.clock.set('2026-11-22T09:05:00.000Z');
    await acceptRuns(
      ctx.core,
      Array.from({ length: 150 }, (_, i) => ({ job: busy, trigger: { type: 'manual' as const, token: `busy-${i}` } })),
    );
    ctx.clock.set('2026-11-22T10:25:00.000Z');

    // Act
    const report = await sweep(ctx.deps);

    // Assess
    expect(report.missedTicks).toEqual([{ job: 'busy', scheduledTime: '2026-11-22T10:00:00.000Z' }]);
  });

  it('raises no false "Schedule Missed" for the hour the autumn DST change repeats', async () => {
    // Prepare: 02:30 Paris ran on the 24th and on the 25th (02:30 CEST = 00:30 UTC); 02:30 CET
    // (01:30 UTC) is the same wall clock, which Scheduler does not run again.
    const ctx = ownSetup();
    const arn = ctx.deps.scheduleArn('paris', 0);
    for (const scheduledTime of ['2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z']) {
      ctx.clock.set(new Date(Date.parse(scheduledTime) + 2000).toISOString());
      await acceptTick({ ...ctx.core, ecs: ctx.ecs }, { job: 'paris', schedule: arn, scheduledTime });
    }
    ctx.clock.set('2026-10-25T02:15:00.000Z');

    // Act
    const report = await sweep(ctx.deps);

    // Assess
    expect(report.missedTicks).toEqual([]);
  });

  it('keeps a cancelled run CANCELLING while StopTask fails, asks again on each sweep, and closes it once stopped', async () => {
    // Prepare: StopTask fails (e.g. throttled) at the cancel.
    const ctx = ownSetup();
    const stopper = own.jobs.find((j) => j.name === 'stopper') as Catalog['jobs'][number];
    const [a] = await acceptRuns(ctx.core, [{ job: stopper, trigger: { type: 'manual', token: 'stop-me' } }]);
    ctx.queue.take();
    await launchOne(ctx.launch, { v: 1, runId: a?.runId ?? '', attempt: 1 });
    const taskArn = (await ownStore.getRun(a?.runId ?? ''))?.taskArn ?? '';
    const realStop = ctx.ecs.stopTask;
    let failures = 1;
    ctx.ecs.stopTask = async (cluster, arn, reason) => {
      if (failures-- > 0) throw new Error('ThrottlingException: Rate exceeded');
      return realStop(cluster, arn, reason);
    };

    // Act
    const cancelled = await cancelRun({ ...ctx.core, ecs: ctx.ecs }, a?.runId ?? '', 'not needed');
    ctx.clock.advance(5 * 60);
    const first = await sweep(ctx.deps);
    ctx.ecs.described[taskArn] = {
      ...loadEvent<{ detail: Record<string, unknown> }>('ecs-task-stopped-success').detail,
      clusterArn: SETTINGS.clusterArn,
      taskArn,
      startedBy: `longshore/test/${a?.runId}/1`,
      version: 9,
    };
    ctx.clock.advance(5 * 60);
    const second = await sweep(ctx.deps);

    // Assess
    expect(cancelled.status).toBe('CANCELLING');
    expect(first.stopRetried).toEqual([a?.runId]);
    expect(ctx.ecs.stopped).toEqual([{ taskArn, reason: 'longshore: cancelled: not needed' }]);
    expect(second.reconciled).toContainEqual({ runId: a?.runId, outcome: 'cancelled' });
    expect(await ownStore.getRun(a?.runId ?? '')).toMatchObject({ status: 'CANCELLED', reason: 'not needed' });
    expect(ctx.events.types().filter((t) => t === 'Run Cancelled')).toHaveLength(1);
  });

  it('closes a CANCELLING run whose launcher died before RunTask once its launch lease is over', async () => {
    // Prepare: the attempt was claimed, and nothing was ever launched.
    const ctx = ownSetup();
    const stopper = own.jobs.find((j) => j.name === 'stopper') as Catalog['jobs'][number];
    const [a] = await acceptRuns(ctx.core, [{ job: stopper, trigger: { type: 'manual', token: 'never-launched' } }]);
    const runId = a?.runId ?? '';
    await ownStore.claimAttempt(
      { runId, attempt: 1, capacityProvider: 'FARGATE', cpu: 512, memory: 1024 },
      ctx.clock.now(),
      120,
    );

    // Act
    const cancelling = await cancelRun({ ...ctx.core, ecs: ctx.ecs }, runId, 'abandoned');
    const early = await sweep(ctx.deps);
    ctx.clock.advance(3 * 60);
    const late = await sweep(ctx.deps);

    // Assess
    expect(cancelling.status).toBe('CANCELLING');
    expect(early.cancelled).toEqual([]);
    expect(late.cancelled).toEqual([runId]);
    expect((await ownStore.getRun(runId))?.status).toBe('CANCELLED');
  });

  it('runs one sweep at a time: a second sweep while one holds the lease does nothing', async () => {
    // Prepare
    const ctx = ownSetup();
    await ownStore.takeLease('sweeper', 'invocation-1', 150, ctx.clock.now());

    // Act
    const second = await sweepOnce(ctx.deps, 'invocation-2');
    await ownStore.releaseLease('sweeper', 'invocation-1', ctx.clock.now());
    const third = await sweepOnce(ctx.deps, 'invocation-3');

    // Assess
    expect(second.skipped).toBe('another sweep is running');
    expect(third.skipped).toBeUndefined();
  });

  it("publishes a missed tick's Schedule Missed on the next sweep when the sweep that found it failed to publish", async () => {
    // Prepare: found by the generated histories: the marker was taken, PutEvents failed, and every
    // later sweep found the marker and published nothing (the alert was lost).
    const ctx = setup();
    ctx.clock.set('2026-11-24T01:00:05.000Z');
    const arn = ctx.deps.scheduleArn('nightly-report', 0);
    await acceptTick(
      { ...ctx.core, ecs: ctx.ecs },
      { job: 'nightly-report', triggerIndex: 0, schedule: arn, scheduledTime: '2026-11-24T01:00:00Z' },
    );
    ctx.clock.set('2026-11-25T02:00:00.000Z');
    const publish = ctx.events.publish;
    let failures = 1;
    const deps = {
      ...ctx.deps,
      events: {
        publish: async (events: Parameters<typeof publish>[0]) => {
          if (failures-- > 0) throw new Error('InternalException: PutEvents failed');
          return publish(events);
        },
      },
    };

    // Act
    await expect(sweep(deps)).rejects.toThrow('PutEvents failed');
    const retried = await sweep(deps);
    const after = await sweep(deps);

    // Assess
    expect(retried.missedTicks).toEqual([{ job: 'nightly-report', scheduledTime: '2026-11-25T01:00:00.000Z' }]);
    expect(after.missedTicks).toEqual([]);
    const missed = ctx.events.published.filter((e) => e.type === 'Schedule Missed');
    expect(missed.map((e) => (e.detail as { scheduledTime: string }).scheduledTime)).toEqual([
      '2026-11-25T01:00:00.000Z',
    ]);
  });
});
