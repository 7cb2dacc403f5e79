/**
 * Jobs that run after jobs (issue 14, section 3) over a real local DynamoDB engine: a finished run's
 * event, delivered any number of times, in parallel, or after a crash between two writes, starts
 * each downstream job exactly once, and its task gets the upstream run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAfterRun } from '../../lib/acceptAfterRun.ts';
import { acceptUploads } from '../../lib/acceptUploads.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { launchMessage } from '../../lib/contracts/launch.ts';
import { parseFinishedRunEvent } from '../../lib/contracts/runEvents.ts';
import { parseUploads } from '../../lib/contracts/s3.ts';
import type { Run } from '../../lib/domain/run.ts';
import type { RunEvent } from '../../lib/domain/runEvents.ts';
import { runIdFor } from '../../lib/domain/runId.ts';
import { launchBatch } from '../../lib/launchBatch.ts';
import type { CoreDeps, LaunchDeps, LaunchEnqueue, RunStore } from '../../lib/ports.ts';
import { finishRun } from '../../lib/runLifecycle.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { objectCreated } from '../helpers/events.ts';
import { buildDeps } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

const catalog = validateCatalog(
  baseCatalog([
    baseJob({ name: 'ingest', triggers: [{ type: 's3', bucket: 'acme-drop', prefix: 'in/' }] }),
    baseJob({ name: 'report', triggers: [{ type: 'after', job: 'ingest' }] }),
    baseJob({ name: 'audit', triggers: [{ type: 'after', job: 'ingest', on: ['SUCCEEDED', 'FAILED'] }] }),
    baseJob({ name: 'on-failure', triggers: [{ type: 'after', job: 'ingest', on: ['FAILED'] }] }),
  ]),
);
let store: RunStore;
let close: () => void;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

/** The run event as the bus delivers it to onRunFinished. */
const delivered = (e: RunEvent) => ({ version: '0', source: 'longshore', 'detail-type': e.type, detail: e.detail });

/** An ingest run of a new upload, finished with `status`; returns it and its final run event. */
const finishedIngest = async (deps: CoreDeps, key: string, status: 'SUCCEEDED' | 'FAILED') => {
  const { runs } = await acceptUploads(deps, parseUploads(objectCreated('acme-drop', key, { sequencer: key })));
  const created = (await store.getRun(runs[0]?.runId ?? '')) as Run;
  const run = await finishRun(deps, created, {
    to: status,
    from: ['QUEUED'],
    releaseSlot: false,
    outcome: { exitCode: status === 'SUCCEEDED' ? 0 : 1 },
  });
  const event = (deps.events as unknown as { published: RunEvent[] }).published.find(
    (e) => e.detail.runId === run.runId && (e.type === 'Run Succeeded' || e.type === 'Run Failed'),
  ) as RunEvent;
  return { run, event: delivered(event) };
};

const drain = async (deps: LaunchDeps, queue: { take: () => LaunchEnqueue[] }): Promise<void> => {
  for (let messages = queue.take(); messages.length > 0; messages = queue.take()) {
    const records = messages.map((m, i) => ({ messageId: `m${i}`, body: JSON.stringify({ v: 1, ...m }) }));
    await launchBatch(deps, records, (body) => launchMessage.parse(JSON.parse(body)));
  }
};

