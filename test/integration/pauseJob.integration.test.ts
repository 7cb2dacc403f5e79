/**
 * `jobs pause` / `jobs resume` over a real local DynamoDB engine: a paused job's uploads wait as
 * PAUSED runs and nothing is launched; a resume releases them oldest first, each launched once,
 * however often it is repeated and wherever it dies; a PAUSED run holds no slot, is cancellable,
 * and the sweeper neither sweeps it nor takes its job's disabled schedule for a missed one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptUploads } from '../../lib/acceptUploads.ts';
import { cancelRun } from '../../lib/cancelRun.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { launchMessage } from '../../lib/contracts/launch.ts';
import { parseUploads } from '../../lib/contracts/s3.ts';
import { scheduleArn } from '../../lib/domain/names.ts';
import { launchBatch } from '../../lib/launchBatch.ts';
import { pauseJob, resumeJob } from '../../lib/pauseJob.ts';
import type { LaunchDeps, LaunchEnqueue, PauseDeps, RunStore, SweepDeps } from '../../lib/ports.ts';
import { sweep } from '../../lib/sweep.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { objectCreated } from '../helpers/events.ts';
import { buildDeps } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

/** One job per test, so that each starts from a job never paused. */
const upload = (name: string, extra: Parameters<typeof baseJob>[0] = {}) =>
  baseJob({
    name,
    triggers: [{ type: 's3', bucket: 'acme-uploads', prefix: `${name}/` }, { type: 'manual' }],
    ...extra,
  });
const catalog = validateCatalog(
  baseCatalog([
    upload('held'),
    upload('released'),
    upload('limited', { maxConcurrent: 1 }),
    upload('twice'),
    upload('crashed'),
    upload('died'),
    upload('inflight'),
    upload('skipper'),
    upload('cancelled'),
    baseJob({
      name: 'nightly',
      triggers: [{ type: 'schedule', expression: 'cron(0 2 * * ? *)', timezone: 'UTC' }, { type: 'manual' }],
    }),
  ]),
);

let store: RunStore;
let close: () => void;
beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

const setup = (start = '2026-11-22T10:00:00.000Z') => {
  const built = buildDeps(store, catalog);
  built.clock.set(start);
  const pause: PauseDeps = { ...built.core, schedules: built.schedules };
  return { ...built, pause };
};

/** Delivers every queued launch message until the queue is empty. */
const drain = async (deps: LaunchDeps, queue: { take: () => LaunchEnqueue[] }): Promise<void> => {
  for (let messages = queue.take(), round = 0; messages.length > 0 && round < 20; messages = queue.take(), round++)
    await launchBatch(
      deps,
      messages.map((m, i) => ({ messageId: `m${round}-${i}`, body: JSON.stringify({ v: 1, ...m }) })),
      (body) => launchMessage.parse(JSON.parse(body)),
    );
};

/** Uploads `n` objects under the job's prefix, one a minute (so their age orders them). */
const uploadMany = async (s: ReturnType<typeof setup>, job: string, n: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const {
      runs: [accepted],
    } = await acceptUploads(
      s.core,
      parseUploads(objectCreated('acme-uploads', `${job}/file-${i}.csv`, { sequencer: `S${job}${i}` })),
    );
    ids.push((accepted as { runId: string }).runId);
    s.clock.advance(60);
  }
  return ids;
};

const launchedRuns = (s: ReturnType<typeof setup>): string[] =>
  s.ecs.calls.map((c) => String(c.startedBy).split('/')[2] ?? '');

