/**
 * Outcomes over a real local DynamoDB engine: task events close attempts, in any order and
 * duplicated; the failure policy retries (on-demand after Spot, bigger after OOM), gives up, or
 * succeeds; crashes between steps are repaired by redelivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptRuns } from '../../lib/acceptRuns.ts';
import { cancelRun } from '../../lib/cancelRun.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { LaunchError } from '../../lib/errors.ts';
import { launchOne } from '../../lib/launch.ts';
import type { CoreDeps, RunStore } from '../../lib/ports.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { exampleCatalog } from '../helpers/catalogs.ts';
import { taskEvent } from '../helpers/events.ts';
import { buildDeps } from '../helpers/fakes.ts';
import { launchManualRun } from '../helpers/launched.ts';
import { localStore } from '../helpers/localTable.ts';

const catalog: Catalog = exampleCatalog();
let store: RunStore;
let close: () => void;
let seq = 0;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

/** A run of `job` launched through the real launch path; returns it with its task ARN. */
const launched = (ctx: ReturnType<typeof buildDeps>, job: string) => launchManualRun(ctx, catalog, job, `t-${++seq}`);

const deliver = (
  deps: CoreDeps,
  name: string,
  target: { runId: string; attempt: number; taskArn: string; clusterArn?: string },
) => trackTaskEvent(deps, parseTaskStateChange(taskEvent(name, target)));

/** The next attempt: its launch message delivered to the launcher. */
const launchNext = async (ctx: ReturnType<typeof buildDeps>, runId: string) => {
  for (const m of ctx.queue.take()) {
    ctx.clock.advance(m.delaySeconds ?? 0);
    await launchOne(ctx.launch, { v: 1, runId: m.runId, attempt: m.attempt });
  }
  const run = await store.getRun(runId);
  return { runId, attempt: run?.attempt ?? 0, taskArn: run?.taskArn ?? '' };
};

const permutations = <T>(xs: T[]): T[][] =>
  xs.length <= 1
    ? [xs]
    : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

describe('Tracking: order and duplicates', () => {
  it('reaches the same final record whatever the order of RUNNING, STOPPED and their duplicates', async () => {
    // Prepare
    const orders = permutations([
      'ecs-task-running',
      'ecs-task-stopped-success',
      'ecs-task-running',
      'ecs-task-stopped-success',
    ]);
    const finals: unknown[] = [];

    // Act
    for (const order of orders.slice(0, 12)) {
      const ctx = buildDeps(store, catalog);
      const { runId, taskArn } = await launched(ctx, 'thumbnails');
      for (const name of order) await deliver(ctx.core, name, { runId, attempt: 1, taskArn });
      const h = await store.getHistory(runId);
      const a = h?.attempts[0];
      finals.push({
        run: { status: h?.run.status, attempt: h?.run.attempt, outcome: h?.run.outcome, published: h?.run.published },
        attempt: {
          status: a?.status,
          taskVersion: a?.taskVersion,
          startedAt: a?.startedAt,
          stoppedAt: a?.stoppedAt,
          containers: a?.containers,
          durationSeconds: a?.durationSeconds,
          decision: a?.decision,
        },
        events: ctx.events.seen(),
      });
    }

    // Assess
    expect(finals[0]).toMatchObject({
      run: { status: 'SUCCEEDED', attempt: 1, published: ['started#1', 'succeeded#1'] },
      attempt: {
        status: 'STOPPED',
        taskVersion: 5,
        durationSeconds: 756,
        containers: [{ name: 'main', exitCode: 0, essential: true }],
        decision: { action: 'succeed', rule: 'success' },
      },
      events: ['Run Started', 'Run Succeeded'],
    });
    for (const f of finals) expect(f).toEqual(finals[0]);
  });

  it('records RUNNING with its start time and the log link', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const { runId, taskArn } = await launched(ctx, 'thumbnails');

    // Act
    const out = await deliver(ctx.core, 'ecs-task-running', { runId, attempt: 1, taskArn });

    // Assess
    const h = await store.getHistory(runId);
    expect(out.outcome).toBe('running');
    expect(h?.run).toMatchObject({ status: 'RUNNING', startedAt: '2026-11-22T09:15:17.000Z' });
    expect(h?.attempts[0]?.logLink).toMatch(
      /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#logsV2:log-groups\/log-group\/\$252Flongshore\$252Ftest\$252Fthumbnails\/log-events\/longshore\$252Fmain\$252F/,
    );
  });

  it('ignores tasks that are not ours, of another stage, or of a run it does not know', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);

    // Act
    const foreign = await trackTaskEvent(ctx.core, {
      ...parseTaskStateChange(taskEvent('ecs-task-foreign', { runId: 'x', attempt: 1, taskArn: 'arn:t' })),
      startedBy: 'ecs-svc/123',
    });
    const otherStage = await trackTaskEvent(
      ctx.core,
      parseTaskStateChange(
        taskEvent('ecs-task-running', {
          runId: 'thumbnails-aaaaaaaaaaaaaaaaaaaa',
          attempt: 1,
          taskArn: 'arn:t',
          stage: 'prod',
        }),
      ),
    );
    const unknown = await deliver(ctx.core, 'ecs-task-running', {
      runId: 'thumbnails-bbbbbbbbbbbbbbbbbbbb',
      attempt: 1,
      taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/3',
    });

    // Assess
    expect([foreign.outcome, otherStage.outcome, unknown.outcome]).toEqual(['foreign', 'foreign', 'unknown-run']);
  });
});

