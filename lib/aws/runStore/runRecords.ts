/** Run records: one item per run (`RUN#<id>` / `RUN`), listed by job and, while active, by status. */
import { ATTEMPT_SK_PREFIX, activeGsiPk, GSI1, GSI2, jobGsiPk, RUN_SK, runPk } from '../../domain/keys.ts';
import { isFinal, type Run } from '../../domain/run.ts';
import type { RunStore } from '../../ports.ts';
import { buildCondition, buildUpdate } from './expressions.ts';
import { activeKeys, attemptFromItem, type Item, runFromItem, runItem, type Table } from './table.ts';

type RunMethods = Pick<
  RunStore,
  | 'getRun'
  | 'transition'
  | 'createRun'
  | 'getHistory'
  | 'markPublished'
  | 'queuedRuns'
  | 'claimDispatch'
  | 'activeRuns'
  | 'runsOfJob'
  | 'pausedRuns'
>;

export const runRecords = (t: Table): RunMethods => {
  const getRun: RunStore['getRun'] = async (runId) => {
    const item = await t.get({ pk: runPk(runId), sk: RUN_SK });
    return item ? runFromItem(item) : undefined;
  };

  /** The runs whose keys an index query returned, read from the table, in the index's order. */
  const runsAt = async (keys: Item[]): Promise<Run[]> =>
    (await t.getMany(keys.map((k) => ({ pk: String(k.pk), sk: String(k.sk) })))).flatMap((item) =>
      item ? [runFromItem(item)] : [],
    );

  return {
    getRun,

    transition: async (run, spec, now) => {
      const set: Item = { ...spec.set, updatedAt: now.toISOString() };
      const remove: string[] = [...(spec.remove ?? [])];
      if (spec.to) {
        set.status = spec.to;
        if (isFinal(spec.to)) remove.push(GSI2.pk, GSI2.sk);
        else Object.assign(set, activeKeys({ ...run, status: spec.to }));
      }
      const fromValues = Object.fromEntries(spec.from.map((s, i) => [`:from${i}`, s]));
      const condition = [
        `#status IN (${Object.keys(fromValues).join(', ')})`,
        ...(spec.attempt !== undefined ? ['#attempt = :attempt'] : []),
      ].join(' AND ');
      const add = spec.publish?.length ? { published: new Set(spec.publish) } : undefined;
      const expression = buildUpdate({ set, remove, ...(add ? { add } : {}) }, condition, {
        ...fromValues,
        ...(spec.attempt !== undefined ? { ':attempt': spec.attempt } : {}),
      });
      return t.ifConditionHolds(
        async () => {
          const out = await t.update({ pk: runPk(run.runId), sk: RUN_SK }, expression, { ReturnValues: 'ALL_NEW' });
          return out.Attributes ? runFromItem(out.Attributes) : undefined;
        },
        () => undefined,
      );
    },

    createRun: (run) =>
      t.ifConditionHolds(
        async () => {
          await t.put({
            Item: runItem(run),
            ...buildCondition('attribute_not_exists(#pk)'),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          });
          return { created: true, run };
        },
        async (old, error) => {
          const found = old ? runFromItem(old) : await getRun(run.runId);
          if (!found) throw error;
          return { created: false, run: found };
        },
      ),

    getHistory: async (runId) => {
      const items = await t.queryPartition({ pk: runPk(runId) });
      const runFound = items.find((i) => i.sk === RUN_SK);
      if (!runFound) return undefined;
      const attempts = items
        .filter((i) => String(i.sk).startsWith(ATTEMPT_SK_PREFIX))
        .map(attemptFromItem)
        .sort((a, b) => a.attempt - b.attempt);
      return { run: runFromItem(runFound), attempts };
    },

    claimDispatch: (run, now, resendSeconds) =>
      t.ifConditionHolds(
        async () => {
          await t.update(
            { pk: runPk(run.runId), sk: RUN_SK },
            buildUpdate(
              { set: { dispatchedAt: now.toISOString() } },
              '#status = :queued AND #attempt = :attempt AND #waitingForSlot = :true AND ' +
                '(attribute_not_exists(#dispatchedAt) OR #dispatchedAt <= :resend)',
              {
                ':queued': 'QUEUED',
                ':attempt': run.attempt,
                ':true': true,
                ':resend': new Date(now.getTime() - resendSeconds * 1000).toISOString(),
              },
            ),
          );
          return true;
        },
        () => false,
      ),

    markPublished: async (runId, keys) => {
      if (keys.length === 0) return;
      await t.update({ pk: runPk(runId), sk: RUN_SK }, buildUpdate({ add: { published: new Set(keys) } }));
    },

    // The indexes project keys only (docs/decisions.md, "Lean indexes"): a query finds the runs,
    // the table gives them whole and current (an index is eventually consistent; the table read is
    // not, so a run that moved on since is left out here rather than shown as it was).
    queuedRuns: async (job, limit) =>
      (
        await runsAt(
          await t.queryPartition(
            { index: GSI2, pk: activeGsiPk(job), skPrefix: 'QUEUED#', order: 'oldest-first' },
            limit,
          ),
        )
      ).filter((r) => r.status === 'QUEUED'),

    pausedRuns: async (job, limit) =>
      (
        await runsAt(
          await t.queryPartition(
            { index: GSI2, pk: activeGsiPk(job), skPrefix: 'PAUSED#', order: 'oldest-first' },
            limit,
          ),
        )
      ).filter((r) => r.status === 'PAUSED'),

    activeRuns: async (job) =>
      (await runsAt(await t.queryPartition({ index: GSI2, pk: activeGsiPk(job) }))).filter((r) => !isFinal(r.status)),

    runsOfJob: async (job, opts) => {
      const page = await t.queryPage(
        { index: GSI1, pk: jobGsiPk(job), ...(opts.since ? { skFrom: opts.since } : {}), order: 'newest-first' },
        opts.limit,
        opts.cursor,
      );
      return { runs: await runsAt(page.items), ...(page.cursor ? { cursor: page.cursor } : {}) };
    },
  };
};
