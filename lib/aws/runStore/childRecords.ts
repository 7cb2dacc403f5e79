/**
 * Fan-out records (issue 14, lib/domain/fanOut.ts): a parent's expansion cursor on its run item,
 * and its tally items (`RUN#<parent>` / `TALLY#<page>`), each counting up to 100 children. A child
 * is counted with one conditional update of its page (its index added to the page's set, its status
 * to the page's counts, in the same write): exactly once however often its end is delivered, with
 * no transaction (dynalite, the local flow's engine, has none). Children are found by their derived
 * ids (`childRunId`), so listing them needs no index.
 */

import { type ChildTally, FAILING_STATUSES, tallyPageOf } from '../../domain/fanOut.ts';
import { RUN_SK, runPk, TALLY_SK_PREFIX, tallySk } from '../../domain/keys.ts';
import type { FanOutProgress, Run, RunStatus } from '../../domain/run.ts';
import type { RunStore } from '../../ports.ts';
import { buildUpdate } from './expressions.ts';
import { runFromItem, type Table } from './table.ts';

type ChildMethods = Pick<RunStore, 'advanceFanOut' | 'countChild' | 'childTally' | 'getRuns'>;

const numbers = (v: unknown): number[] => (v ? [...(v as Iterable<number>)].map(Number) : []);

export const childRecords = (t: Table): ChildMethods => ({
  advanceFanOut: (parent, from, progress: FanOutProgress, now) =>
    t.ifConditionHolds(
      async () => {
        const out = await t.update(
          { pk: runPk(parent.runId), sk: RUN_SK },
          buildUpdate(
            { set: { fanOut: progress, updatedAt: now.toISOString() } },
            `#status = :queued AND ${from === 0 ? 'attribute_not_exists(#fanOut)' : '#fanOut.#created = :from'}`,
            { ':queued': 'QUEUED', ...(from === 0 ? {} : { ':from': from }) },
          ),
          { ReturnValues: 'ALL_NEW' },
        );
        return out.Attributes ? runFromItem(out.Attributes) : undefined;
      },
      () => undefined,
    ),

  countChild: (parentRunId, index, status, expiresAt) =>
    t.ifConditionHolds(
      async () => {
        const failed = FAILING_STATUSES.includes(status);
        await t.update(
          { pk: runPk(parentRunId), sk: tallySk(tallyPageOf(index)) },
          buildUpdate(
            {
              add: { counted: new Set([index]), [status]: 1, ...(failed ? { failed: new Set([index]) } : {}) },
              setIfMissing: { expiresAt },
            },
            'attribute_not_exists(#counted) OR NOT contains(#counted, :index)',
            { ':index': index },
          ),
        );
        return true;
      },
      () => false,
    ),

  childTally: async (parentRunId) => {
    const tally: ChildTally = { counts: {}, counted: 0, countedIndices: [], failed: [] };
    for (const item of await t.queryPartition({ pk: runPk(parentRunId), skPrefix: TALLY_SK_PREFIX })) {
      const counted = numbers(item.counted);
      tally.counted += counted.length;
      tally.countedIndices.push(...counted);
      tally.failed.push(...numbers(item.failed));
      for (const [key, value] of Object.entries(item))
        if (/^[A-Z_]+$/.test(key) && typeof value === 'number') {
          const status = key as RunStatus;
          tally.counts[status] = (tally.counts[status] ?? 0) + value;
        }
    }
    tally.failed.sort((a, b) => a - b);
    tally.countedIndices.sort((a, b) => a - b);
    return tally;
  },

  getRuns: async (runIds) =>
    (await t.getMany(runIds.map((id) => ({ pk: runPk(id), sk: RUN_SK })))).flatMap((item) =>
      item ? [runFromItem(item) as Run] : [],
    ),
});
