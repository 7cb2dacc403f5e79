/**
 * The launch path end to end over a real local DynamoDB engine: uploads, ticks and manual triggers
 * become runs; the launcher turns them into tasks exactly once, whatever AWS redelivers, wherever a
 * Lambda dies, however many launches race for a job's concurrency slots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptTick } from '../../lib/acceptTick.ts';
import { acceptUploads } from '../../lib/acceptUploads.ts';
import { cancelRun } from '../../lib/cancelRun.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { launchMessage } from '../../lib/contracts/launch.ts';
import { parseUploads } from '../../lib/contracts/s3.ts';
import { control } from '../../lib/control.ts';
import { LaunchError } from '../../lib/errors.ts';
import { launchOne } from '../../lib/launch.ts';
import { launchBatch } from '../../lib/launchBatch.ts';
import type { LaunchDeps, LaunchEnqueue, RunStore } from '../../lib/ports.ts';
import { finishRun } from '../../lib/runLifecycle.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { flowCatalog } from '../helpers/catalogs.ts';
import { objectCreated, taskEvent } from '../helpers/events.ts';
import { buildDeps, fakeEcs, throttlingEcs } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

const catalog = flowCatalog();
let store: RunStore;
let close: () => void;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

/** Delivers every queued launch message (in batches of 10) until the queue is empty; returns the rounds. */
const drain = async (deps: LaunchDeps, queue: { take: () => LaunchEnqueue[] }, maxRounds = 50): Promise<number> => {
  let rounds = 0;
  for (let messages = queue.take(); messages.length > 0 && rounds < maxRounds; messages = queue.take(), rounds++) {
    for (let i = 0; i < messages.length; i += 10) {
      const records = messages.slice(i, i + 10).map((m, j) => ({
        messageId: `m${rounds}-${i + j}`,
        body: JSON.stringify({ v: 1, runId: m.runId, attempt: m.attempt }),
      }));
      await launchBatch(deps, records, (body) => launchMessage.parse(JSON.parse(body)));
    }
  }
  return rounds;
};

describe('Launch path: uploads', () => {
  it('launches 100 unique uploads delivered 3 times each with exactly 100 RunTask calls and loses none', async () => {
    // Prepare
    const { core, launch, queue, ecs, events } = buildDeps(store, catalog);
    const uploads = Array.from({ length: 100 }, (_, i) =>
      objectCreated('acme-uploads', `in/photo ${i}.jpg`, { sequencer: `A${String(i).padStart(4, '0')}` }),
    );

    // Act: three deliveries of each, the later ones interleaved with launching.
    for (const e of uploads) await acceptUploads(core, parseUploads(structuredClone(e)));
    await drain(launch, queue);
    for (const e of [...uploads].reverse()) await acceptUploads(core, parseUploads(structuredClone(e)));
    await Promise.all(uploads.map((e) => acceptUploads(core, parseUploads(structuredClone(e)))));
    await drain(launch, queue);

    // Assess
    const runs = (await store.runsOfJob('thumbs', { limit: 500 })).runs;
    expect(runs).toHaveLength(100);
    expect(runs.every((r) => r.status === 'STARTING' && r.taskArn)).toBe(true);
    expect(ecs.calls).toHaveLength(100);
    expect(new Set(ecs.tasks()).size).toBe(100);
    expect(events.types().filter((t) => t === 'Run Started')).toHaveLength(100);
  });

  it('passes the decoded key and the object identity to the task', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);

    // Act
    await acceptUploads(
      core,
      parseUploads(objectCreated('acme-uploads', 'in/red flower+1.jpg', { versionId: 'v-1', size: 2048 })),
    );
    await drain(launch, queue);

    // Assess
    const env = Object.fromEntries(
      (ecs.calls[0]?.overrides.containerOverrides[0]?.environment ?? []).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      S3_BUCKET: 'acme-uploads',
      S3_KEY: 'in/red flower+1.jpg',
      S3_VERSION_ID: 'v-1',
      S3_SIZE: '2048',
      LONGSHORE_ATTEMPT: '1',
    });
  });

  it('does not call RunTask twice when two launchers get the same run at once', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    await acceptUploads(core, parseUploads(objectCreated('acme-uploads', 'in/twice.jpg', { sequencer: 'T1' })));
    const [message] = queue.take();

    // Act
    const outcomes = await Promise.all(
      [1, 2, 3].map(() => launchOne(launch, { v: 1, runId: message?.runId ?? '', attempt: 1 })),
    );

    // Assess
    expect(ecs.calls).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'launched')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'launched').every((o) => ['busy', 'skipped', 'adopted'].includes(o))).toBe(
      true,
    );
  });
});