describe('Pause: a paused job launches nothing', () => {
  it('holds an upload of a paused job as PAUSED: no RunTask, no slot, listed as paused', async () => {
    // Prepare
    const s = setup();
    await pauseJob(s.pause, { job: 'held', mode: 'hold', by: 'ops' });

    // Act
    const [runId] = await uploadMany(s, 'held', 1);
    await drain(s.launch, s.queue);

    // Assess
    expect(s.ecs.calls).toHaveLength(0);
    const run = await store.getRun(runId as string);
    expect(run?.status).toBe('PAUSED');
    expect(run?.slot).toBeUndefined();
    expect((await store.pausedRuns('held', 10)).map((r) => r.runId)).toEqual([runId]);
    expect((await store.activeRuns('held')).map((r) => r.status)).toEqual(['PAUSED']);
    expect(await store.queuedRuns('held', 10)).toEqual([]);
    expect((await store.getJobState('held'))?.paused).toBe(true);
  });

  it('holds a run queued before the pause whose launch message arrives after it', async () => {
    // Prepare: the upload is accepted (its message on the way), then the job is paused.
    const s = setup();
    const [runId] = await uploadMany(s, 'inflight', 1);
    await pauseJob(s.pause, { job: 'inflight', mode: 'hold' });

    // Act
    await drain(s.launch, s.queue);

    // Assess
    expect(s.ecs.calls).toHaveLength(0);
    expect((await store.getRun(runId as string))?.status).toBe('PAUSED');
  });

  it('records the uploads of a job paused with skip as SKIPPED, each with its Run Skipped event', async () => {
    // Prepare
    const s = setup();
    await pauseJob(s.pause, { job: 'skipper', mode: 'skip' });

    // Act
    const [runId] = await uploadMany(s, 'skipper', 1);
    await drain(s.launch, s.queue);

    // Assess
    expect(s.ecs.calls).toHaveLength(0);
    const run = await store.getRun(runId as string);
    expect(run?.status).toBe('SKIPPED');
    expect(run?.reason).toMatch(/^job 'skipper' is paused \(skip\) since /);
    expect(s.events.types()).toEqual(['Run Skipped']);
  });

  it('cancels a PAUSED run at once (it has no task)', async () => {
    // Prepare
    const s = setup();
    await pauseJob(s.pause, { job: 'cancelled', mode: 'hold' });
    const [runId] = await uploadMany(s, 'cancelled', 1);
    await drain(s.launch, s.queue);

    // Act
    const run = await cancelRun({ ...s.core, ecs: s.ecs }, runId as string, 'not needed');

    // Assess
    expect(run.status).toBe('CANCELLED');
    expect(await store.pausedRuns('cancelled', 10)).toEqual([]);
  });
});

describe('Resume: the held runs go, oldest first, each launched once', () => {
  it('releases the PAUSED runs oldest first and launches each once', async () => {
    // Prepare
    const s = setup();
    await pauseJob(s.pause, { job: 'released', mode: 'hold' });
    const ids = await uploadMany(s, 'released', 3);
    await drain(s.launch, s.queue);

    // Act
    const result = await resumeJob(s.pause, { job: 'released' });
    const sent = [...s.queue.sent];
    await drain(s.launch, s.queue);

    // Assess: sent oldest first (the launcher takes a batch with several workers: each once)
    expect(result).toMatchObject({ changed: true, released: ids, more: false });
    expect(sent.map((m) => m.runId)).toEqual(ids);
    expect(launchedRuns(s).sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await store.getRun(id))?.status).toBe('STARTING');
    const state = await store.getJobState('released');
    expect(state).toMatchObject({ paused: false, resumedAt: expect.any(String) });
    expect(state?.pauses).toHaveLength(1);
  });

  it('sends a job with a concurrency limit its oldest held run first, as a run waiting for its slot', async () => {
    // Prepare
    const s = setup();
    await pauseJob(s.pause, { job: 'limited', mode: 'hold' });
    const ids = await uploadMany(s, 'limited', 3);
    await drain(s.launch, s.queue);

    // Act
    await resumeJob(s.pause, { job: 'limited' });
    const sent = [...s.queue.sent];
    await drain(s.launch, s.queue);

    // Assess: one slot, so one launch message: the oldest run's; the others wait for the slot.
    expect(sent.map((m) => m.runId)).toEqual([ids[0]]);
    expect(launchedRuns(s)).toEqual([ids[0]]);
    const waiting = await store.queuedRuns('limited', 10);
    expect(waiting.map((r) => r.runId)).toEqual(ids.slice(1));
    expect(waiting.every((r) => r.waitingForSlot === true)).toBe(true);
  });

  it('launches each run once when resume is asked twice', async () => {
    // Prepare
    const s = setup();
    await pauseJob(s.pause, { job: 'twice', mode: 'hold' });
    const ids = await uploadMany(s, 'twice', 2);
    await drain(s.launch, s.queue);

    // Act
    const first = await resumeJob(s.pause, { job: 'twice' });
    const second = await resumeJob(s.pause, { job: 'twice' });
    await drain(s.launch, s.queue);

    // Assess
    expect(first.released).toEqual(ids);
    expect(second).toMatchObject({ changed: false, released: [] });
    expect(launchedRuns(s).sort()).toEqual([...ids].sort());
  });

  it('finishes a resume that died between releasing the runs and sending them, when asked again', async () => {
    // Prepare: the first resume's messages never leave (the queue refuses them: the Lambda dies).
    const s = setup();
    await pauseJob(s.pause, { job: 'crashed', mode: 'hold' });
    const ids = await uploadMany(s, 'crashed', 2);
    await drain(s.launch, s.queue);
    const dying: PauseDeps = {
      ...s.pause,
      queue: {
        enqueue: async () => {
          throw new Error('InternalError: the Lambda died here');
        },
      },
    };
    await expect(resumeJob(dying, { job: 'crashed' })).rejects.toThrow('the Lambda died here');
    expect((await store.queuedRuns('crashed', 10)).map((r) => r.runId)).toEqual(ids);

    // Act
    const again = await resumeJob(s.pause, { job: 'crashed' });
    await drain(s.launch, s.queue);

    // Assess
    expect(again.changed).toBe(false);
    expect(launchedRuns(s).sort()).toEqual([...ids].sort());
  });

  it('has the sweeper release runs a resume left PAUSED when it died right after the resume was written', async () => {
    // Prepare: the resume writes the job's state, then dies before it reads a single paused run.
    const s = setup();
    await pauseJob(s.pause, { job: 'died', mode: 'hold' });
    const ids = await uploadMany(s, 'died', 2);
    await drain(s.launch, s.queue);
    const dying: PauseDeps = {
      ...s.pause,
      store: {
        ...store,
        pausedRuns: async () => {
          throw new Error('InternalError: the Lambda died here');
        },
      },
    };
    await expect(resumeJob(dying, { job: 'died' })).rejects.toThrow('the Lambda died here');
    const sweepDeps: SweepDeps = {
      ...s.core,
      ecs: s.ecs,
      scheduleArn: (job, i) => scheduleArn('aws', 'eu-west-1', '111122223333', 'test', job, i),
    };

    // Act
    const report = await sweep(sweepDeps);
    await drain(s.launch, s.queue);

    // Assess
    expect(report.released).toEqual(ids);
    expect(launchedRuns(s).sort()).toEqual([...ids].sort());
  });
});

