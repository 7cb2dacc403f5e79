/**
 * The local Scheduler: the catalog's schedules as GetSchedule describes them, a state changed by a
 * full UpdateSchedule and kept in the state folder (read again by another instance: the next `up`),
 * the ticks' `enabled` answer, and Scheduler's own errors for a schedule it does not have.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateKeeping } from '../../../../lib/aws/scheduler.ts';
import { LocalSchedules } from '../../../../lib/local/LocalSchedules.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';

const NAME = 'longshore-dev-nightly-report-cron0';
const GROUP = 'longshore-dev';
const schedulesIn = (dir: string) =>
  new LocalSchedules({ stage: 'dev', catalog: exampleCatalog, persistFile: join(dir, 'schedules.json') });

describe('Class: LocalSchedules', () => {
  it('describes a schedule as the stack deploys it, and keeps a state an update sets for the next instance', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'longshore-schedules-'));
    const first = schedulesIn(dir);
    const found = first.getSchedule({ GroupName: GROUP, Name: NAME });

    // Act
    first.updateSchedule(updateKeeping(found, GROUP, NAME, 'DISABLED'));
    const next = schedulesIn(dir);

    // Assess
    expect(found).toMatchObject({
      State: 'ENABLED',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    expect(next.getSchedule({ GroupName: GROUP, Name: NAME }).State).toBe('DISABLED');
    expect(next.enabled('nightly-report', 0)).toBe(false);
    expect(next.enabled('thumbnails', 0)).toBe(false);
  });

  it.each([
    ['another group', { GroupName: 'default', Name: NAME }],
    ['a schedule the catalog does not have', { GroupName: GROUP, Name: 'longshore-dev-payroll-cron0' }],
  ])('answers ResourceNotFoundException for %s', (_what, input) => {
    // Prepare
    const schedules = schedulesIn(mkdtempSync(join(tmpdir(), 'longshore-schedules-')));

    // Act & Assess
    expect(() => schedules.getSchedule(input)).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
  });

  it('refuses an update without the fields UpdateSchedule requires, as Scheduler does', () => {
    // Prepare
    const schedules = schedulesIn(mkdtempSync(join(tmpdir(), 'longshore-schedules-')));

    // Act & Assess
    expect(() => schedules.updateSchedule({ GroupName: GROUP, Name: NAME, State: 'DISABLED' } as never)).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
    expect(schedules.enabled('nightly-report', 0)).toBe(true);
  });
});
