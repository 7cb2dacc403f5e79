/**
 * Lease items: a job's concurrency slots (`SLOTS#<job>` / `SLOT#<nnnn>`, one item per slot held,
 * naming its run) and named leases that make work single-flight (`LEASE#<name>`, the sweeper).
 */
import { LEASE_SK, leasePk, slotSk, slotsPk } from '../../domain/keys.ts';
import type { RunStore } from '../../ports.ts';
import { buildCondition, buildUpdate } from './expressions.ts';
import type { Table } from './table.ts';

type LeaseMethods = Pick<RunStore, 'acquireSlot' | 'releaseSlot' | 'slotHolders' | 'takeLease' | 'releaseLease'>;

export const leaseRecords = (t: Table): LeaseMethods => ({
  /** Slots are written with a condition, so at most `max` runs hold one at any time. */
  acquireSlot: async (job, max, runId, now) => {
    const holders = await t.queryPartition({ pk: slotsPk(job) });
    const taken = new Map(holders.map((h) => [Number(String(h.sk).slice(5)), h.runId as string]));
    for (const [slot, holder] of taken) if (holder === runId && slot < max) return slot;
    // Start at a run-specific slot so racing launchers spread over the slots.
    const start = [...runId].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % max;
    for (let i = 0; i < max; i++) {
      const slot = (start + i) % max;
      if (taken.has(slot)) continue;
      const took = await t.ifConditionHolds(
        async () => {
          await t.put({
            Item: {
              pk: slotsPk(job),
              sk: slotSk(slot),
              kind: 'slot',
              job,
              slot,
              runId,
              acquiredAt: now.toISOString(),
            },
            ...buildCondition('attribute_not_exists(#pk) OR #runId = :run', { ':run': runId }),
          });
          return true;
        },
        () => false,
      );
      if (took) return slot;
    }
    return undefined;
  },

  releaseSlot: (job, slot, runId) =>
    t.ifConditionHolds(
      async () => {
        await t.delete({
          Key: { pk: slotsPk(job), sk: slotSk(slot) },
          ...buildCondition('#runId = :run', { ':run': runId }),
        });
        return true;
      },
      () => false,
    ),

  slotHolders: async (job) =>
    (await t.queryPartition({ pk: slotsPk(job) })).map((i) => ({
      slot: Number(i.slot),
      runId: String(i.runId),
      acquiredAt: String(i.acquiredAt),
    })),

  takeLease: (name, holder, seconds, now) =>
    t.ifConditionHolds(
      async () => {
        await t.update(
          { pk: leasePk(name), sk: LEASE_SK },
          buildUpdate(
            { set: { holder, leaseUntil: new Date(now.getTime() + seconds * 1000).toISOString(), kind: 'lease' } },
            'attribute_not_exists(#pk) OR #leaseUntil <= :now OR #holder = :holder',
            { ':now': now.toISOString(), ':holder': holder },
          ),
        );
        return true;
      },
      () => false,
    ),

  releaseLease: async (name, holder, now) => {
    await t.ifConditionHolds(
      () =>
        t.update(
          { pk: leasePk(name), sk: LEASE_SK },
          buildUpdate({ set: { leaseUntil: now.toISOString() } }, '#holder = :holder', { ':holder': holder }),
        ),
      () => undefined,
    );
  },
});
