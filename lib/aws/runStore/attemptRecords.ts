/** Attempt records: one item per attempt of a run (`RUN#<id>` / `ATTEMPT#<nnnn>`), each launched once. */
import { attemptSk, runPk } from '../../domain/keys.ts';
import { publishKey } from '../../domain/runEvents.ts';
import type { RunStore } from '../../ports.ts';
import { buildUpdate } from './expressions.ts';
import { attemptFromItem, type Table } from './table.ts';

type AttemptMethods = Pick<
  RunStore,
  | 'getAttempt'
  | 'claimAttempt'
  | 'recordLaunched'
  | 'releaseAttempt'
  | 'recordLaunchFailed'
  | 'applyTaskEvent'
  | 'recordDecision'
>;

/** Only an attempt still being launched: a task event or a final decision may have got there first. */
const STILL_LAUNCHING = ['#status = :launching', { ':launching': 'LAUNCHING' }] as const;

export const attemptRecords = (t: Table, runs: Pick<RunStore, 'transition'>): AttemptMethods => {
  const key = (runId: string, attempt: number) => ({ pk: runPk(runId), sk: attemptSk(attempt) });
  const getAttempt: RunStore['getAttempt'] = async (runId, attempt) => {
    const item = await t.get(key(runId, attempt));
    return item ? attemptFromItem(item) : undefined;
  };

  return {
    getAttempt,

    claimAttempt: (init, now, leaseSeconds) => {
      const nowIso = now.toISOString();
      const expression = buildUpdate(
        {
          set: {
            leaseUntil: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
            capacityProvider: init.capacityProvider,
            cpu: init.cpu,
            memory: init.memory,
          },
          // No runId, attempt or kind: the keys say them (attemptFromItem). No clientToken either:
          // it derives from the stage, run, attempt and capacity (clientTokenFor), and the launcher
          // derives it again for every RunTask call; 75 bytes fewer keep a settled attempt under
          // 1 KB, one WRU a write (issue 12).
          setIfMissing: {
            status: 'LAUNCHING',
            launchRequestedAt: nowIso,
            launchTries: 0,
            expiresAt: init.expiresAt,
          },
        },
        'attribute_not_exists(#pk) OR (#status = :launching AND (attribute_not_exists(#leaseUntil) OR #leaseUntil <= :now))',
        { ':launching': 'LAUNCHING', ':now': nowIso },
      );
      return t.ifConditionHolds(
        async () => {
          const out = await t.update(key(init.runId, init.attempt), expression, {
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          });
          return { claimed: true, attempt: attemptFromItem(out.Attributes ?? {}) };
        },
        async (old, error) => {
          const attempt = old ? attemptFromItem(old) : await getAttempt(init.runId, init.attempt);
          if (!attempt) throw error;
          return { claimed: false, attempt };
        },
      );
    },

    recordLaunched: async (run, taskArn, now) => {
      const k = key(run.runId, run.attempt);
      const written = await t.ifConditionHolds(
        () =>
          t.update(
            k,
            buildUpdate(
              // The time RunTask answered is not kept: nothing reads it.
              { set: { status: 'STARTING', taskArn }, remove: ['leaseUntil'] },
              ...STILL_LAUNCHING,
            ),
            { ReturnValues: 'ALL_NEW' },
          ),
        () =>
          t.update(k, buildUpdate({ setIfMissing: { taskArn }, remove: ['leaseUntil'] }), { ReturnValues: 'ALL_NEW' }),
      );
      const attempt = written.Attributes ? attemptFromItem(written.Attributes) : undefined;
      const moved = await runs.transition(
        run,
        {
          from: ['QUEUED'],
          attempt: run.attempt,
          to: 'STARTING',
          set: { taskArn },
          remove: ['waitingForSlot', 'dispatchedAt', 'notBefore'],
          publish: [publishKey('Run Started', run.attempt)],
        },
        now,
      );
      return { ...(moved ? { run: moved } : {}), ...(attempt ? { attempt } : {}) };
    },

    releaseAttempt: async (runId, attempt, error, now) => {
      await t.update(
        key(runId, attempt),
        buildUpdate(
          { set: { leaseUntil: now.toISOString(), lastLaunchError: error.slice(0, 1024) }, add: { launchTries: 1 } },
          ...STILL_LAUNCHING,
        ),
      );
    },

    recordLaunchFailed: async (runId, attempt, reason, now) => {
      await t.ifConditionHolds(
        () =>
          t.update(
            key(runId, attempt),
            buildUpdate(
              {
                set: { status: 'LAUNCH_FAILED', launchFailure: reason.slice(0, 2048), stoppedAt: now.toISOString() },
                remove: ['leaseUntil'],
              },
              ...STILL_LAUNCHING,
            ),
          ),
        () => undefined,
      );
    },

    applyTaskEvent: (ref, event, patch) =>
      t.ifConditionHolds(
        async () => {
          const out = await t.update(
            key(ref.runId, ref.attempt),
            buildUpdate(
              { set: { ...patch, taskArn: event.taskArn, taskVersion: event.version } },
              'attribute_exists(#pk) AND (attribute_not_exists(#taskArn) OR #taskArn = :task) AND ' +
                '(attribute_not_exists(#taskVersion) OR #taskVersion < :v) AND #status <> :stopped',
              { ':task': event.taskArn, ':v': event.version, ':stopped': 'STOPPED' },
            ),
            { ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
          );
          return { applied: true as const, attempt: attemptFromItem(out.Attributes ?? {}) };
        },
        async (old) => {
          const current = old ? attemptFromItem(old) : await getAttempt(ref.runId, ref.attempt);
          if (!current) return { applied: false as const, why: 'no-attempt' as const };
          if (current.taskArn !== undefined && current.taskArn !== event.taskArn)
            return { applied: false as const, why: 'other-task' as const, current };
          return { applied: false as const, why: 'stale' as const, current };
        },
      ),

    recordDecision: (runId, attempt, decision) =>
      t.ifConditionHolds(
        async () => {
          const out = await t.update(key(runId, attempt), buildUpdate({ set: { decision } }, 'attribute_exists(#pk)'), {
            ReturnValues: 'ALL_NEW',
          });
          return out.Attributes ? attemptFromItem(out.Attributes) : undefined;
        },
        () => undefined,
      ),
  };
};
