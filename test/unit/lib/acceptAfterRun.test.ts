/**
 * Jobs that run after jobs (issue 14, section 3): the catalog's graph, what a finished run starts,
 * and what the downstream task gets. The store's conditional create is proven over DynamoDB Local
 * in test/integration/afterRuns.integration.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { acceptAfterRun } from '../../../lib/acceptAfterRun.ts';
import type { JobInput } from '../../../lib/catalog/schema.ts';
import { validateCatalog } from '../../../lib/catalog/validate.ts';
import { parseFinishedRunEvent } from '../../../lib/contracts/runEvents.ts';
import { followersOf, upstreamOf } from '../../../lib/domain/afterMatch.ts';
import { newRun } from '../../../lib/domain/newRun.ts';
import type { Run } from '../../../lib/domain/run.ts';
import { runMatches } from '../../../lib/domain/runFilter.ts';
import { runIdFor } from '../../../lib/domain/runId.ts';
import { ENV_NAME_PATTERN } from '../../../lib/domain/taskEnvironment.ts';
import { triggerEnvironment } from '../../../lib/domain/taskRequest.ts';
import { CatalogError, InvalidEventError, RequestRejectedError } from '../../../lib/errors.ts';
import { afterPattern } from '../../../lib/infra/triggers.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';

const problemsOf = (jobs: JobInput[]): readonly string[] => {
  try {
    validateCatalog(baseCatalog(jobs));
  } catch (e) {
    if (e instanceof CatalogError) return e.problems;
    throw e;
  }
  return [];
};

const ingest = baseJob({ name: 'ingest' });
const report = (after: Record<string, unknown>) =>
  baseJob({ name: 'report', triggers: [{ type: 'after', job: 'ingest', ...after } as never] });

/** A finished csv-ingest run of the example catalog, as the store holds it. */
const finishedIngest = (patch: Partial<Run> = {}): Run => ({
  ...newRun(
    {
      job: exampleCatalog().jobs.find((j) => j.name === 'csv-ingest') as never,
      trigger: { type: 's3', bucket: 'acme-partner-drop', key: 'incoming/globex.csv', versionId: 'v1', size: 42 },
    },
    new Date('2026-11-22T09:00:00Z'),
  ),
  status: 'SUCCEEDED',
  finishedAt: '2026-11-22T09:04:00.000Z',
  outcome: { exitCode: 0 },
  ...patch,
});

const succeededEvent = (run: Run, stage = 'test') => {
  const e = loadEvent<{ detail: Record<string, unknown> }>('run-succeeded');
  return { ...e, detail: { ...e.detail, stage, runId: run.runId, job: run.job, status: run.status } };
};

describe('Function: validateCatalog (after triggers)', () => {
  it('accepts an after trigger and defaults on to SUCCEEDED', () => {
    // Act
    const catalog = validateCatalog(baseCatalog([ingest, report({})]));

    // Assess
    expect(catalog.jobs[1]?.triggers[0]).toEqual({ type: 'after', job: 'ingest', on: ['SUCCEEDED'] });
  });

  it('refuses an upstream job the catalog does not have, naming the trigger', () => {
    // Act
    const problems = problemsOf([baseJob({ name: 'report', triggers: [{ type: 'after', job: 'ingets' }] })]);

    // Assess
    expect(problems).toEqual(["job 'report': triggers[0].job: 'ingets' is not a job of this catalog (jobs: report)"]);
  });

  it('refuses a cycle through other jobs, naming the path', () => {
    // Prepare
    const cyclic = baseJob({ name: 'ingest', triggers: [{ type: 'after', job: 'report' }] });

    // Act
    const problems = problemsOf([cyclic, report({})]);

    // Assess
    expect(problems).toEqual([
      "job 'ingest': triggers[0].job: cycle ingest -> report -> ingest",
      "job 'report': triggers[0].job: cycle report -> ingest -> report",
    ]);
  });

  it('refuses a job that runs after itself', () => {
    // Act
    const problems = problemsOf([baseJob({ name: 'loop', triggers: [{ type: 'after', job: 'loop' }] })]);

    // Assess
    expect(problems).toEqual(["job 'loop': triggers[0].job: cycle loop -> loop"]);
  });

  it('refuses an empty or repeated status list, a SKIPPED status and an empty key prefix', () => {
    // Act
    const empty = problemsOf([ingest, report({ on: [] })]);
    const repeated = problemsOf([ingest, report({ on: ['FAILED', 'FAILED'] })]);
    const skipped = problemsOf([ingest, report({ on: ['SKIPPED'] })]);
    const prefix = problemsOf([ingest, report({ filter: { keyPrefix: '' } })]);

    // Assess
    expect(empty).toEqual(["job 'report': triggers[0].on: needs at least one status (e.g. ['SUCCEEDED'])"]);
    expect(repeated).toEqual(["job 'report': triggers[0].on: lists a status more than once"]);
    expect(skipped.join('\n')).toContain("job 'report': triggers[0].on[0]");
    expect(prefix).toEqual([
      "job 'report': triggers[0].filter.keyPrefix: must be 1-1024 characters; omit it to match every key",
    ]);
  });
});