describe('Launch path: a Lambda dies between two calls', () => {
  it('after creating the run and before queueing it: the redelivered event queues it, and it launches once', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const event = objectCreated('acme-uploads', 'in/crash-1.jpg', { sequencer: 'C1' });
    const dying = { ...core, queue: { ...queue, enqueue: async () => Promise.reject(new Error('Lambda died')) } };

    // Act
    await expect(acceptUploads(dying, parseUploads(structuredClone(event)))).rejects.toThrow('Lambda died');
    await acceptUploads(core, parseUploads(structuredClone(event)));
    await drain(launch, queue);

    // Assess
    expect(ecs.calls).toHaveLength(1);
  });

  it('after claiming the attempt and before RunTask: the retried message takes over once the lease ends', async () => {
    // Prepare
    const { core, launch, queue, ecs, clock } = buildDeps(store, catalog);
    await acceptUploads(core, parseUploads(objectCreated('acme-uploads', 'in/crash-2.jpg', { sequencer: 'C2' })));
    const [message] = queue.take();
    const msg = { v: 1 as const, runId: message?.runId ?? '', attempt: 1 };

    // Act
    await expect(launchOne({ ...launch, pace: () => Promise.reject(new Error('Lambda died')) }, msg)).rejects.toThrow(
      'Lambda died',
    );
    const tooSoon = await launchOne(launch, msg);
    clock.advance(121);
    const later = await launchOne(launch, msg);

    // Assess
    expect([tooSoon, later]).toEqual(['busy', 'launched']);
    expect(ecs.calls).toHaveLength(1);
  });

  it('after RunTask returned and before recording the task: the retry gets the same task for the same clientToken', async () => {
    // Prepare
    const { core, launch, queue, ecs, clock } = buildDeps(store, catalog);
    await acceptUploads(core, parseUploads(objectCreated('acme-uploads', 'in/crash-3.jpg', { sequencer: 'C3' })));
    const [message] = queue.take();
    const msg = { v: 1 as const, runId: message?.runId ?? '', attempt: 1 };
    const dyingEcs = {
      ...ecs,
      runTask: async (r: Parameters<typeof ecs.runTask>[0]) =>
        ecs.runTask(r).then(() => Promise.reject(new Error('Lambda died'))),
    };

    // Act
    await expect(launchOne({ ...launch, ecs: dyingEcs }, msg)).rejects.toThrow('Lambda died');
    clock.advance(121);
    await launchOne(launch, msg);

    // Assess
    expect(ecs.calls).toHaveLength(2);
    expect(ecs.calls[0]?.clientToken).toBe(ecs.calls[1]?.clientToken);
    expect(ecs.tasks()).toHaveLength(1);
    expect((await store.getRun(msg.runId))?.taskArn).toBe(ecs.tasks()[0]);
  });

  it('after recording the task and before publishing Run Started: the retry publishes it, without a launch', async () => {
    // Prepare
    const { core, launch, queue, ecs, events } = buildDeps(store, catalog);
    await acceptUploads(core, parseUploads(objectCreated('acme-uploads', 'in/crash-4.jpg', { sequencer: 'C4' })));
    const [message] = queue.take();
    const msg = { v: 1 as const, runId: message?.runId ?? '', attempt: 1 };

    // Act
    await expect(
      launchOne({ ...launch, events: { publish: () => Promise.reject(new Error('Lambda died')) } }, msg),
    ).rejects.toThrow('Lambda died');
    const retry = await launchOne(launch, msg);

    // Assess
    expect(retry).toBe('skipped');
    expect(ecs.calls).toHaveLength(1);
    expect(events.types()).toEqual(['Run Started']);
    expect((await store.getRun(msg.runId))?.published).toEqual(['started#1']);
  });
  it('after recording a launch failure and before the policy moved the run: the retry settles it (found by the histories)', async () => {
    // Prepare: RunTask refuses the launch for good; the run's transition dies after the attempt says so.
    const { core, launch, queue, events } = buildDeps(store, catalog);
    const ecs = fakeEcs(() => new LaunchError('ClientException: TaskDefinition is inactive', 'config'));
    const { runId } = await control(core as never, {
      action: 'trigger',
      job: 'allower',
      clientToken: 'died-after-refusal',
    });
    const [message] = queue.take();
    const msg = { v: 1 as const, runId: message?.runId ?? '', attempt: 1 };
    const dyingStore = { ...launch.store, transition: () => Promise.reject(new Error('Lambda died')) };

    // Act
    await expect(launchOne({ ...launch, ecs, store: dyingStore }, msg)).rejects.toThrow('Lambda died');
    const between = await store.getHistory(runId);
    const retry = await launchOne({ ...launch, ecs }, msg);

    // Assess: the run was stuck QUEUED on a LAUNCH_FAILED attempt; the retry finishes it, without RunTask.
    expect(between?.run.status).toBe('QUEUED');
    expect(between?.attempts[0]?.status).toBe('LAUNCH_FAILED');
    expect(retry).toBe('failed');
    expect(ecs.calls).toHaveLength(1);
    const history = await store.getHistory(runId);
    expect(history?.run).toMatchObject({
      status: 'FAILED',
      reason: 'RunTask refused the launch: ClientException: TaskDefinition is inactive',
    });
    expect(history?.attempts[0]?.decision).toMatchObject({ action: 'fail', rule: 'launch-rejected' });
    expect(events.types()).toEqual(['Run Failed']);
  });
});

