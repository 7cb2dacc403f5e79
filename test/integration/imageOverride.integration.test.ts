/**
 * Runs on another image (`trigger --image-tag`, `--image`) through the real launch path over a local
 * DynamoDB engine: a derived task definition revision is registered once and reused by content, a
 * launcher that dies between RegisterTaskDefinition and RunTask registers nothing twice, and the
 * sweeper deregisters what no active run uses once past the retention.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptRuns } from '../../lib/acceptRuns.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { DERIVED_RETENTION_DAYS, derivedFamily } from '../../lib/domain/imageOverride.ts';
import type { RunOverrides } from '../../lib/domain/run.ts';
import { LaunchError } from '../../lib/errors.ts';
import { LAUNCH_LEASE_SECONDS, launchOne } from '../../lib/launch.ts';
import type { RunStore } from '../../lib/ports.ts';
import { REUSE_DAYS } from '../../lib/runTaskDefinition.ts';
import { MAX_REVISIONS_CHECKED, retireTaskDefinitions } from '../../lib/sweepTaskDefinitions.ts';
import { exampleCatalog } from '../helpers/catalogs.ts';
import { buildDeps, fakeEcs } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

const base = exampleCatalog();
// order-fulfilment may run any image; csv-ingest only other tags of its own. No concurrency limit:
// the runs here stay STARTING (nothing stops their tasks), and would hold every slot.
const catalog: Catalog = {
  ...base,
  jobs: base.jobs.map(({ maxConcurrent: _m, ...j }) =>
    j.name === 'order-fulfilment' ? { ...j, overrides: { ...j.overrides, image: true } } : j,
  ),
};
const FAMILY = 'longshore-test-csv-ingest';
const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/csv-ingest';
let store: RunStore;
let close: () => void;
let seq = 0;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

/** A manual run of `job` with `overrides`, created and its launch message taken. */
const requested = async (ctx: ReturnType<typeof buildDeps>, job: string, overrides: RunOverrides) => {
  const j = catalog.jobs.find((x) => x.name === job);
  if (!j) throw new Error(job);
  const [r] = await acceptRuns(ctx.core, [{ job: j, trigger: { type: 'manual', token: `img-${++seq}` }, overrides }]);
  ctx.queue.take();
  return r?.runId ?? '';
};

const launch = (ctx: ReturnType<typeof buildDeps>, runId: string) => launchOne(ctx.launch, { v: 1, runId, attempt: 1 });

describe('Runs on another image: the launcher', () => {
  it('registers a derived revision with the main image on the tag, and runs the task on it', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const runId = await requested(ctx, 'csv-ingest', { imageTag: '1.13.0-rc1' });

    // Act
    const out = await launch(ctx, runId);

    // Assess
    const family = derivedFamily(FAMILY, { imageTag: '1.13.0-rc1' });
    expect(out).toBe('launched');
    expect(ctx.taskDefinitions.calls).toEqual([
      { call: 'latest', arg: FAMILY },
      { call: 'latest', arg: family },
      { call: 'register', arg: family },
    ]);
    const registered = ctx.taskDefinitions.revisions.at(-1);
    expect(registered?.spec.containerDefinitions).toEqual([
      { name: 'main', image: `${ECR}:1.13.0-rc1`, essential: true },
      { name: 'otel', image: 'otel:1' },
    ]);
    expect(registered?.tags.map((t) => t.key)).toEqual([
      'team',
      'longshore:stage',
      'longshore:job',
      'longshore:image',
      'longshore:content-hash',
    ]);
    expect(ctx.ecs.calls.map((c) => c.taskDefinition)).toEqual([registered?.arn]);
    expect((await store.getRun(runId))?.status).toBe('STARTING');
  });

  it('registers nothing twice when the launcher dies between RegisterTaskDefinition and RunTask', async () => {
    // Prepare: the first RunTask never returns (the Lambda died); the message comes back after the lease.
    const ctx = buildDeps(store, catalog);
    const ecs = fakeEcs((_r, call) =>
      call === 1 ? new Error('Runtime exited with error: signal: killed') : undefined,
    );
    const runId = await requested(ctx, 'csv-ingest', { imageTag: 'crash-1' });

    // Act
    await expect(launchOne({ ...ctx.launch, ecs }, { v: 1, runId, attempt: 1 })).rejects.toThrow('killed');
    ctx.clock.advance(LAUNCH_LEASE_SECONDS + 1);
    const out = await launchOne({ ...ctx.launch, ecs }, { v: 1, runId, attempt: 1 });

    // Assess
    expect(out).toBe('launched');
    expect(ctx.taskDefinitions.calls.filter((c) => c.call === 'register')).toHaveLength(1);
    expect(new Set(ecs.calls.map((c) => c.taskDefinition)).size).toBe(1);
    expect(ecs.tasks()).toHaveLength(1);
  });

  it('reuses the revision for the next run on that tag, and registers again after a deploy or past the reuse window', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const registers = () => ctx.taskDefinitions.calls.filter((c) => c.call === 'register').length;
    await launch(ctx, await requested(ctx, 'csv-ingest', { imageTag: '2.0.0' }));

    // Act
    await launch(ctx, await requested(ctx, 'csv-ingest', { imageTag: '2.0.0' }));
    const afterReuse = registers();
    // A deploy of the job: its family gets a revision with other content.
    const job = ctx.taskDefinitions.revisions.find((r) => r.family === FAMILY);
    await ctx.taskDefinitions.register(
      { ...(job?.spec ?? { family: FAMILY, containerDefinitions: [] }), cpu: '2048' },
      [],
    );
    await launch(ctx, await requested(ctx, 'csv-ingest', { imageTag: '2.0.0' }));
    const afterDeploy = registers();
    ctx.clock.advance(REUSE_DAYS * 86_400 + 60);
    await launch(ctx, await requested(ctx, 'csv-ingest', { imageTag: '2.0.0' }));

    // Assess
    expect(afterReuse).toBe(1);
    expect(afterDeploy).toBe(3); // the deploy's own register, then the run's
    expect(registers()).toBe(4);
    const used = ctx.ecs.calls.map((c) => c.taskDefinition.split('/').pop());
    const family = derivedFamily(FAMILY, { imageTag: '2.0.0' });
    expect(used).toEqual([`${family}:1`, `${family}:1`, `${family}:2`, `${family}:3`]);
    expect(ctx.taskDefinitions.revisions.at(-1)?.spec.cpu).toBe('2048');
  });

  it('runs another image only where the job allows it, and defers a throttled registration', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const throttled = buildDeps(store, catalog);
    const busy = {
      ...throttled.taskDefinitions,
      register: async () => {
        throw new LaunchError('RegisterTaskDefinition: ThrottlingException: Rate exceeded', 'throttled');
      },
    };
    const refusedRun = await requested(ctx, 'csv-ingest', { image: 'public.ecr.aws/acme/ingest:9' });
    const allowedRun = await requested(ctx, 'order-fulfilment', { image: 'public.ecr.aws/acme/fulfil:3' });
    const deferredRun = await requested(throttled, 'csv-ingest', { imageTag: 'busy-1' });

    // Act
    const refused = await launch(ctx, refusedRun);
    const allowed = await launch(ctx, allowedRun);
    const deferred = await launchOne(
      { ...throttled.launch, taskDefinitions: busy },
      { v: 1, runId: deferredRun, attempt: 1 },
    );

    // Assess
    expect(refused).toBe('failed');
    expect((await store.getRun(refusedRun))?.reason).toMatch(/does not accept another image/);
    expect(allowed).toBe('launched');
    expect(ctx.taskDefinitions.revisions.at(-1)?.spec.containerDefinitions[0]?.image).toBe(
      'public.ecr.aws/acme/fulfil:3',
    );
    expect(deferred).toBe('deferred');
    expect((await store.getRun(deferredRun))?.status).toBe('QUEUED');
    expect(throttled.queue.sent).toHaveLength(1);
    expect(throttled.ecs.calls).toEqual([]);
  });
});