describe('Function: followersOf', () => {
  it('starts the jobs whose after trigger takes the status, the trigger kind and the key prefix', () => {
    // Prepare
    const catalog = validateCatalog(
      baseCatalog([
        ingest,
        baseJob({ name: 'on-success', triggers: [{ type: 'after', job: 'ingest' }] }),
        baseJob({ name: 'on-failure', triggers: [{ type: 'after', job: 'ingest', on: ['FAILED', 'TIMED_OUT'] }] }),
        baseJob({
          name: 'globex-only',
          triggers: [{ type: 'after', job: 'ingest', filter: { trigger: ['s3'], keyPrefix: 'in/globex' } }],
        }),
        baseJob({ name: 'manual-only', triggers: [{ type: 'after', job: 'ingest', filter: { trigger: ['manual'] } }] }),
      ]),
    );
    const upstream = {
      runId: 'ingest-aaaaaaaaaaaaaaaaaaaa',
      job: 'ingest',
      trigger: { type: 's3' as const, bucket: 'acme-uploads', key: 'in/globex.jpg' },
    };

    // Act
    const succeeded = followersOf(catalog, { ...upstream, status: 'SUCCEEDED' }).map((f) => f.job.name);
    const timedOut = followersOf(catalog, { ...upstream, status: 'TIMED_OUT' }).map((f) => f.job.name);
    const other = followersOf(catalog, {
      ...upstream,
      status: 'SUCCEEDED',
      trigger: { ...upstream.trigger, key: 'in/initech.jpg' },
    }).map((f) => f.job.name);

    // Assess
    expect(succeeded).toEqual(['on-success', 'globex-only']);
    expect(timedOut).toEqual(['on-failure']);
    expect(other).toEqual(['on-success']);
  });
});

describe('Function: triggerEnvironment (after runs)', () => {
  it('gives the task the upstream run id, job, status, exit code and object, under valid names', () => {
    // Prepare
    const upstream = upstreamOf(finishedIngest());
    const job = exampleCatalog().jobs.find((j) => j.name === 'ingest-summary') as never;
    const run = newRun({ job, trigger: { type: 'after', upstream, triggerIndex: 0 } }, new Date());

    // Act
    const env = triggerEnvironment('test', run);

    // Assess
    expect(env).toEqual({
      LONGSHORE_STAGE: 'test',
      LONGSHORE_JOB: 'ingest-summary',
      LONGSHORE_RUN_ID: run.runId,
      LONGSHORE_ATTEMPT: '1',
      LONGSHORE_TRIGGER: 'after',
      LONGSHORE_UPSTREAM_RUN_ID: upstream.runId,
      LONGSHORE_UPSTREAM_JOB: 'csv-ingest',
      LONGSHORE_UPSTREAM_STATUS: 'SUCCEEDED',
      LONGSHORE_UPSTREAM_TRIGGER: 's3',
      LONGSHORE_UPSTREAM_EXIT_CODE: '0',
      LONGSHORE_UPSTREAM_FINISHED_AT: '2026-11-22T09:04:00.000Z',
      LONGSHORE_UPSTREAM_S3_BUCKET: 'acme-partner-drop',
      LONGSHORE_UPSTREAM_S3_KEY: 'incoming/globex.csv',
      LONGSHORE_UPSTREAM_S3_VERSION_ID: 'v1',
      LONGSHORE_UPSTREAM_S3_SIZE: '42',
    });
    expect(Object.keys(env).filter((n) => !ENV_NAME_PATTERN.test(n))).toEqual([]);
    expect(run.runId).toBe(runIdFor('ingest-summary', { type: 'after', upstreamRunId: upstream.runId }));
  });
});