describe('Launch path: launch failures', () => {
  it('treats throttling as back-pressure: deferred with backoff, then launched', async () => {
    // Prepare
    const { core, launch, queue, clock } = buildDeps(store, catalog);
    const ecs = fakeEcs((_r, call) =>
      call <= 2 ? new LaunchError('ThrottlingException: Rate exceeded', 'throttled') : undefined,
    );
    await acceptUploads(core, parseUploads(objectCreated('acme-uploads', 'in/throttled.jpg', { sequencer: 'TH' })));

    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [m] = queue.take();
      outcomes.push(await launchOne({ ...launch, ecs }, { v: 1, runId: m?.runId ?? '', attempt: 1 }));
      if (i < 2) expect(queue.sent[0]?.delaySeconds).toBeGreaterThan(0);
      clock.advance(10);
    }

    // Assess
    expect(outcomes).toEqual(['deferred', 'deferred', 'launched']);
    const history = await store.getHistory(ecs.calls[0]?.tags.find((t) => t.key === 'longshore:run')?.value ?? '');
    expect(history?.attempts[0]).toMatchObject({
      status: 'STARTING',
      launchTries: 2,
      lastLaunchError: 'ThrottlingException: Rate exceeded',
    });
  });

  it('falls back from Spot to on-demand when Spot has no capacity, with a new clientToken', async () => {
    // Prepare
    const { core, launch, queue } = buildDeps(store, catalog);
    const ecs = fakeEcs((r) =>
      r.capacityProviderStrategy[0]?.capacityProvider === 'FARGATE_SPOT'
        ? new LaunchError('Capacity is unavailable at this time', 'capacity')
        : undefined,
    );
    const { runId } = await control(core as never, { action: 'trigger', job: 'spot', clientToken: 'spot-1' });

    // Act
    await drain({ ...launch, ecs }, queue);

    // Assess
    expect(ecs.calls.map((c) => c.capacityProviderStrategy)).toEqual([
      [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      [{ capacityProvider: 'FARGATE', weight: 1 }],
    ]);
    expect(ecs.calls[0]?.clientToken).not.toBe(ecs.calls[1]?.clientToken);
    expect(await store.getRun(runId)).toMatchObject({ status: 'STARTING', capacity: 'FARGATE' });
  });

  it('marks the run FAILED with the reason when the launch cannot succeed, and publishes Run Failed', async () => {
    // Prepare
    const { core, launch, queue, events } = buildDeps(store, catalog);
    const ecs = fakeEcs(() => new LaunchError('ClientException: TaskDefinition is inactive', 'config'));
    const { runId } = await control(core as never, { action: 'trigger', job: 'allower', clientToken: 'bad-config' });

    // Act
    await drain({ ...launch, ecs }, queue);

    // Assess
    const history = await store.getHistory(runId);
    expect(history?.run).toMatchObject({
      status: 'FAILED',
      reason: 'RunTask refused the launch: ClientException: TaskDefinition is inactive',
    });
    expect(history?.attempts[0]).toMatchObject({
      status: 'LAUNCH_FAILED',
      launchFailure: 'ClientException: TaskDefinition is inactive',
      decision: {
        action: 'fail',
        rule: 'launch-rejected',
        next: 'giving up: a configuration error does not heal by retrying',
      },
    });
    expect(events.types()).toEqual(['Run Failed']);
  });

  it('fails a run whose overrides exceed the 8,192-character limit, naming the size', async () => {
    // Prepare
    const { launch, ecs } = buildDeps(store, catalog);
    const job = catalog.jobs.find((j) => j.name === 'allower');
    const { newRun } = await import('../../lib/domain/newRun.ts');
    const run = newRun(
      {
        job: job as NonNullable<typeof job>,
        trigger: { type: 'manual', token: 'huge' },
        overrides: { environment: [{ name: 'BIG', value: 'x'.repeat(9000) }] },
      },
      new Date('2026-11-22T10:00:00Z'),
    );
    await store.createRun(run);

    // Act
    const outcome = await launchOne(launch, { v: 1, runId: run.runId, attempt: 1 });

    // Assess
    expect(outcome).toBe('failed');
    expect(ecs.calls).toHaveLength(0);
    // Not "RunTask refused the launch": RunTask was never called.
    expect((await store.getRun(run.runId))?.reason).toMatch(
      /^the task was not launched \(RunTask was not called\): RunTask overrides are 9\d{3} characters; ECS allows 8192/,
    );
  });

  it('fails, without calling RunTask, a queued run whose overrides its job no longer accepts', async () => {
    // Prepare: a run accepted under an older catalog that let anyone set the command.
    const { launch, ecs } = buildDeps(store, catalog);
    const job = catalog.jobs.find((j) => j.name === 'allower');
    const { newRun } = await import('../../lib/domain/newRun.ts');
    const run = newRun(
      {
        job: job as NonNullable<typeof job>,
        trigger: { type: 'manual', token: 'old-policy' },
        overrides: { command: ['sh', '-c', 'env'] },
      },
      new Date('2026-11-22T10:00:00Z'),
    );
    await store.createRun(run);

    // Act
    const outcome = await launchOne(launch, { v: 1, runId: run.runId, attempt: 1 });

    // Assess
    expect(outcome).toBe('failed');
    expect(ecs.calls).toHaveLength(0);
    expect((await store.getRun(run.runId))?.reason).toContain(
      "overrides the job does not accept: command: job 'allower' does not accept a command override",
    );
  });
});