describe('Pause: schedules', () => {
  it('disables the job schedules on pause and enables them again on resume, and a repeat changes nothing', async () => {
    // Prepare
    const s = setup();

    // Act
    const paused = await pauseJob(s.pause, { job: 'nightly', mode: 'hold' });
    const again = await pauseJob(s.pause, { job: 'nightly', mode: 'hold' });
    const resumed = await resumeJob(s.pause, { job: 'nightly' });

    // Assess
    expect(paused).toMatchObject({
      changed: true,
      schedules: [{ schedule: 'longshore-test-nightly-cron0', result: 'changed' }],
    });
    expect(again).toMatchObject({
      changed: false,
      schedules: [{ schedule: 'longshore-test-nightly-cron0', result: 'unchanged' }],
    });
    expect(resumed.schedules).toEqual([{ schedule: 'longshore-test-nightly-cron0', result: 'changed' }]);
    expect(s.schedules.calls.map((c) => [c.group, c.enabled])).toEqual([
      ['longshore-test', false],
      ['longshore-test', false],
      ['longshore-test', true],
    ]);
  });

  it('raises no Schedule Missed for a tick due while the job was paused, and one for a tick due after', async () => {
    // Prepare: the schedule ticked on the 20th at 02:00, the job was paused from 01:00 to 03:00 on the 21st.
    const s = setup('2026-11-21T01:00:00.000Z');
    const arn = (job: string, i: number) => scheduleArn('aws', 'eu-west-1', '111122223333', 'test', job, i);
    await store.recordScheduleTick('nightly', 0, '2026-11-20T02:00:00.000Z', 2_000_000_000);
    await pauseJob(s.pause, { job: 'nightly', mode: 'hold' });
    const sweepDeps: SweepDeps = { ...s.core, ecs: s.ecs, scheduleArn: arn };

    // Act
    s.clock.set('2026-11-21T02:30:00.000Z');
    const whilePaused = await sweep(sweepDeps);
    s.clock.set('2026-11-21T03:00:00.000Z');
    await resumeJob(s.pause, { job: 'nightly' });
    s.clock.set('2026-11-21T04:00:00.000Z');
    const afterResume = await sweep(sweepDeps);
    s.clock.set('2026-11-22T02:30:00.000Z');
    const nextNight = await sweep(sweepDeps);

    // Assess
    expect(whilePaused.missedTicks).toEqual([]);
    expect(afterResume.missedTicks).toEqual([]);
    expect(nextNight.missedTicks).toEqual([{ job: 'nightly', scheduledTime: '2026-11-22T02:00:00.000Z' }]);
  });
});