describe('Function: acceptAfterRun', () => {
  it('creates one run of the job after a succeeded run, its id from the upstream run id, and queues it', async () => {
    // Prepare
    const upstream = finishedIngest();
    const store = fakeStore({
      getRun: async () => upstream,
      createRun: async (run) => ({ created: true, run }),
    });
    const { core, queue } = buildDeps(store, exampleCatalog());

    // Act
    const out = await acceptAfterRun(core, parseFinishedRunEvent(succeededEvent(upstream)));

    // Assess
    const runId = runIdFor('ingest-summary', { type: 'after', upstreamRunId: upstream.runId });
    expect(out).toEqual({
      upstream: upstream.runId,
      runs: [{ runId, job: 'ingest-summary', created: true, status: 'QUEUED', queued: true }],
    });
    expect(queue.sent).toEqual([{ runId, attempt: 1 }]);
    const created = store.calls.find((c) => c.method === 'createRun')?.args[0] as Run;
    expect(created.trigger).toEqual({ type: 'after', upstream: upstreamOf(upstream), triggerIndex: 0 });
  });

  it('on a duplicate delivery finds the downstream run and does nothing more once it is launched', async () => {
    // Prepare
    const upstream = finishedIngest();
    const store = fakeStore({
      getRun: async () => upstream,
      createRun: async (run) => ({ created: false, run: { ...run, status: 'RUNNING' } }),
    });
    const { core, queue } = buildDeps(store, exampleCatalog());

    // Act
    const out = await acceptAfterRun(core, parseFinishedRunEvent(succeededEvent(upstream)));

    // Assess
    expect(out.runs).toMatchObject([{ created: false, status: 'RUNNING', queued: false }]);
    expect(queue.sent).toEqual([]);
  });

  it('starts nothing for a status no after trigger waits for, reading the status from the store', async () => {
    // Prepare: the event says SUCCEEDED, the store (the truth) says FAILED.
    const upstream = finishedIngest({ status: 'FAILED' });
    const store = fakeStore({ getRun: async () => upstream });
    const { core, queue } = buildDeps(store, exampleCatalog());

    // Act
    const out = await acceptAfterRun(core, parseFinishedRunEvent(succeededEvent({ ...upstream, status: 'SUCCEEDED' })));

    // Assess
    expect(out.runs).toEqual([]);
    expect(store.calls.map((c) => c.method)).toEqual(['getRun']);
    expect(queue.sent).toEqual([]);
  });

  it('ignores a run event of another stage without reading the store', async () => {
    // Prepare
    const store = fakeStore({});
    const { core } = buildDeps(store, exampleCatalog());

    // Act
    const out = await acceptAfterRun(core, parseFinishedRunEvent(succeededEvent(finishedIngest(), 'prod')));

    // Assess
    expect(out).toMatchObject({ foreign: true, runs: [] });
    expect(store.calls).toEqual([]);
  });

  it('rejects an event for a run the store does not have, or has not finished', async () => {
    // Prepare
    const upstream = finishedIngest();
    const missing = buildDeps(fakeStore({ getRun: async () => undefined }), exampleCatalog()).core;
    const running = buildDeps(
      fakeStore({ getRun: async () => ({ ...upstream, status: 'RUNNING' }) }),
      exampleCatalog(),
    ).core;

    // Act
    const gone = acceptAfterRun(missing, parseFinishedRunEvent(succeededEvent(upstream)));
    const early = acceptAfterRun(running, parseFinishedRunEvent(succeededEvent(upstream)));

    // Assess
    await expect(gone).rejects.toThrow(RequestRejectedError);
    await expect(early).rejects.toThrow(`run ${upstream.runId} is RUNNING of job csv-ingest in the store`);
  });
});

describe('Function: parseFinishedRunEvent', () => {
  it('refuses a run event that is not a final one, or names no valid run, naming the field', () => {
    // Prepare
    const e = loadEvent<{ detail: Record<string, unknown> }>('run-succeeded');

    // Act
    const started = () => parseFinishedRunEvent({ ...e, 'detail-type': 'Run Started' });
    const badId = () => parseFinishedRunEvent({ ...e, detail: { ...e.detail, runId: 'x' } });

    // Assess
    expect(started).toThrow(InvalidEventError);
    expect(started).toThrow('detail-type');
    expect(badId).toThrow('detail.runId');
  });
});

describe('Function: afterPattern', () => {
  it('takes the finished runs of this stage of the jobs some after trigger follows, and none without one', () => {
    // Act
    const pattern = afterPattern('dev', exampleCatalog());
    const none = afterPattern('dev', validateCatalog(baseCatalog([ingest])));

    // Assess
    expect(pattern).toEqual({
      source: ['longshore'],
      'detail-type': ['Run Succeeded', 'Run Failed', 'Run Timed Out', 'Run Cancelled'],
      detail: { stage: ['dev'], job: ['csv-ingest'] },
    });
    expect(none).toBeUndefined();
  });
});

describe('Function: runMatches (after runs)', () => {
  it('finds after runs by their kind and by the upstream job or run in their summary', () => {
    // Prepare
    const upstream = upstreamOf(finishedIngest());
    const job = exampleCatalog().jobs.find((j) => j.name === 'ingest-summary') as never;
    const run = newRun({ job, trigger: { type: 'after', upstream, triggerIndex: 0 } }, new Date());

    // Act
    const found = [
      runMatches(run, { triggerKind: 'after' }),
      runMatches(run, { trigger: 'after csv-ingest SUCCEEDED' }),
      runMatches(run, { trigger: upstream.runId }),
      runMatches(run, { triggerKind: 's3' }),
    ];

    // Assess
    expect(found).toEqual([true, true, true, false]);
  });
});