describe('Launch path: bursts', () => {
  it('absorbs a burst while ECS throttles RunTask to 20 calls/s: every run launched once, none failed', async () => {
    // Prepare: ECS allows 20 calls/s with a burst of 100 (Fargate RunTask limit), on the fake clock.
    const { core, launch, queue, clock } = buildDeps(store, catalog);
    const ecs = throttlingEcs(clock, { ratePerSecond: 20, burst: 100, callSeconds: 0.02 }); // each call takes 20 ms
    const uploads = 200;
    for (let i = 0; i < uploads; i++) {
      await acceptUploads(
        core,
        parseUploads(
          objectCreated('acme-uploads', `in/burst-${i}.jpg`, { sequencer: `U${String(i).padStart(5, '0')}` }),
        ),
      );
    }

    // Act: deliver messages when due, advancing the clock to the next delayed one when none is.
    const pending = queue.take().map((m) => ({ ...m, due: clock.now().getTime() }));
    let rounds = 0;
    while (pending.length > 0 && rounds++ < 10_000) {
      pending.sort((a, b) => a.due - b.due);
      const now = clock.now().getTime();
      if ((pending[0]?.due ?? now) > now) clock.set(new Date(pending[0]?.due ?? now).toISOString());
      const dueCount = pending.filter((m) => m.due <= clock.now().getTime()).length;
      const due = pending.splice(0, Math.min(10, dueCount));
      await launchBatch(
        { ...launch, ecs },
        due.map((m, i) => ({
          messageId: `b${rounds}-${i}`,
          body: JSON.stringify({ v: 1, runId: m.runId, attempt: m.attempt }),
        })),
        (b) => launchMessage.parse(JSON.parse(b)),
      );
      pending.push(...queue.take().map((m) => ({ ...m, due: clock.now().getTime() + (m.delaySeconds ?? 0) * 1000 })));
    }

    // Assess
    const runs = (await store.runsOfJob('thumbs', { limit: 2000 })).runs.filter(
      (r) => r.trigger.type === 's3' && r.trigger.key.startsWith('in/burst-'),
    );
    expect(runs).toHaveLength(uploads);
    expect(runs.filter((r) => r.status === 'STARTING')).toHaveLength(uploads);
    expect(ecs.throttled()).toBeGreaterThan(0);
    expect(ecs.calls.length - ecs.throttled()).toBe(uploads);
    expect(new Set(ecs.tasks()).size).toBe(uploads);
  });
});