describe('Tracking: what an event may change', () => {
  it('ignores an event of another cluster, even with our startedBy, and changes nothing', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');
    const before = await store.getHistory(t.runId);

    // Act
    const out = await deliver(ctx.core, 'ecs-task-stopped-app-failure', {
      ...t,
      attempt: 1,
      clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/someone-else',
    });

    // Assess
    expect(out.outcome).toBe('foreign');
    expect(await store.getHistory(t.runId)).toEqual(before);
  });

  it("ignores an event whose task is not the attempt's task: no taskArn overwrite, no settlement", async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');

    // Act
    const out = await deliver(ctx.core, 'ecs-task-stopped-app-failure', {
      runId: t.runId,
      attempt: 1,
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/longshore-test/0000000000000000000000000000dead',
    });

    // Assess
    expect(out.outcome).toBe('foreign');
    expect(await store.getAttempt(t.runId, 1)).toMatchObject({ status: 'STARTING', taskArn: t.taskArn });
    expect((await store.getRun(t.runId))?.status).toBe('STARTING');
  });

  it('lets an attempt that has no task yet adopt the one its event names', async () => {
    // Prepare: the attempt is claimed, RunTask answered, and the launcher died before recording it.
    const ctx = buildDeps(store, catalog);
    const j = catalog.jobs.find((x) => x.name === 'thumbnails');
    const [a] = await acceptRuns(ctx.core, [
      { job: j as NonNullable<typeof j>, trigger: { type: 'manual', token: `adopt-${++seq}` } },
    ]);
    const runId = a?.runId ?? '';
    const run = await store.getRun(runId);
    await store.claimAttempt(
      {
        runId,
        attempt: 1,
        capacityProvider: 'FARGATE',
        cpu: 512,
        memory: 1024,
        expiresAt: run?.expiresAt,
      },
      ctx.clock.now(),
      120,
    );
    const taskArn = 'arn:aws:ecs:eu-west-1:111122223333:task/longshore-test/00000000000000000000000000000ad0';

    // Act
    const out = await deliver(ctx.core, 'ecs-task-running', { runId, attempt: 1, taskArn });

    // Assess
    expect(out.outcome).toBe('running');
    expect(await store.getAttempt(runId, 1)).toMatchObject({ taskArn, status: 'RUNNING' });
  });

  it.each(['PROVISIONING', 'PENDING', 'ACTIVATING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'SOMETHING_NEW'])(
    'records a %s event without moving a STARTING run to RUNNING',
    async (lastStatus) => {
      // Prepare
      const ctx = buildDeps(store, catalog);
      const t = await launched(ctx, 'thumbnails');
      const e = taskEvent('ecs-task-running', { ...t, attempt: 1 });
      e.detail.lastStatus = lastStatus;
      delete e.detail.startedAt;

      // Act
      const out = await trackTaskEvent(ctx.core, parseTaskStateChange(e));

      // Assess
      expect(out.outcome).toBe('recorded');
      expect((await store.getRun(t.runId))?.status).toBe('STARTING');
      expect(await store.getAttempt(t.runId, 1)).toMatchObject({ status: 'STARTING', lastStatus });
    },
  );

  it('never writes an attempt the run never had (a made-up /7 in startedBy)', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');

    // Act
    const ghost = await deliver(ctx.core, 'ecs-task-stopped-app-failure', { ...t, attempt: 7 });

    // Assess
    expect(ghost.outcome).toBe('unknown-attempt');
    expect((await store.getHistory(t.runId))?.attempts.map((a) => a.attempt)).toEqual([1]);
  });

  it('gives every attempt the TTL of its run, so all of a run expires together', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');

    // Act
    const history = await store.getHistory(t.runId);

    // Assess
    expect(history?.attempts[0]?.expiresAt).toBe(history?.run.expiresAt);
    expect(history?.run.expiresAt).toBeGreaterThan(0);
  });
});

