/** Schedule ticks become runs, through fakes of the ports (overlap semantics end to end: launchPath). */
import { describe, expect, it } from 'vitest';
import { acceptTick } from '../../../lib/acceptTick.ts';
import { parseScheduleTick } from '../../../lib/contracts/schedule.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { runItem } from '../../helpers/items.ts';

const tick = (time = '2026-11-22T01:00:00Z') => ({
  ...loadEvent('schedule-scheduler-input'),
  scheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/longshore-test/longshore-test-nightly-report-cron0',
  scheduledTime: time,
});

const depsOver = (store: ReturnType<typeof fakeStore>) => {
  const { core, ecs } = buildDeps(store, exampleCatalog());
  return { ...core, ecs };
};

describe('Function: acceptTick', () => {
  it('does not re-decide the overlap for a duplicate tick: the run exists', async () => {
    // Prepare
    const existing = runItem(
      'nightly-report',
      { type: 'schedule', schedule: 'x', scheduledTime: '2026-11-22T01:00:00.000Z' },
      { status: 'RUNNING' },
    );
    const store = fakeStore({
      recordScheduleTick: async () => undefined,
      getRun: async () => existing,
      createRun: async () => ({ created: false, run: existing }),
    });

    // Act
    const out = await acceptTick(depsOver(store), parseScheduleTick(tick(), 'test'));

    // Assess
    expect(out).toMatchObject({ created: false, status: 'RUNNING' });
    expect(store.calls.map((c) => c.method)).not.toContain('activeRuns');
  });

  it('accepts the Scheduler default payload and a rule Scheduled Event for our schedule names', async () => {
    // Prepare
    const store = fakeStore({
      recordScheduleTick: async () => undefined,
      getRun: async () => undefined,
      activeRuns: async () => [],
      createRun: async (run) => ({ created: true, run }),
    });
    const named = (name: string) => {
      const e = loadEvent<{ resources: string[] }>(name);
      e.resources = [e.resources[0]?.replace(/longshore-dev/g, 'longshore-test') ?? ''];
      return e;
    };

    // Act
    const a = await acceptTick(depsOver(store), parseScheduleTick(named('schedule-scheduler-default'), 'test'));
    const b = await acceptTick(depsOver(store), parseScheduleTick(named('schedule-rule'), 'test'));

    // Assess
    expect([a.job, b.job]).toEqual(['nightly-report', 'nightly-report']);
    expect(a.runId).not.toBe(b.runId);
  });

  it('rejects a tick for a job the catalog does not have', async () => {
    // Prepare
    const store = fakeStore();

    // Act & Assess
    await expect(acceptTick(depsOver(store), parseScheduleTick({ ...tick(), job: 'payroll' }, 'test'))).rejects.toThrow(
      "Unknown job 'payroll'",
    );
  });
});