describe('Launch path: concurrency', () => {
  it('never runs more than maxConcurrent (3) of 50 racing runs, and starts the oldest waiting run when a slot frees', async () => {
    // Prepare
    const { core, launch, queue, clock } = buildDeps(store, catalog);
    for (let i = 0; i < 50; i++) {
      await acceptUploads(
        core,
        parseUploads(
          objectCreated('acme-uploads', `batch/file-${i}.csv`, { sequencer: `B${String(i).padStart(3, '0')}` }),
        ),
      );
      clock.advance(1);
    }
    const messages = queue.take();

    // Act: five launchers race over all 50 messages at once.
    await Promise.all(
      [0, 1, 2, 3, 4].map((w) =>
        launchBatch(
          launch,
          messages
            .filter((_, i) => i % 5 === w)
            .map((m, i) => ({ messageId: `${w}-${i}`, body: JSON.stringify({ v: 1, runId: m.runId, attempt: 1 }) })),
          (b) => launchMessage.parse(JSON.parse(b)),
        ),
      ),
    );
    const afterRace = await store.activeRuns('limited');
    const running = afterRace.filter((r) => r.status === 'STARTING');
    const first = running[0] as NonNullable<(typeof running)[0]>;
    await finishRun(core, first, { to: 'SUCCEEDED', from: ['STARTING'], releaseSlot: true });
    await drain(launch, queue);
    const afterRelease = await store.activeRuns('limited');

    // Assess
    expect(running).toHaveLength(3);
    expect(afterRace.filter((r) => r.status === 'QUEUED' && r.waitingForSlot)).toHaveLength(47);
    const waiting = afterRace
      .filter((r) => r.status === 'QUEUED')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const started = afterRelease.filter((r) => r.status === 'STARTING').map((r) => r.runId);
    expect(started).toHaveLength(3);
    expect(started).toContain(waiting[0]?.runId);
    expect(await store.slotHolders('limited')).toHaveLength(3);
  });
});

