/**
 * The ticks a backfill window holds (lib/domain/backfill.ts): cron occurrences in the schedule's
 * time zone, rate ticks on the grid of a tick the schedule recorded, a half-open window, and the
 * refusals (empty or reversed window, the future, too many ticks, a rate schedule that never ticked).
 */
import { describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../../lib/catalog/validate.ts';
import { BackfillWindowError, backfillTicks } from '../../../../lib/domain/backfill.ts';
import { baseCatalog, baseJob } from '../../../helpers/catalogs.ts';

const catalog = validateCatalog(
  baseCatalog([
    baseJob({
      name: 'nightly',
      triggers: [{ type: 'schedule', expression: 'cron(0 2 * * ? *)', timezone: 'Europe/Paris' }],
    }),
    baseJob({ name: 'hourly', triggers: [{ type: 'schedule', expression: 'rate(1 hour)' }] }),
    baseJob({ name: 'off', triggers: [{ type: 'schedule', expression: 'rate(1 hour)', enabled: false }] }),
    baseJob({ name: 'manual-only', triggers: [{ type: 'manual' }] }),
  ]),
);
const job = (name: string) => catalog.jobs.find((j) => j.name === name) as (typeof catalog.jobs)[number];
const NOW = new Date('2026-11-22T10:00:00Z');
const never = () => undefined;

describe('Function: backfillTicks', () => {
  it('lists the cron ticks of the window in the schedule time zone, oldest first, half-open', () => {
    // Act: 02:00 Paris is 01:00 UTC in November; the tick at `to` belongs to the next window.
    const ticks = backfillTicks(
      job('nightly'),
      new Date('2026-11-19T00:00:00Z'),
      new Date('2026-11-21T01:00:00Z'),
      NOW,
      never,
    );

    // Assess
    expect(ticks).toEqual([
      { triggerIndex: 0, expression: 'cron(0 2 * * ? *)', scheduledTime: '2026-11-19T01:00:00.000Z' },
      { triggerIndex: 0, expression: 'cron(0 2 * * ? *)', scheduledTime: '2026-11-20T01:00:00.000Z' },
    ]);
  });

  it("puts a rate schedule's ticks on the grid of the tick it recorded, before or after it", () => {
    // Act: the schedule ticked at hh:17; the window starts before that tick and ends after it.
    const ticks = backfillTicks(
      job('hourly'),
      new Date('2026-11-22T05:00:00Z'),
      new Date('2026-11-22T08:00:00Z'),
      NOW,
      () => '2026-11-22T06:17:00.000Z',
    );

    // Assess
    expect(ticks.map((t) => t.scheduledTime)).toEqual([
      '2026-11-22T05:17:00.000Z',
      '2026-11-22T06:17:00.000Z',
      '2026-11-22T07:17:00.000Z',
    ]);
  });

  it.each([
    [
      'nightly',
      '2026-11-20T00:00:00Z',
      '2026-11-20T00:00:00Z',
      never,
      '--from (2026-11-20T00:00:00.000Z) must be before --to',
    ],
    ['nightly', '2026-11-21T00:00:00Z', '2026-11-20T00:00:00Z', never, 'must be before --to'],
    [
      'nightly',
      '2026-11-20T00:00:00Z',
      '2026-11-23T00:00:00Z',
      never,
      'is in the future (now is 2026-11-22T10:00:00.000Z)',
    ],
    ['nightly', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', never, 'more than 200 ticks'],
    ['hourly', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', never, 'has never ticked'],
    ['off', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', never, 'only disabled schedules'],
    ['manual-only', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', never, 'has no schedule trigger'],
  ])('refuses job %s from %s to %s', (name, from, to, anchors, message) => {
    // Act / Assess
    expect(() => backfillTicks(job(name), new Date(from), new Date(to), NOW, anchors)).toThrow(BackfillWindowError);
    expect(() => backfillTicks(job(name), new Date(from), new Date(to), NOW, anchors)).toThrow(message);
  });

  it('takes exactly the cap', () => {
    // Act: 200 hourly ticks fit; one more does not.
    const anchor = () => '2026-11-01T00:00:00.000Z';
    const from = new Date('2026-11-01T00:00:00Z');
    const ticks = backfillTicks(job('hourly'), from, new Date(from.getTime() + 200 * 3600_000), NOW, anchor);

    // Assess
    expect(ticks).toHaveLength(200);
    expect(() => backfillTicks(job('hourly'), from, new Date(from.getTime() + 201 * 3600_000), NOW, anchor)).toThrow(
      'more than 200 ticks',
    );
  });
});