describe('After runs: exactly once', () => {
  it('starts each downstream job once for an event delivered 3 times, twice in parallel, with one task each', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const { run, event } = await finishedIngest(core, 'in/once.csv', 'SUCCEEDED');
    queue.take();

    // Act
    await acceptAfterRun(core, parseFinishedRunEvent(structuredClone(event)));
    await Promise.all([1, 2].map(() => acceptAfterRun(core, parseFinishedRunEvent(structuredClone(event)))));
    await drain(launch, queue);
    await acceptAfterRun(core, parseFinishedRunEvent(structuredClone(event)));
    await drain(launch, queue);

    // Assess
    const report = runIdFor('report', { type: 'after', upstreamRunId: run.runId });
    const audit = runIdFor('audit', { type: 'after', upstreamRunId: run.runId });
    expect((await store.runsOfJob('report', { limit: 10 })).runs.map((r) => r.runId)).toEqual([report]);
    expect((await store.runsOfJob('audit', { limit: 10 })).runs.map((r) => r.runId)).toEqual([audit]);
    expect((await store.runsOfJob('on-failure', { limit: 10 })).runs).toEqual([]);
    expect(ecs.calls).toHaveLength(2);
    const env = ecs.calls
      .find((c) => c.startedBy.includes(report))
      ?.overrides.containerOverrides[0]?.environment.filter((p) => p.name.startsWith('LONGSHORE_UPSTREAM_'));
    expect(env).toEqual([
      { name: 'LONGSHORE_UPSTREAM_RUN_ID', value: run.runId },
      { name: 'LONGSHORE_UPSTREAM_JOB', value: 'ingest' },
      { name: 'LONGSHORE_UPSTREAM_STATUS', value: 'SUCCEEDED' },
      { name: 'LONGSHORE_UPSTREAM_TRIGGER', value: 's3' },
      { name: 'LONGSHORE_UPSTREAM_EXIT_CODE', value: '0' },
      { name: 'LONGSHORE_UPSTREAM_FINISHED_AT', value: run.finishedAt },
      { name: 'LONGSHORE_UPSTREAM_S3_BUCKET', value: 'acme-drop' },
      { name: 'LONGSHORE_UPSTREAM_S3_KEY', value: 'in/once.csv' },
      { name: 'LONGSHORE_UPSTREAM_S3_ETAG', value: 'b1946ac92492d2347c6235b4d2611184' },
      { name: 'LONGSHORE_UPSTREAM_S3_SIZE', value: '5' },
    ]);
  });

  it('starts the failure jobs, not the success ones, after a failed run', async () => {
    // Prepare
    const { core } = buildDeps(store, catalog);
    const { run, event } = await finishedIngest(core, 'in/broken.csv', 'FAILED');

    // Act
    const out = await acceptAfterRun(core, parseFinishedRunEvent(event));

    // Assess
    expect(out.runs.map((r) => [r.runId, r.created])).toEqual([
      [runIdFor('audit', { type: 'after', upstreamRunId: run.runId }), true],
      [runIdFor('on-failure', { type: 'after', upstreamRunId: run.runId }), true],
    ]);
  });

  it('after a crash between creating a run and queueing it, the redelivery queues it once and creates nothing more', async () => {
    // Prepare: the first delivery dies at enqueue (the runs are written, nothing is queued).
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const { event } = await finishedIngest(core, 'in/crash-enqueue.csv', 'SUCCEEDED');
    queue.take();
    const crashing: CoreDeps = {
      ...core,
      queue: {
        enqueue: async () => {
          throw new Error('Lambda timed out');
        },
      },
    };

    // Act
    const first = await acceptAfterRun(crashing, parseFinishedRunEvent(event)).catch((e: Error) => e.message);
    const again = await acceptAfterRun(core, parseFinishedRunEvent(event));
    await drain(launch, queue);

    // Assess
    expect(first).toBe('Lambda timed out');
    expect(again.runs.map((r) => [r.job, r.created, r.queued])).toEqual([
      ['report', false, true],
      ['audit', false, true],
    ]);
    expect(ecs.calls).toHaveLength(2);
  });

  it('after a crash between the first and the second create, the redelivery creates only the second', async () => {
    // Prepare: the first delivery dies writing the second downstream run.
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const { run, event } = await finishedIngest(core, 'in/crash-create.csv', 'SUCCEEDED');
    queue.take();
    let creates = 0;
    const crashing: CoreDeps = {
      ...core,
      store: {
        ...store,
        createRun: async (r) => {
          creates++;
          if (creates === 2) throw new Error('Lambda timed out');
          return store.createRun(r);
        },
      },
    };

    // Act
    const first = await acceptAfterRun(crashing, parseFinishedRunEvent(event)).catch((e: Error) => e.message);
    const again = await acceptAfterRun(core, parseFinishedRunEvent(event));
    await drain(launch, queue);

    // Assess
    expect(first).toBe('Lambda timed out');
    expect(again.runs.map((r) => [r.job, r.created])).toEqual([
      ['report', false],
      ['audit', true],
    ]);
    expect(ecs.calls.map((c) => c.startedBy.split('/')[2])).toEqual(
      expect.arrayContaining([
        runIdFor('report', { type: 'after', upstreamRunId: run.runId }),
        runIdFor('audit', { type: 'after', upstreamRunId: run.runId }),
      ]),
    );
    expect(ecs.calls).toHaveLength(2);
  });
});
