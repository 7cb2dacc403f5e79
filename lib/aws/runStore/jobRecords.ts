/**
 * Job state records: one item per job that was ever paused (`JOBSTATE#<job>` / `STATE`), read
 * consistently by the launcher before each launch. Pause and resume are conditional writes, so a
 * repeated command changes nothing, and two racing ones leave one answer.
 */
import { type JobState, type PauseMode, windowsAfterResume } from '../../domain/jobState.ts';
import { JOB_STATE_SK, jobStatePk } from '../../domain/keys.ts';
import type { PauseChange, RunStore } from '../../ports.ts';
import { buildUpdate } from './expressions.ts';
import type { Item, Table } from './table.ts';

type JobMethods = Pick<RunStore, 'getJobState' | 'pauseJob' | 'resumeJob'>;

const stateFromItem = (job: string, item: Item | undefined): JobState => ({
  job,
  paused: item?.paused === true,
  ...(typeof item?.mode === 'string' ? { mode: item.mode as PauseMode } : {}),
  ...(typeof item?.pausedAt === 'string' ? { pausedAt: item.pausedAt } : {}),
  ...(typeof item?.pausedBy === 'string' ? { pausedBy: item.pausedBy } : {}),
  ...(typeof item?.reason === 'string' ? { reason: item.reason } : {}),
  ...(typeof item?.resumedAt === 'string' ? { resumedAt: item.resumedAt } : {}),
  pauses: Array.isArray(item?.pauses) ? (item.pauses as JobState['pauses']) : [],
});

export const jobRecords = (t: Table): JobMethods => {
  const key = (job: string) => ({ pk: jobStatePk(job), sk: JOB_STATE_SK });
  const getJobState: RunStore['getJobState'] = async (job) => {
    const item = await t.get(key(job));
    return item ? stateFromItem(job, item) : undefined;
  };
  return {
    getJobState,

    pauseJob: (job, pause, now) =>
      t.ifConditionHolds(
        async (): Promise<PauseChange> => {
          const out = await t.update(
            key(job),
            buildUpdate(
              {
                set: {
                  kind: 'job-state',
                  job,
                  paused: true,
                  mode: pause.mode,
                  ...(pause.by ? { pausedBy: pause.by } : {}),
                  ...(pause.reason ? { reason: pause.reason } : {}),
                },
                // A job paused already keeps the time it was first paused (its window starts there).
                setIfMissing: { pausedAt: now.toISOString() },
                ...(pause.by ? {} : { remove: ['pausedBy'] }),
              },
              // Not paused yet, or paused the other way (the mode changes, nothing else).
              'attribute_not_exists(#paused) OR #paused = :false OR #mode <> :mode',
              { ':false': false, ':mode': pause.mode },
            ),
            { ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
          );
          return { changed: true, state: stateFromItem(job, out.Attributes) };
        },
        async (old): Promise<PauseChange> => ({
          changed: false,
          state: stateFromItem(job, old ?? (await t.get(key(job)))),
        }),
      ),

    resumeJob: async (job, now) => {
      const current = await getJobState(job);
      if (!current?.paused || !current.pausedAt) return { changed: false, state: current ?? stateFromItem(job, {}) };
      return t.ifConditionHolds(
        async (): Promise<PauseChange> => {
          const out = await t.update(
            key(job),
            buildUpdate(
              {
                set: { paused: false, resumedAt: now.toISOString(), pauses: windowsAfterResume(current, now) },
                remove: ['mode', 'pausedAt', 'pausedBy', 'reason'],
              },
              // Only the pause read above: a resume and a pause racing leave one of them whole.
              '#paused = :true AND #pausedAt = :pausedAt',
              { ':true': true, ':pausedAt': current.pausedAt },
            ),
            { ReturnValues: 'ALL_NEW' },
          );
          return { changed: true, state: stateFromItem(job, out.Attributes) };
        },
        async (): Promise<PauseChange> => ({ changed: false, state: (await getJobState(job)) ?? current }),
      );
    },
  };
};
