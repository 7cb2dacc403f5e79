/**
 * Backfill over a real local DynamoDB engine (lib/backfill.ts): each tick of the window becomes the
 * run the real tick would have made (the same run id), so a late real tick, a repeated backfill and
 * a dry run all find it and nothing runs twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptTick } from '../../lib/acceptTick.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { parseScheduleTick } from '../../lib/contracts/schedule.ts';
import { answerControl } from '../../lib/control.ts';
import { scheduleArnFrom } from '../../lib/domain/names.ts';
import type { ControlDeps, RunStore } from '../../lib/ports.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { buildDeps, fakeClock } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

const FN_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:longshore-test-control';
const catalog = validateCatalog(
  baseCatalog([
    baseJob({
      name: 'nightly',
      triggers: [{ type: 'schedule', expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Paris', overlap: 'forbid' }],
    }),
  ]),
);
let store: RunStore;
let close: () => void;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

const setup = () => {
  const built = buildDeps(store, catalog, fakeClock('2026-11-22T10:00:00.000Z'));
  const deps: ControlDeps = {
    ...built.core,
    ecs: built.ecs,
    schedules: built.schedules,
    scheduleArn: scheduleArnFrom(FN_ARN, 'test'),
  };
  return { ...built, deps };
};

const ask = (deps: ControlDeps, dryRun: boolean) =>
  answerControl(deps, {
    action: 'backfill',
    job: 'nightly',
    from: '2026-11-19T00:00:00Z',
    to: '2026-11-21T00:00:00Z',
    ...(dryRun ? { dryRun: true } : {}),
  });

describe('Backfill (DynamoDB Local)', () => {
  it('creates each tick once, with the real tick identity, and a late real tick finds its run', async () => {
    // Prepare
    const { deps, queue } = setup();

    // Act: a dry run, the backfill, the same backfill again, then the real tick of 2026-11-20 arriving late.
    const dry = await ask(deps, true);
    const first = await ask(deps, false);
    const again = await ask(deps, false);
    const arn = deps.scheduleArn('nightly', 0);
    const late = await acceptTick(
      deps,
      parseScheduleTick(
        { longshore: 'schedule', job: 'nightly', trigger: 0, scheduleArn: arn, scheduledTime: '2026-11-20T01:00:00Z' },
        'test',
      ),
    );

    // Assess
    if (!dry.ok || !('ticks' in dry) || !first.ok || !('ticks' in first) || !again.ok || !('ticks' in again))
      throw new Error(`unexpected answers: ${JSON.stringify({ dry, first, again })}`);
    expect(dry.ticks.map((t) => [t.scheduledTime, t.status])).toEqual([
      ['2026-11-19T01:00:00.000Z', undefined],
      ['2026-11-20T01:00:00.000Z', undefined],
    ]);
    expect(first.ticks.map((t) => [t.runId, t.created, t.status])).toEqual(
      dry.ticks.map((t) => [t.runId, true, 'QUEUED']),
    );
    expect(again.ticks.map((t) => t.created)).toEqual([false, false]);
    expect(late).toMatchObject({ runId: first.ticks[1]?.runId, created: false });
    const runs = await store.runsOfJob('nightly', { limit: 10 });
    expect(runs.runs.map((r) => r.runId).sort()).toEqual(first.ticks.map((t) => t.runId).sort());
    // Queued for launch once each by the backfill (a duplicate finds a queued run and queues it again, as a redelivery does).
    expect(new Set(queue.take().map((m) => m.runId))).toEqual(new Set(first.ticks.map((t) => t.runId)));
  });

  it('answers a window it cannot serve with ok: false and the reason', async () => {
    // Act
    const out = await answerControl(setup().deps, {
      action: 'backfill',
      job: 'nightly',
      from: '2026-11-21T00:00:00Z',
      to: '2026-11-20T00:00:00Z',
    });

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'REQUEST_REJECTED' } });
    expect(out.ok ? '' : out.error.message).toContain('must be before --to');
  });
});