describe('Outcomes: the failure policy in the flow', () => {
  it('Spot interruption: the notice is recorded, the STOPPED event retries once on on-demand, then success', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const { runId, taskArn } = await launched(ctx, 'csv-ingest');

    // Act
    const notice = await deliver(ctx.core, 'ecs-task-spot-notice', { runId, attempt: 1, taskArn });
    const stop = await deliver(ctx.core, 'ecs-task-stopped-spot', { runId, attempt: 1, taskArn });
    const dup = await deliver(ctx.core, 'ecs-task-stopped-spot', { runId, attempt: 1, taskArn });
    const second = await launchNext(ctx, runId);
    await deliver(ctx.core, 'ecs-task-stopped-success-after-spot', second);

    // Assess
    expect([notice.outcome, stop.outcome, dup.outcome]).toEqual(['spot-notice', 'settled', 'older-attempt']);
    const h = await store.getHistory(runId);
    expect(h?.attempts[0]).toMatchObject({
      spotNoticeAt: expect.any(String),
      decision: { action: 'retry-on-demand', rule: 'spot-interruption' },
    });
    expect(h?.run).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 2,
      capacity: 'FARGATE',
      retries: { app: 0, infra: 1 },
    });
    expect(ctx.ecs.calls.map((c) => c.capacityProviderStrategy[0]?.capacityProvider)).toEqual([
      'FARGATE_SPOT',
      'FARGATE',
    ]);
    expect(ctx.events.seen()).toEqual(['Run Started', 'Run Retrying', 'Run Started', 'Run Succeeded']);
  });

  it('out of memory: retries at once with the next memory size', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const { runId, taskArn } = await launched(ctx, 'csv-ingest');

    // Act
    await deliver(ctx.core, 'ecs-task-stopped-oom', { runId, attempt: 1, taskArn });
    await launchNext(ctx, runId);

    // Assess
    expect(ctx.ecs.calls[1]?.overrides).toMatchObject({ cpu: '1024', memory: '4096' });
    expect(await store.getRun(runId)).toMatchObject({
      attempt: 2,
      size: { cpu: 1024, memory: 4096 },
      status: 'STARTING',
    });
  });

  it('an application failure past its budget fails the run and publishes Run Failed with what on-call needs', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const first = await launched(ctx, 'nightly-report');

    // Act
    await deliver(ctx.core, 'ecs-task-stopped-app-failure', { ...first, attempt: 1 });
    const retry = ctx.queue.sent[0];
    const second = await launchNext(ctx, first.runId);
    await deliver(ctx.core, 'ecs-task-stopped-app-failure', second);

    // Assess
    expect(retry?.delaySeconds).toBeGreaterThan(0);
    const run = await store.getRun(first.runId);
    expect(run).toMatchObject({
      status: 'FAILED',
      attempt: 2,
      outcome: { exitCode: 2, rule: 'application-error', action: 'fail' },
    });
    const failed = ctx.events.published.find((e) => e.type === 'Run Failed');
    expect(failed?.detail).toMatchObject({
      runId: first.runId,
      job: 'nightly-report',
      attempt: 2,
      exitCode: 2,
      stopCode: 'EssentialContainerExited',
      durationSeconds: 756,
      decision: { rule: 'application-error', next: 'giving up: no retries left (1 of 1 used; policy.retries is 1)' },
      logLink: expect.stringContaining('cloudwatch'),
    });
  });

  it('a secret the task cannot read fails at once, with the diagnosis', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'nightly-report');

    // Act
    await deliver(ctx.core, 'ecs-task-stopped-secrets-failure', { ...t, attempt: 1 });

    // Assess
    expect(await store.getRun(t.runId)).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/^ECS could not read the task's secrets \(the execution role may not read it\)/),
    });
    expect(ctx.queue.sent).toHaveLength(0);
  });

  it('a cancelled run is CANCELLING until its STOPPED event, which closes it without a decision and frees its slot', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'nightly-report');
    await cancelRun({ ...ctx.core, ecs: ctx.ecs }, t.runId, 'operator');
    const before = await store.getRun(t.runId);

    // Act
    const out = await deliver(ctx.core, 'ecs-task-stopped-timeout', { ...t, attempt: 1 });

    // Assess
    expect(before?.status).toBe('CANCELLING');
    expect(out.outcome).toBe('cancelled');
    expect((await store.getRun(t.runId))?.status).toBe('CANCELLED');
    expect((await store.getAttempt(t.runId, 1))?.decision).toBeUndefined();
    expect(await store.slotHolders('nightly-report')).toEqual([]);
    expect(ctx.events.seen().filter((x) => x === 'Run Cancelled')).toHaveLength(1);
  });
});