describe('Launch path: schedules', () => {
  const tick = (job: string, time: string, index = 0) => ({
    job,
    triggerIndex: index,
    schedule: `arn:aws:scheduler:eu-west-1:111122223333:schedule/longshore-test/longshore-test-${job}-cron${index}`,
    scheduledTime: time,
  });

  it('makes one run per tick however often the tick is delivered', async () => {
    // Prepare
    const { core, queue } = buildDeps(store, catalog);
    const deps = { ...core, ecs: fakeEcs() };

    // Act
    const results = await Promise.all([1, 2, 3].map(() => acceptTick(deps, tick('allower', '2026-11-22T10:00:00Z'))));

    // Assess
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(queue.sent.length).toBeGreaterThanOrEqual(1);
  });

  it('forbid: records the tick as SKIPPED, naming the run still active, and publishes Run Skipped', async () => {
    // Prepare
    const { core, events } = buildDeps(store, catalog);
    const deps = { ...core, ecs: fakeEcs() };
    const first = await acceptTick(deps, tick('nightly', '2026-11-21T01:00:00Z'));

    // Act
    const second = await acceptTick(deps, tick('nightly', '2026-11-22T01:00:00Z'));
    const again = await acceptTick(deps, tick('nightly', '2026-11-22T01:00:00Z'));

    // Assess
    expect(second).toMatchObject({ status: 'SKIPPED', created: true });
    expect(again).toMatchObject({ runId: second.runId, created: false });
    expect((await store.getRun(second.runId))?.reason).toBe(`overlap forbidden: run ${first.runId} is still QUEUED`);
    expect(events.seen()).toEqual(['Run Skipped']);
  });

  it('replace: cancels the active run, stops its task, queues the new tick; the old run is CANCELLED once stopped', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const deps = { ...core, ecs };
    const first = await acceptTick(deps, tick('replacer', '2026-11-22T09:00:00Z'));
    await drain(launch, queue);

    // Act
    const second = await acceptTick(deps, tick('replacer', '2026-11-22T10:00:00Z'));

    const old = await store.getRun(first.runId);
    const stopped = taskEvent('ecs-task-stopped-success', {
      runId: first.runId,
      attempt: 1,
      taskArn: old?.taskArn ?? '',
    });
    await trackTaskEvent(core, parseTaskStateChange(stopped));

    // Assess
    expect(old).toMatchObject({
      status: 'CANCELLING',
      reason: 'replaced by the schedule tick of 2026-11-22T10:00:00.000Z',
    });
    expect(ecs.stopped.map((s) => s.taskArn)).toEqual([old?.taskArn]);
    expect(second).toMatchObject({ status: 'QUEUED', created: true });
    expect(await store.getRun(first.runId)).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('Launch path: manual control', () => {
  it('triggers once per client token, with overrides, and rejects what it cannot run', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const deps = { ...core, ecs };

    // Act
    const a = await control(deps, {
      action: 'trigger',
      job: 'allower',
      clientToken: 'tok-1',
      overrides: { environment: [{ name: 'MODE', value: 'full' }], cpu: 1024, memory: 2048 },
    });
    const b = await control(deps, {
      action: 'trigger',
      job: 'allower',
      clientToken: 'tok-1',
      overrides: { environment: [{ name: 'MODE', value: 'full' }], cpu: 1024, memory: 2048 },
    });
    await drain(launch, queue);

    // Assess
    expect(b).toEqual({ action: 'trigger', runId: a.runId, status: 'QUEUED', created: false });
    expect(ecs.calls).toHaveLength(1);
    expect(ecs.calls[0]?.overrides).toMatchObject({ cpu: '1024', memory: '2048' });
    await expect(control(deps, { action: 'trigger', job: 'allower', clientToken: 'tok-1' })).rejects.toThrow(
      `Client token 'tok-1' was already used for run ${a.runId} with other overrides`,
    );
    await expect(control(deps, { action: 'trigger', job: 'no-manual' })).rejects.toThrow(
      "Job 'no-manual' has no manual trigger",
    );
    await expect(
      control(deps, { action: 'trigger', job: 'allower', overrides: { cpu: 512, memory: 3000 } }),
    ).rejects.toThrow('memory 3000 is not valid with cpu 512; use 1024, 2048, 3072, 4096');
    await expect(
      control(deps, {
        action: 'trigger',
        job: 'allower',
        overrides: { environment: [{ name: 'S3_KEY', value: 'x' }] },
      }),
    ).rejects.toThrow('environment.S3_KEY: is reserved');
    await expect(control(deps, { action: 'trigger', job: 'missing' })).rejects.toThrow("Unknown job 'missing'");
  });

  it('retries a final run as a new run that keeps the original trigger, and refuses to retry an active one', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const deps = { ...core, ecs };
    await acceptUploads(core, parseUploads(objectCreated('acme-uploads', 'in/retry-me.jpg', { sequencer: 'R1' })));
    await drain(launch, queue);
    const original = (await store.runsOfJob('thumbs', { limit: 500 })).runs.find(
      (r) => r.trigger.type === 's3' && r.trigger.key === 'in/retry-me.jpg',
    );
    if (!original) throw new Error('no run');

    // Act
    await expect(control(deps, { action: 'retry', runId: original.runId })).rejects.toThrow(
      'is STARTING; only a finished run can be retried',
    );
    await finishRun(core, original, { to: 'FAILED', from: ['STARTING'], releaseSlot: true });
    const retry = await control(deps, {
      action: 'retry',
      runId: original.runId,
      clientToken: 'again',
      requestedBy: 'alice',
    });
    await drain(launch, queue);

    // Assess
    const run = await store.getRun(retry.runId);
    expect(run?.trigger).toMatchObject({
      type: 'retry',
      of: original.runId,
      original: { type: 's3', key: 'in/retry-me.jpg' },
      requestedBy: 'alice',
    });
    const env = Object.fromEntries(
      (ecs.calls.at(-1)?.overrides.containerOverrides[0]?.environment ?? []).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({ S3_KEY: 'in/retry-me.jpg', LONGSHORE_TRIGGER: 'retry' });
  });

  it('retries a final run with changes over its own overrides, within what the job allows, once per token', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const deps = { ...core, ecs };
    const first = await control(deps, {
      action: 'trigger',
      job: 'allower',
      clientToken: 'retry-changes',
      overrides: { environment: [{ name: 'MODE', value: 'full' }] },
    });
    await drain(launch, queue);
    const run = await store.getRun(first.runId);
    if (!run) throw new Error('no run');
    await finishRun(core, run, { to: 'FAILED', from: ['STARTING'], releaseSlot: true });
    const changes = { environment: [{ name: 'BIG', value: 'yes' }], cpu: 2048, memory: 4096 };

    // Act
    const retry = await control(deps, { action: 'retry', runId: run.runId, clientToken: 'rc-1', overrides: changes });
    const again = await control(deps, { action: 'retry', runId: run.runId, clientToken: 'rc-1', overrides: changes });
    await drain(launch, queue);

    // Assess
    expect(again).toMatchObject({ runId: retry.runId, created: false });
    expect((await store.getRun(retry.runId))?.overrides).toEqual({
      environment: [
        { name: 'MODE', value: 'full' },
        { name: 'BIG', value: 'yes' },
      ],
      cpu: 2048,
      memory: 4096,
    });
    expect(ecs.calls.at(-1)?.overrides).toMatchObject({ cpu: '2048', memory: '4096' });
    const env = Object.fromEntries(
      (ecs.calls.at(-1)?.overrides.containerOverrides[0]?.environment ?? []).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({ MODE: 'full', BIG: 'yes', LONGSHORE_TRIGGER: 'retry' });
    await expect(
      control(deps, { action: 'retry', runId: run.runId, clientToken: 'rc-1', overrides: { cpu: 4096, memory: 8192 } }),
    ).rejects.toThrow(`Client token 'rc-1' was already used for run ${retry.runId} with other overrides`);
    await expect(
      control(deps, { action: 'retry', runId: run.runId, overrides: { cpu: 2048, memory: 3000 } }),
    ).rejects.toThrow('memory 3000 is not valid with cpu 2048; use 4096, 5120');
    await expect(
      control(deps, { action: 'retry', runId: run.runId, overrides: { environment: [{ name: 'OTHER', value: '1' }] } }),
    ).rejects.toThrow("environment.OTHER: job 'allower' does not accept it");
  });

  it('cancels a queued run at once, and stops the task of one launched mid-cancel (CANCELLING until it stops)', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const deps = { ...core, ecs };
    const queued = await control(deps, { action: 'trigger', job: 'allower', clientToken: 'cancel-queued' });
    queue.take();
    const racing = await control(deps, { action: 'trigger', job: 'allower', clientToken: 'cancel-racing' });
    queue.take();

    // Act
    const c1 = await control(deps, { action: 'cancel', runId: queued.runId, reason: 'not needed', requestedBy: 'bob' });
    const slowEcs = {
      ...ecs,
      runTask: async (r: Parameters<typeof ecs.runTask>[0]) => {
        await cancelRun(deps, racing.runId, 'changed my mind');
        return ecs.runTask(r);
      },
    };
    const outcome = await launchOne({ ...launch, ecs: slowEcs }, { v: 1, runId: racing.runId, attempt: 1 });

    // Assess
    expect(c1).toMatchObject({ status: 'CANCELLED' });
    expect((await store.getRun(queued.runId))?.reason).toBe('not needed (bob)');
    expect(outcome).toBe('skipped');
    expect((await store.getRun(racing.runId))?.status).toBe('CANCELLING');
    expect(ecs.stopped.map((s) => s.reason)).toEqual(['longshore: cancelled: changed my mind']);
  });
});