describe('Runs on another image: the sweeper', () => {
  it('deregisters, past the retention, the revisions no active run uses, keeping the latest of a family in use', async () => {
    // Prepare: two derived families, each with an old and a new revision; one used by an active run.
    const ctx = buildDeps(store, catalog);
    const td = ctx.taskDefinitions;
    const used = derivedFamily(FAMILY, { imageTag: 'used' });
    const idle = derivedFamily(FAMILY, { imageTag: 'idle' });
    const other = derivedFamily('longshore-other-csv-ingest', { imageTag: 'idle' });
    for (const family of [used, idle, other]) await td.register({ family, containerDefinitions: [] }, []);
    ctx.clock.advance(DERIVED_RETENTION_DAYS * 86_400 + 60);
    for (const family of [used, idle]) await td.register({ family, containerDefinitions: [] }, []);
    const arn = (family: string, n: number) => `arn:aws:ecs:eu-west-1:111122223333:task-definition/${family}:${n}`;

    // Act
    const first = await retireTaskDefinitions(
      { ...ctx.core, taskDefinitions: td },
      catalog,
      new Set([used]),
      ctx.clock.now(),
    );
    ctx.clock.advance(DERIVED_RETENTION_DAYS * 86_400 + 60);
    const later = await retireTaskDefinitions(
      { ...ctx.core, taskDefinitions: td },
      catalog,
      new Set(),
      ctx.clock.now(),
    );

    // Assess
    expect(first.sort()).toEqual([arn(idle, 1), arn(used, 1)].sort());
    expect(later.sort()).toEqual([arn(idle, 2), arn(used, 2)].sort());
    // Another stage's family, and the jobs' own families, are never touched.
    expect(td.revisions.filter((r) => r.active).map((r) => r.family)).not.toContain(used);
    expect(td.revisions.find((r) => r.family === other)?.active).toBe(true);
    expect(td.revisions.filter((r) => !r.family.includes('_')).every((r) => r.active)).toBe(true);
  });

  it(`checks at most ${MAX_REVISIONS_CHECKED} revisions a sweep, the rest at the next one`, async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const family = derivedFamily(FAMILY, { imageTag: 'many' });
    for (let i = 0; i < MAX_REVISIONS_CHECKED + 5; i++)
      await ctx.taskDefinitions.register({ family, containerDefinitions: [] }, []);
    ctx.clock.advance(DERIVED_RETENTION_DAYS * 86_400 + 60);
    const deps = { ...ctx.core, taskDefinitions: ctx.taskDefinitions };

    // Act
    const first = await retireTaskDefinitions(deps, catalog, new Set(), ctx.clock.now());
    const second = await retireTaskDefinitions(deps, catalog, new Set(), ctx.clock.now());

    // Assess
    expect([first.length, second.length]).toEqual([MAX_REVISIONS_CHECKED, 5]);
    expect(ctx.taskDefinitions.revisions.filter((r) => r.family === family && r.active)).toEqual([]);
  });
});