describe('The decision: written with the STOPPED event when the event alone decides', () => {
  /** The store, counting the decision's own writes (recordDecision) and the reads of a job's slots. */
  const counting = () => {
    const decisions: string[] = [];
    const slotReads: string[] = [];
    return {
      decisions,
      slotReads,
      store: {
        ...store,
        recordDecision: async (...args: Parameters<typeof store.recordDecision>) => {
          decisions.push(args[2].rule);
          return store.recordDecision(...args);
        },
        slotHolders: async (job: string) => {
          slotReads.push(job);
          return store.slotHolders(job);
        },
      },
    };
  };

  it('a clean STOPPED records its facts and the decision in one write, and a duplicate writes neither again', async () => {
    // Prepare
    const { decisions, slotReads, store: watched } = counting();
    const ctx = buildDeps(watched, catalog);
    const t = await launched(ctx, 'thumbnails');
    slotReads.length = 0;

    // Act
    await deliver(ctx.core, 'ecs-task-stopped-success', { ...t, attempt: 1 });
    const again = await deliver(ctx.core, 'ecs-task-stopped-success', { ...t, attempt: 1 });

    // Assess: and the freed slot's dispatch, finding no run waiting, reads no slots.
    expect(decisions).toEqual([]);
    expect(slotReads).toEqual([]);
    expect(again.outcome).toBe('stale');
    expect(await store.getAttempt(t.runId, 1)).toMatchObject({ status: 'STOPPED', decision: { action: 'succeed' } });
    expect(await store.getRun(t.runId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('a STOPPED event without a stop code is decided after its write, on the attempt as recorded', async () => {
    // Prepare: the facts on the attempt then include what earlier events recorded.
    const { decisions, store: watched } = counting();
    const ctx = buildDeps(watched, catalog);
    const t = await launched(ctx, 'thumbnails');
    const event = taskEvent('ecs-task-stopped-success', { ...t, attempt: 1 }) as { detail: Record<string, unknown> };
    delete event.detail.stopCode;

    // Act
    await trackTaskEvent(ctx.core, parseTaskStateChange(event));

    // Assess
    expect(decisions).toHaveLength(1);
    expect(await store.getAttempt(t.runId, 1)).toMatchObject({ status: 'STOPPED', decision: { rule: decisions[0] } });
  });

  it('a STOPPED event of a run being cancelled records no decision: the cancel closes the run', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');
    const run = await store.getRun(t.runId);
    await store.transition(
      run as NonNullable<typeof run>,
      { from: ['STARTING'], attempt: 1, to: 'CANCELLING' },
      ctx.clock.now(),
    );

    // Act
    const out = await deliver(ctx.core, 'ecs-task-stopped-success', { ...t, attempt: 1 });

    // Assess
    expect(out.outcome).toBe('cancelled');
    expect((await store.getAttempt(t.runId, 1))?.decision).toBeUndefined();
    expect(await store.getRun(t.runId)).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('Run events: recorded with the transition, published once from the consumer view', () => {
  /** The store, counting the writes that record an event as due on their own (markPublished). */
  const counting = () => {
    const marks: string[][] = [];
    return {
      marks,
      store: {
        ...store,
        markPublished: async (id: string, keys: string[]) => {
          marks.push(keys);
          return store.markPublished(id, keys);
        },
      },
    };
  };

  it('a clean run writes no marker of its own: each event is recorded by the transition that made it due', async () => {
    // Prepare
    const { marks, store: watched } = counting();
    const ctx = buildDeps(watched, catalog);

    // Act
    const t = await launched(ctx, 'thumbnails');
    await deliver(ctx.core, 'ecs-task-running', { ...t, attempt: 1 });
    await deliver(ctx.core, 'ecs-task-stopped-success', { ...t, attempt: 1 });

    // Assess
    expect(marks).toEqual([]);
    expect(await store.getRun(t.runId)).toMatchObject({ status: 'SUCCEEDED', published: ['started#1', 'succeeded#1'] });
    expect(ctx.events.published.map((e) => [e.type, e.detail.eventId])).toEqual([
      ['Run Started', `${t.runId}/started#1`],
      ['Run Succeeded', `${t.runId}/succeeded#1`],
    ]);
  });

  it('between the final write and PutEvents: the event stays due, and the redelivery publishes it, once', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');
    const dying = { ...ctx.core, events: { publish: async () => Promise.reject(new Error('Lambda died')) } };

    // Act
    await expect(deliver(dying, 'ecs-task-stopped-success', { ...t, attempt: 1 })).rejects.toThrow('Lambda died');
    const owed = await store.getRun(t.runId);
    await deliver(ctx.core, 'ecs-task-stopped-success', { ...t, attempt: 1 });

    // Assess
    expect(owed).toMatchObject({ status: 'SUCCEEDED', published: ['started#1', 'succeeded#1'] });
    expect(ctx.events.published.filter((e) => e.type === 'Run Succeeded').map((e) => e.detail.eventId)).toEqual([
      `${t.runId}/succeeded#1`,
    ]);
  });

  it('after PutEvents and before the invocation ended: the redelivery publishes the same event again, seen once', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');
    const dying = {
      ...ctx.core,
      events: {
        publish: async (events: Parameters<typeof ctx.events.publish>[0]) => {
          await ctx.events.publish(events);
          throw new Error('Lambda died');
        },
      },
    };

    // Act
    await expect(deliver(dying, 'ecs-task-stopped-success', { ...t, attempt: 1 })).rejects.toThrow('Lambda died');
    await deliver(ctx.core, 'ecs-task-stopped-success', { ...t, attempt: 1 });

    // Assess
    const ids = ctx.events.published.filter((e) => e.type === 'Run Succeeded').map((e) => e.detail.eventId);
    expect(ids).toEqual([`${t.runId}/succeeded#1`, `${t.runId}/succeeded#1`]);
    expect(ctx.events.seen()).toEqual(['Run Started', 'Run Succeeded']);
  });
});

describe('Outcomes: a cancel racing the STOPPED event that retries the run', () => {
  it("cancels the retry (no task), never putting the earlier attempt's task back on the run (found by the histories)", async () => {
    // Prepare: the cancel read the run while attempt 1 ran; the STOPPED event retried it before the cancel wrote.
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');
    const seenByCancel = await store.getRun(t.runId);
    const retried = await deliver(ctx.core, 'ecs-task-stopped-app-failure', { ...t, attempt: 1 });
    let reads = 0;
    const staleFirst = {
      ...store,
      getRun: async (id: string) => (reads++ === 0 ? seenByCancel : store.getRun(id)),
    };

    // Act
    const out = await cancelRun({ ...ctx.core, ecs: ctx.ecs, store: staleFirst }, t.runId, 'operator');

    // Assess: CANCELLED at attempt 2 with no task; nothing left for the sweeper to stop for ever.
    expect(retried.outcome).toBe('settled');
    expect(seenByCancel).toMatchObject({ status: 'STARTING', attempt: 1, taskArn: t.taskArn });
    expect(out).toMatchObject({ status: 'CANCELLED', attempt: 2 });
    const run = await store.getRun(t.runId);
    expect(run).toMatchObject({ status: 'CANCELLED', attempt: 2 });
    expect(run?.taskArn).toBeUndefined();
    expect(ctx.ecs.stopped).toEqual([]);
  });
});

describe('Outcomes: a Lambda dies between two steps', () => {
  it('after recording STOPPED and before moving the run: the redelivered event settles it, once', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');
    const dying = {
      ...ctx.core,
      store: { ...store, transition: async () => Promise.reject(new Error('Lambda died')) },
    };

    // Act
    await expect(deliver(dying, 'ecs-task-stopped-success', { ...t, attempt: 1 })).rejects.toThrow('Lambda died');
    const again = await deliver(ctx.core, 'ecs-task-stopped-success', { ...t, attempt: 1 });
    const third = await deliver(ctx.core, 'ecs-task-stopped-success', { ...t, attempt: 1 });

    // Assess
    expect([again.outcome, third.outcome]).toEqual(['settled', 'stale']);
    expect(await store.getRun(t.runId)).toMatchObject({ status: 'SUCCEEDED', published: ['started#1', 'succeeded#1'] });
    expect(ctx.events.seen().filter((x) => x === 'Run Succeeded')).toHaveLength(1);
  });

  it('after queueing the retry and before queueing its launch: the redelivery queues it and publishes Run Retrying once', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');
    const dying = {
      ...ctx.core,
      queue: { ...ctx.queue, enqueue: async () => Promise.reject(new Error('Lambda died')) },
    };

    // Act
    await expect(deliver(dying, 'ecs-task-stopped-unknown-stop-code', { ...t, attempt: 1 })).rejects.toThrow(
      'Lambda died',
    );
    await deliver(ctx.core, 'ecs-task-stopped-unknown-stop-code', { ...t, attempt: 1 });
    await deliver(ctx.core, 'ecs-task-stopped-unknown-stop-code', { ...t, attempt: 1 });

    // Assess
    expect(await store.getRun(t.runId)).toMatchObject({ status: 'QUEUED', attempt: 2 });
    expect(ctx.queue.sent.filter((m) => m.attempt === 2).length).toBeGreaterThanOrEqual(1);
    expect(ctx.events.seen().filter((x) => x === 'Run Retrying')).toHaveLength(1);
  });

  it('after the run became FAILED and before Run Failed was published: the redelivered STOPPED event publishes it, once', async () => {
    // Prepare: found by the generated histories (test/fuzz/regressions.ts), a fault after the final write.
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'thumbnails');
    const dying = { ...ctx.core, events: { publish: async () => Promise.reject(new Error('Lambda died')) } };

    // Act
    await expect(deliver(dying, 'ecs-task-stopped-pull-failure', { ...t, attempt: 1 })).rejects.toThrow('Lambda died');
    await deliver(ctx.core, 'ecs-task-stopped-pull-failure', { ...t, attempt: 1 });
    await deliver(ctx.core, 'ecs-task-stopped-pull-failure', { ...t, attempt: 1 });

    // Assess
    expect(await store.getRun(t.runId)).toMatchObject({ status: 'FAILED', published: ['failed#1', 'started#1'] });
    expect(ctx.events.seen().filter((x) => x === 'Run Failed')).toHaveLength(1);
  });

  it('after a launch refused for good was recorded and before the run was settled: the redelivered launch message settles it', async () => {
    // Prepare: found by \`npm run fuzz -- --runs 20 --seed 894001762\`: the run stayed QUEUED, holding its slot.
    const ctx = buildDeps(store, catalog);
    const j = catalog.jobs.find((x) => x.name === 'thumbnails') as NonNullable<(typeof catalog.jobs)[number]>;
    const [a] = await acceptRuns(ctx.core, [{ job: j, trigger: { type: 'manual', token: `unsettled-${++seq}` } }]);
    const runId = a?.runId ?? '';
    const refusing = {
      ...ctx.launch,
      ecs: { ...ctx.ecs, runTask: async () => Promise.reject(new LaunchError('ATTRIBUTE', 'config')) },
    };
    const dying = {
      ...refusing,
      store: { ...store, recordDecision: async () => Promise.reject(new Error('Lambda died')) },
    };

    // Act
    await expect(launchOne(dying, { v: 1, runId, attempt: 1 })).rejects.toThrow('Lambda died');
    const left = await store.getRun(runId);
    const again = await launchOne(refusing, { v: 1, runId, attempt: 1 });

    // Assess
    expect(left).toMatchObject({ status: 'QUEUED', attempt: 1 });
    expect(again).toBe('failed');
    expect(await store.getRun(runId)).toMatchObject({ status: 'FAILED', published: ['failed#1'] });
    expect((await store.slotHolders('thumbnails')).filter((h) => h.runId === runId)).toEqual([]);
    expect(ctx.events.seen().filter((x) => x === 'Run Failed')).toHaveLength(1);
  });

  it('after a launch refused for good made the run FAILED and before Run Failed: the redelivered launch message publishes it', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const j = catalog.jobs.find((x) => x.name === 'thumbnails') as NonNullable<(typeof catalog.jobs)[number]>;
    const [a] = await acceptRuns(ctx.core, [{ job: j, trigger: { type: 'manual', token: `refused-${++seq}` } }]);
    const runId = a?.runId ?? '';
    const refusing = {
      ...ctx.launch,
      ecs: { ...ctx.ecs, runTask: async () => Promise.reject(new LaunchError('ATTRIBUTE', 'config')) },
    };

    // Act
    await expect(
      launchOne(
        { ...refusing, events: { publish: async () => Promise.reject(new Error('Lambda died')) } },
        { v: 1, runId, attempt: 1 },
      ),
    ).rejects.toThrow('Lambda died');
    await launchOne(refusing, { v: 1, runId, attempt: 1 });
    await launchOne(refusing, { v: 1, runId, attempt: 1 });

    // Assess
    expect(await store.getRun(runId)).toMatchObject({ status: 'FAILED', published: ['failed#1'] });
    expect(ctx.events.seen().filter((x) => x === 'Run Failed')).toHaveLength(1);
  });

  it('after a cancel made a queued run CANCELLED and before Run Cancelled: the repeated cancel publishes it', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const j = catalog.jobs.find((x) => x.name === 'thumbnails') as NonNullable<(typeof catalog.jobs)[number]>;
    const [a] = await acceptRuns(ctx.core, [{ job: j, trigger: { type: 'manual', token: `cancel-${++seq}` } }]);
    const runId = a?.runId ?? '';
    const stop = { ...ctx.core, ecs: ctx.ecs };

    // Act
    await expect(
      cancelRun({ ...stop, events: { publish: async () => Promise.reject(new Error('Lambda died')) } }, runId, 'test'),
    ).rejects.toThrow('Lambda died');
    await cancelRun(stop, runId, 'test');

    // Assess
    expect(await store.getRun(runId)).toMatchObject({ status: 'CANCELLED', published: ['cancelled#1'] });
    expect(ctx.events.seen().filter((x) => x === 'Run Cancelled')).toHaveLength(1);
  });
});
