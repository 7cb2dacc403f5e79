/**
 * Batch records (lib/domain/batch.ts, the keys: lib/domain/keys.ts): a batch per number of a
 * trigger's sequence (its slot counter, void slots, window, seal and close), a slot per object that
 * took one, and the one assignment of each object. No transaction: each step is one conditional
 * write on one item (TransactWriteItems would need two items per object and is not in dynalite,
 * the local flow's engine), and the protocol in lib/acceptBatch.ts makes any crash between two of
 * them recoverable (docs/decisions.md, "Batches of small uploads").
 */

import type {
  BatchAssignment,
  BatchCloseReason,
  BatchRecord,
  BatchSlot,
  BatchStream,
  ManifestEntry,
} from '../../domain/batch.ts';
import {
  BATCHED_OBJECT_SK,
  batchedObjectPk,
  batchesPk,
  batchSk,
  batchSlotSk,
  batchSlotsPk,
  GSI2,
  openBatchGsiPk,
} from '../../domain/keys.ts';
import type { RunStore } from '../../ports.ts';
import { buildCondition, buildUpdate } from './expressions.ts';
import type { Item, Key, Table } from './table.ts';

type BatchMethods = Pick<
  RunStore,
  | 'latestBatch'
  | 'getBatch'
  | 'reserveBatchSlot'
  | 'fillBatchSlot'
  | 'voidBatchSlot'
  | 'batchSlots'
  | 'assignBatchedObject'
  | 'batchedObjects'
  | 'addBatchVoids'
  | 'sealBatch'
  | 'markBatchClosed'
  | 'openBatches'
>;

const batchKey = (s: BatchStream, seq: number): Key => ({ pk: batchesPk(s.job, s.triggerIndex), sk: batchSk(seq) });
const slotKey = (s: BatchStream, seq: number, slot: number): Key => ({
  pk: batchSlotsPk(s.job, s.triggerIndex, seq),
  sk: batchSlotSk(slot),
});
const objectKey = (objectId: string): Key => ({ pk: batchedObjectPk(objectId), sk: BATCHED_OBJECT_SK });

const batchFromItem = (i: Item): BatchRecord => ({
  job: String(i.job),
  triggerIndex: Number(i.triggerIndex),
  seq: Number(i.seq),
  slots: Number(i.slots ?? 0),
  voided: [...((i.voided as Set<number> | number[] | undefined) ?? [])].map(Number).sort((a, b) => a - b),
  bytes: Number(i.bytes ?? 0),
  openedAt: String(i.openedAt),
  ...(i.sealedAt ? { sealedAt: String(i.sealedAt) } : {}),
  ...(i.reason ? { reason: i.reason as BatchCloseReason } : {}),
  ...(i.members !== undefined ? { members: Number(i.members) } : {}),
  ...(i.closedAt ? { closedAt: String(i.closedAt) } : {}),
  ...(i.runId ? { runId: String(i.runId) } : {}),
});

const slotFromItem = (i: Item): BatchSlot => {
  if (i.void) return { slot: Number(i.slot), void: true };
  const entry: ManifestEntry = {
    bucket: String(i.bucket),
    key: String(i.key),
    ...(i.versionId ? { versionId: String(i.versionId) } : {}),
    ...(i.size !== undefined ? { size: Number(i.size) } : {}),
    ...(i.etag ? { etag: String(i.etag) } : {}),
  };
  return { slot: Number(i.slot), objectId: String(i.objectId), entry };
};

const assignmentFromItem = (i: Item): BatchAssignment => ({
  objectId: String(i.pk).slice(batchedObjectPk('').length),
  seq: Number(i.seq),
  slot: Number(i.slot),
});

