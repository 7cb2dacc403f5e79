/**
 * What the sweeper knows of schedules: each schedule's first and last tick (`SCHEDULE#<job>#<n>` /
 * `TICKS`), and the ticks found missed (`RUN#<the id the tick's run would have>` / `MISSED`).
 */
import { runPk, scheduleTicksPk, TICKS_SK } from '../../domain/keys.ts';
import type { RunStore } from '../../ports.ts';
import { buildCondition, buildUpdate } from './expressions.ts';
import type { Table } from './table.ts';

type ScheduleMethods = Pick<RunStore, 'recordScheduleTick' | 'scheduleTicks' | 'markMissedTick'>;

export const scheduleRecords = (t: Table): ScheduleMethods => ({
  recordScheduleTick: async (job, triggerIndex, scheduledTime, expiresAt) => {
    await t.ifConditionHolds(
      () =>
        t.update(
          { pk: scheduleTicksPk(job, triggerIndex), sk: TICKS_SK },
          buildUpdate(
            {
              set: { lastTick: scheduledTime, expiresAt, job, triggerIndex, kind: 'schedule-ticks' },
              setIfMissing: { firstTick: scheduledTime },
            },
            'attribute_not_exists(#lastTick) OR #lastTick < :t',
            { ':t': scheduledTime },
          ),
        ),
      () => undefined,
    );
  },

  scheduleTicks: async (job, triggerIndex) => {
    const item = await t.get({ pk: scheduleTicksPk(job, triggerIndex), sk: TICKS_SK });
    return item ? { firstTick: String(item.firstTick), lastTick: String(item.lastTick) } : undefined;
  },

  markMissedTick: (runId, details, expiresAt) =>
    t.ifConditionHolds(
      async () => {
        await t.put({
          Item: { pk: runPk(runId), sk: 'MISSED', kind: 'missed-tick', ...details, expiresAt },
          ...buildCondition('attribute_not_exists(#pk)'),
        });
        return true;
      },
      () => false,
    ),
});
