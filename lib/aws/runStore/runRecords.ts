/** Run records: one item per run (`RUN#<id>` / `RUN`), listed by job and, while active, by status. */
import { ATTEMPT_SK_PREFIX, activeGsiPk, GSI1, GSI2, jobGsiPk, RUN_SK, runPk } from '../../domain/keys.ts';
import { isFinal } from '../../domain/run.ts';
import type { RunStore } from '../../ports.ts';
import { buildCondition, buildUpdate } from './expressions.ts';
import { activeKeys, attemptFromItem, type Item, runFromItem, runItem, type Table } from './table.ts';

type RunMethods = Pick<
  RunStore,
  'getRun' | 'transition' | 'createRun' | 'getHistory' | 'markPublished' | 'queuedRuns' | 'activeRuns' | 'runsOfJob'
>;

export const runRecords = (t: Table): RunMethods => {
  const getRun: RunStore['getRun'] = async (runId) => {
    const item = await t.get({ pk: runPk(runId), sk: RUN_SK });
    return item ? runFromItem(item) : undefined;
  };

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
      const expression = buildUpdate({ set, remove }, condition, {
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

    markPublished: async (runId, keys) => {
      if (keys.length === 0) return;
      await t.update({ pk: runPk(runId), sk: RUN_SK }, buildUpdate({ add: { published: new Set(keys) } }));
    },

    queuedRuns: async (job, limit) =>
      (
        await t.queryPartition({ index: GSI2, pk: activeGsiPk(job), skPrefix: 'QUEUED#', order: 'oldest-first' }, limit)
      ).map(runFromItem),

    activeRuns: async (job) => (await t.queryPartition({ index: GSI2, pk: activeGsiPk(job) })).map(runFromItem),

    runsOfJob: async (job, opts) => {
      const page = await t.queryPage(
        { index: GSI1, pk: jobGsiPk(job), ...(opts.since ? { skFrom: opts.since } : {}), order: 'newest-first' },
        opts.limit,
        opts.cursor,
      );
      return { runs: page.items.map(runFromItem), ...(page.cursor ? { cursor: page.cursor } : {}) };
    },
  };
};