export const batchRecords = (t: Table): BatchMethods => {
  const getBatch = async (stream: BatchStream, seq: number) => {
    const item = await t.get(batchKey(stream, seq));
    return item ? batchFromItem(item) : undefined;
  };
  return {
    latestBatch: async (stream) => {
      const [item] = await t.queryPartition(
        { pk: batchesPk(stream.job, stream.triggerIndex), skPrefix: 'BATCH#', order: 'newest-first' },
        1,
      );
      return item ? batchFromItem(item) : undefined;
    },

    getBatch,

    reserveBatchSlot: async (stream, seq, limits, size, now, expiresAt) => {
      const iso = now.toISOString();
      const conditions = [
        'attribute_not_exists(#sealedAt)',
        '(attribute_not_exists(#slots) OR #slots < :slotLimit)',
        '(attribute_not_exists(#openedAt) OR #openedAt > :cutoff)',
        ...(limits.bytesLimit !== undefined ? ['(attribute_not_exists(#bytes) OR #bytes <= :bytesLimit)'] : []),
      ];
      return t.ifConditionHolds(
        async () => {
          const out = await t.update(
            batchKey(stream, seq),
            buildUpdate(
              {
                add: { slots: 1, bytes: size },
                set: { kind: 'batch', job: stream.job, triggerIndex: stream.triggerIndex, seq },
                setIfMissing: {
                  openedAt: iso,
                  [GSI2.pk]: openBatchGsiPk(stream.job, stream.triggerIndex),
                  [GSI2.sk]: `${iso}#${batchSk(seq)}`,
                  expiresAt,
                },
              },
              conditions.join(' AND '),
              {
                ':slotLimit': limits.slotLimit,
                ':cutoff': limits.cutoff,
                ...(limits.bytesLimit !== undefined ? { ':bytesLimit': limits.bytesLimit } : {}),
              },
            ),
            { ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
          );
          const batch = batchFromItem(out.Attributes as Item);
          return { reserved: true as const, slot: batch.slots, batch };
        },
        async (old) => {
          const batch = old ? batchFromItem(old) : await getBatch(stream, seq);
          return { reserved: false as const, ...(batch ? { batch } : {}) };
        },
      );
    },

    fillBatchSlot: (stream, seq, slot, expiresAt) =>
      t.ifConditionHolds(
        async () => {
          await t.put({
            Item: {
              ...slotKey(stream, seq, slot.slot),
              kind: 'batchSlot',
              slot: slot.slot,
              objectId: slot.objectId,
              ...slot.entry,
              expiresAt,
            },
            ...buildCondition('attribute_not_exists(#pk)'),
          });
          return true;
        },
        () => false,
      ),

    voidBatchSlot: (stream, seq, slot, expiresAt) =>
      t.ifConditionHolds(
        async (): Promise<BatchSlot> => {
          await t.put({
            Item: { ...slotKey(stream, seq, slot), kind: 'batchSlot', slot, void: true, expiresAt },
            ...buildCondition('attribute_not_exists(#pk)'),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          });
          return { slot, void: true };
        },
        async (old) => {
          const item = old ?? (await t.get(slotKey(stream, seq, slot)));
          if (!item) throw new Error(`Batch slot ${seq}/${slot} of ${stream.job} refused a void and cannot be read`);
          return slotFromItem(item);
        },
      ),

    batchSlots: async (stream, seq, slots) =>
      (await t.getMany(slots.map((s) => slotKey(stream, seq, s)))).map((i) => (i ? slotFromItem(i) : undefined)),

    assignBatchedObject: (stream, a, expiresAt) =>
      t.ifConditionHolds(
        async () => {
          await t.update(
            objectKey(a.objectId),
            buildUpdate(
              {
                set: {
                  kind: 'batchedObject',
                  job: stream.job,
                  triggerIndex: stream.triggerIndex,
                  seq: a.seq,
                  slot: a.slot,
                  expiresAt,
                },
              },
              'attribute_not_exists(#seq)',
            ),
            { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
          );
          return a;
        },
        async (old) => {
          const item = old ?? (await t.get(objectKey(a.objectId)));
          if (!item) throw new Error(`Batched object ${a.objectId} refused an assignment and cannot be read`);
          return assignmentFromItem({ ...item, pk: batchedObjectPk(a.objectId) });
        },
      ),

    batchedObjects: async (ids) => {
      // Two slots may name one object (two deliveries at once); BatchGetItem refuses a key twice.
      const unique = [...new Set(ids)];
      const items = await t.getMany(unique.map(objectKey));
      const found = new Map(unique.map((id, n) => [id, items[n]]));
      return ids.map((id) => {
        const item = found.get(id);
        return item ? assignmentFromItem({ ...item, pk: batchedObjectPk(id) }) : undefined;
      });
    },

    addBatchVoids: (stream, seq, slots) =>
      t.ifConditionHolds(
        async () => {
          await t.update(
            batchKey(stream, seq),
            buildUpdate(
              { add: { voided: new Set(slots) } },
              'attribute_exists(#slots) AND attribute_not_exists(#sealedAt)',
            ),
          );
          return true;
        },
        () => false,
      ),

    sealBatch: (stream, seq, seen, seal) =>
      t.ifConditionHolds(
        async () => {
          // A set cannot be empty in DynamoDB: no void slot is no `voided` attribute.
          const voided = seen.voided === 0 ? 'attribute_not_exists(#voided)' : 'size(#voided) = :voided';
          await t.update(
            batchKey(stream, seq),
            buildUpdate(
              {
                set: {
                  sealedAt: seal.sealedAt,
                  reason: seal.reason,
                  members: seal.members,
                  memberBytes: seal.bytes,
                },
              },
              `attribute_not_exists(#sealedAt) AND #slots = :slots AND ${voided}`,
              { ':slots': seen.slots, ...(seen.voided === 0 ? {} : { ':voided': seen.voided }) },
            ),
          );
          return true;
        },
        () => false,
      ),

    markBatchClosed: async (stream, seq, runId, now) => {
      await t.update(
        batchKey(stream, seq),
        buildUpdate(
          {
            set: runId ? { runId } : {},
            setIfMissing: { closedAt: now.toISOString() },
            remove: [GSI2.pk, GSI2.sk],
          },
          'attribute_exists(#sealedAt)',
        ),
      );
    },

    openBatches: async (stream) => {
      const keys = await t.queryPartition({
        pk: openBatchGsiPk(stream.job, stream.triggerIndex),
        index: GSI2,
        order: 'oldest-first',
      });
      const items = await t.getMany(keys.map((k) => ({ pk: String(k.pk), sk: String(k.sk) })));
      return items.flatMap((i) => (i && !i.closedAt ? [batchFromItem(i)] : []));
    },
  };
};
