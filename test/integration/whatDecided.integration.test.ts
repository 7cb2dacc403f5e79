/**
 * What decided, through the real tracker over a real local DynamoDB engine: the attempt record,
 * the RunDuration metric, the run event and the alert composed from it say which container decided,
 * with its exit code and log stream, and "did not start" (no duration, no stream, no metric) for a
 * task that never started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeAlert } from '../../lib/alert.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { launchOne } from '../../lib/launch.ts';
import type { RunStore } from '../../lib/ports.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../helpers/catalogs.ts';
import { taskEvent } from '../helpers/events.ts';
import { buildDeps } from '../helpers/fakes.ts';
import { launchManualRun } from '../helpers/launched.ts';
import { localStore } from '../helpers/localTable.ts';

const example = exampleCatalog();
const catalog: Catalog = {
  ...example,
  jobs: [
    ...example.jobs,
    ...validateCatalog(
      baseCatalog([
        baseJob({
          name: 'with-side',
          sidecars: [{ name: 'side', image: 'public.ecr.aws/acme/side:1.0.0', essential: true }],
        }),
      ]),
    ).jobs,
  ],
};
let store: RunStore;
let close: () => void;
let seq = 0;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

type Ctx = ReturnType<typeof buildDeps>;
type Detail = Record<string, unknown> & { containers: Record<string, unknown>[] };

const launched = (ctx: Ctx, job: string) => launchManualRun(ctx, catalog, job, `decided-${++seq}`);

const launchNext = async (ctx: Ctx, runId: string) => {
  for (const m of ctx.queue.take()) {
    ctx.clock.advance(m.delaySeconds ?? 0);
    await launchOne(ctx.launch, { v: 1, runId: m.runId, attempt: m.attempt });
  }
  const run = await store.getRun(runId);
  return { runId, attempt: run?.attempt ?? 0, taskArn: run?.taskArn ?? '' };
};

const deliver = (
  ctx: Ctx,
  name: string,
  target: { runId: string; attempt: number; taskArn: string },
  tweak?: (d: Detail) => void,
) => {
  const e = taskEvent(name, target) as { detail: Detail };
  tweak?.(e.detail);
  return trackTaskEvent(ctx.core, parseTaskStateChange(e));
};

describe('What decided: the tracker, the metric, the run event and the alert', () => {
  it('records no duration, no log link and no RunDuration for a task whose image could not be pulled', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'csv-ingest');

    // Act
    await deliver(ctx, 'ecs-task-stopped-pull-failure', t);

    // Assess
    const h = await store.getHistory(t.runId);
    expect(h?.run.status).toBe('FAILED');
    expect(h?.attempts[0]).not.toHaveProperty('durationSeconds');
    expect(h?.attempts[0]).not.toHaveProperty('logLink');
    expect(ctx.metrics.recorded.map((m) => m.name)).toEqual(['RunsFailed']);
    const failed = ctx.events.published.find((e) => e.type === 'Run Failed')?.detail ?? {};
    expect(failed).toMatchObject({ started: false, decidingContainer: 'main', attempt: 1, maxAttempts: 4 });
    expect(failed).not.toHaveProperty('durationSeconds');
    expect(failed).not.toHaveProperty('logLink');
    expect(failed).not.toHaveProperty('exitCode');
    const alert = composeAlert('Run Failed', failed);
    expect(alert.subject).toBe('longshore test: csv-ingest FAILED: image data/ingest:1.12.0 not found');
    expect(alert.text).toContain('Duration:   did not start');
    expect(alert.text).not.toContain('cloudwatch');
  });

  it('records the log stream and exit code of the essential sidecar that decided', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'with-side');

    // Act
    await deliver(ctx, 'ecs-task-stopped-app-failure', t, (d) => {
      d.containers = [
        { ...d.containers[0], name: 'main', exitCode: 0 },
        { ...d.containers[1], name: 'side', exitCode: 1 },
      ];
    });

    // Assess
    const a = (await store.getHistory(t.runId))?.attempts[0];
    expect(a?.logLink).toMatch(/log-events\/longshore\$252Fside\$252F[0-9a-f]{32}$/);
    expect(a?.durationSeconds).toBe(756);
    const retrying = ctx.events.published.find((e) => e.type === 'Run Retrying')?.detail;
    expect(retrying).toMatchObject({
      decidingContainer: 'side',
      exitCode: 1,
      started: true,
      attempt: 2,
      maxAttempts: 3,
      logLink: a?.logLink,
    });
  });

  it('counts an OOM retried bigger to the memory cap as attempt 3 of 6, and records its RunDuration', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const first = await launched(ctx, 'csv-ingest');

    // Act
    await deliver(ctx, 'ecs-task-stopped-oom', first);
    const second = await launchNext(ctx, first.runId);
    await deliver(ctx, 'ecs-task-stopped-oom', second, (d) => {
      d.memory = '4096';
    });
    const third = await launchNext(ctx, first.runId);
    await deliver(ctx, 'ecs-task-stopped-oom', third, (d) => {
      d.memory = '8192';
    });

    // Assess
    expect(await store.getRun(first.runId)).toMatchObject({ status: 'FAILED', attempt: 3, size: { memory: 8192 } });
    const failed = ctx.events.published.find((e) => e.type === 'Run Failed')?.detail ?? {};
    expect(failed).toMatchObject({ attempt: 3, maxAttempts: 6, exitCode: 137, decidingContainer: 'main' });
    expect(composeAlert('Run Failed', failed).text).toContain('(attempt 3 of 6; not retried further (see Next))');
    expect(ctx.metrics.recorded.filter((m) => m.name === 'RunDuration')).toEqual([
      { job: 'csv-ingest', name: 'RunDuration', value: 756 },
    ]);
  });

  it("records each attempt's cost from its image pull to its stop, adds it to the run once, and carries it in the events and the Cost metric", async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const first = await launched(ctx, 'csv-ingest');

    // Act: an OOM on Spot (2 GB), retried with 4 GB on demand, which exits 1 (retried again); its STOPPED event comes twice
    await deliver(ctx, 'ecs-task-stopped-oom', first, (d) => {
      d.cpu = '1024';
      d.memory = '2048';
    });
    const second = await launchNext(ctx, first.runId);
    const atFour = (d: Detail) => {
      d.cpu = '1024';
      d.memory = '4096';
      d.capacityProviderName = 'FARGATE';
      d.containers = d.containers.map((c) => ({ ...c, exitCode: 1, reason: undefined }));
    };
    await deliver(ctx, 'ecs-task-stopped-oom', second, atFour);
    await deliver(ctx, 'ecs-task-stopped-oom', second, atFour);

    // Assess: 09:15:09 (pull start) to 09:27:53 is 764 s, priced at us-east-1's list (eu-west-1 is not in the table)
    const h = await store.getHistory(first.runId);
    const hours = 764 / 3600;
    const onDemand = (memoryGb: number) => hours * (0.04048 + memoryGb * 0.004445);
    const [a1, a2] = h?.attempts ?? [];
    expect(a1?.pullStartedAt).toBe('2026-11-22T09:15:09.000Z');
    expect(a1?.cost?.priceRegion).toBe('us-east-1');
    expect(a1?.cost?.costUsd).toBeCloseTo(onDemand(2) * 0.3, 10);
    expect(a2?.cost).toMatchObject({ vcpuSeconds: 764, gbSeconds: 764 * 4 });
    expect(a2?.cost?.costUsd).toBeCloseTo(onDemand(4), 10);
    expect(h?.run.costUsd).toBeCloseTo(onDemand(2) * 0.3 + onDemand(4), 10);
    // What a consumer that keeps event ids sees: the duplicate STOPPED may publish Run Retrying again,
    // with the same eventId (run events are recorded with their transition).
    const ids = new Set<unknown>();
    const retrying = ctx.events.published
      .filter((e) => e.type === 'Run Retrying')
      .map((e) => e.detail)
      .filter((d) => !ids.has(d.eventId) && ids.add(d.eventId));
    expect(retrying).toHaveLength(2);
    expect(retrying[1]?.attemptCostUsd).toBeCloseTo(onDemand(4), 10);
    expect(retrying[1]?.costUsd).toBeCloseTo(h?.run.costUsd ?? -1, 10);
    const costs = ctx.metrics.recorded.filter((m) => m.name === 'Cost').map((m) => m.value);
    expect(costs).toHaveLength(2);
    expect((costs[0] ?? 0) + (costs[1] ?? 0)).toBeCloseTo(h?.run.costUsd ?? -1, 10);
  });

  it('prices a task that never started at nothing, and sends no Cost metric for it', async () => {
    // Prepare
    const ctx = buildDeps(store, catalog);
    const t = await launched(ctx, 'csv-ingest');

    // Act
    await deliver(ctx, 'ecs-task-stopped-pull-failure', t);

    // Assess
    const h = await store.getHistory(t.runId);
    expect(h?.attempts[0]?.cost).toMatchObject({ costUsd: 0, vcpuSeconds: 0, gbSeconds: 0 });
    expect(h?.run.costUsd).toBe(0);
    expect(ctx.metrics.recorded.some((m) => m.name === 'Cost')).toBe(false);
  });
});
