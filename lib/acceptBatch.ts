/**
 * Uploads into batches (issue 14, section 2; the records: lib/domain/batch.ts): each object takes a
 * slot of its trigger's open batch and is assigned to it once; a batch that is full, or whose next
 * object would pass `maxBytes`, or whose window passed, is closed: its slots are checked one by one
 * (an unfilled slot is voided for good, an object that took a slot but was never assigned is
 * assigned there, an object that belongs to another slot leaves this one void), the batch is
 * sealed only if nothing moved meanwhile, and then one run starts with the batch's manifest.
 *
 * Every step is one conditional write, and any crash between two of them leaves a state the next
 * delivery, the next upload or the sweeper continues from (docs/decisions.md, "Batches of small
 * uploads"): an object is in exactly one batch (its assignment is written once), and no object
 * that took a slot is left out (a closer assigns it where it is).
 */
import { type AcceptedRun, acceptRuns } from './acceptRuns.ts';
import type { Job } from './catalog/schema.ts';
import {
  type BatchCloseReason,
  type BatchRecord,
  type BatchSlot,
  type BatchSpec,
  type BatchStream,
  batchStreams,
  dueReason,
  INLINE_MANIFEST_CHARS,
  liveSlots,
  type ManifestEntry,
  manifestKey,
  manifestText,
  memberSlots,
  slotState,
  windowCutoff,
  windowEndsAt,
} from './domain/batch.ts';
import { newRun } from './domain/newRun.ts';
import { type BatchRunTrigger, expiresAtFor, type UploadedObject } from './domain/run.ts';
import { identityOf, runIdFor } from './domain/runId.ts';
import { OVERRIDES_LIMIT, worstCaseOverridesSize } from './domain/taskRequest.ts';
import { ConfigError } from './errors.ts';
import { logger } from './logger.ts';
import type { BatchDeps } from './ports.ts';

/** Rounds of "look, write, refused: look again" before the invocation fails (and its retry goes on). */
const MAX_ROUNDS = 25;

/**
 * How long to wait, in steps, for what another invocation is doing a few milliseconds away: a slot
 * taken and not yet written (its writer fills it between two requests), a full batch its last
 * writer is closing. Waiting is cheaper than acting: a slot voided under its writer sends it to
 * take another, and every invocation that finds the batch full reading all its slots at once would
 * cost a read per slot each. Past the wait the writer is taken for dead (it may be: that is what
 * the void is for); correctness never depends on it.
 */
const WAIT_STEPS_MS = [20, 40, 80, 160, 320];
/** A closer whose check gave room back waits this long, in steps, for writers on their way to take it. */
const REFILL_STEPS_MS = [20, 40, 80];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where an upload went: its batch and slot, or, for a delivery of an object already batched, its batch. */
export interface BatchedUpload {
  job: string;
  objectId: string;
  seq: number;
  slot: number;
  duplicate: boolean;
}

/** A batch a closer looked at: sealed and given its run, or left open (its void slots gave room back). */
export interface ClosedBatch {
  job: string;
  triggerIndex: number;
  seq: number;
  outcome: 'closed' | 'reopened' | 'empty';
  reason?: BatchCloseReason;
  objects?: number;
  runId?: string;
}

const entryOf = (o: UploadedObject): ManifestEntry => ({
  bucket: o.bucket,
  key: o.key,
  ...(o.versionId ? { versionId: o.versionId } : {}),
  ...(o.size !== undefined ? { size: o.size } : {}),
  ...(o.etag ? { etag: o.etag } : {}),
});

/** The object's identity in its job: the run id an unbatched upload of it would have (invariant 1). */
export const batchedObjectId = (job: string, o: UploadedObject): string =>
  runIdFor(job, identityOf({ type: 's3', ...o }));

/**
 * A sealed batch becomes its run: the manifest inline when small (and the task's worst-case
 * overrides still fit ECS's limit), else written to the manifest bucket under the job's prefix;
 * then the run (its id from the batch's identity, a conditional create) and its launch message.
 */
const startBatchRun = async (
  deps: BatchDeps,
  job: Job,
  stream: BatchStream,
  batch: BatchRecord & { sealedAt: string; reason: BatchCloseReason },
  entries: ManifestEntry[],
): Promise<{ runs: AcceptedRun[]; runId: string }> => {
  const now = deps.now();
  const trigger = job.triggers[stream.triggerIndex];
  const text = manifestText(entries);
  const base: Omit<BatchRunTrigger, 'manifest'> = {
    type: 'batch',
    triggerIndex: stream.triggerIndex,
    bucket: trigger?.type === 's3' ? trigger.bucket : '',
    seq: batch.seq,
    openedAt: batch.openedAt,
    sealedAt: batch.sealedAt,
    reason: batch.reason,
    objects: entries.length,
    bytes: entries.reduce((sum, e) => sum + (e.size ?? 0), 0),
  };
  const runId = runIdFor(job.name, identityOf({ ...base, manifest: { inline: '' } }));
  const inline: BatchRunTrigger = { ...base, manifest: { inline: text } };
  const fits =
    text.length <= INLINE_MANIFEST_CHARS &&
    worstCaseOverridesSize(deps.settings.stage, job, newRun({ job, trigger: inline }, now)) <= OVERRIDES_LIMIT;
  let batchTrigger = inline;
  if (!fits) {
    if (!deps.manifests)
      throw new ConfigError(
        `Batch ${batch.seq} of job '${job.name}' needs its manifest written to S3, and this function has no manifest bucket (LONGSHORE_MANIFEST_BUCKET)`,
      );
    // The same key and text on every closer of this batch: a second write is the same object.
    batchTrigger = { ...base, manifest: { uri: await deps.manifests.write(manifestKey(job.name, runId), text) } };
  }
  const runs = await acceptRuns(deps, [{ job, trigger: batchTrigger }]);
  return { runs, runId };
};

/**
 * Closes batch `seq` if it must close for `reason` (see the module comment): its run is started,
 * or, for `full`, the batch stays open when checking its slots gave room back.
 */
export const closeBatch = async (
  deps: BatchDeps,
  job: Job,
  stream: BatchStream,
  spec: BatchSpec,
  seq: number,
  asked: BatchCloseReason,
): Promise<{ closed: ClosedBatch; runs: AcceptedRun[] }> => {
  const { store } = deps;
  const base = { job: job.name, triggerIndex: stream.triggerIndex, seq };
  // What this closer found of each slot: final once found (an assignment is written once, a void
  // stays void), so a later round reads only the slots it has not seen.
  const known = new Map<number, { member: boolean; slot: BatchSlot }>();
  let refills = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const now = deps.now();
    const expiresAt = expiresAtFor(now);
    const batch = await store.getBatch(stream, seq);
    if (!batch) return { closed: { ...base, outcome: 'empty' }, runs: [] };
    if (batch.closedAt)
      return {
        closed: {
          ...base,
          outcome: batch.runId ? 'closed' : 'empty',
          ...(batch.reason ? { reason: batch.reason } : {}),
          ...(batch.members !== undefined ? { objects: batch.members } : {}),
          ...(batch.runId ? { runId: batch.runId } : {}),
        },
        runs: [],
      };
    let members: BatchSlot[];
    let sealed: BatchRecord & { sealedAt: string; reason: BatchCloseReason };
    if (batch.sealedAt && batch.reason) {
      // Sealed by a closer that stopped before the run: its members are final, read them again.
      const slots = memberSlots(batch);
      members = (await store.batchSlots(stream, seq, slots)).map((s, i) => {
        if (!s?.entry) throw new Error(`Sealed batch ${seq} of '${job.name}' lacks member slot ${slots[i]}`);
        return s;
      });
      sealed = { ...batch, sealedAt: batch.sealedAt, reason: batch.reason };
    } else {
      const recordedVoid = new Set(batch.voided);
      const unseen = Array.from({ length: batch.slots }, (_, i) => i + 1).filter(
        (n) => !known.has(n) && !recordedVoid.has(n),
      );
      const read = await store.batchSlots(stream, seq, unseen);
      const slots = new Map<number, BatchSlot | undefined>(unseen.map((n, i) => [n, read[i]]));
      // A slot taken and not written: its writer is usually between its two requests. Wait for it.
      for (const ms of WAIT_STEPS_MS) {
        const missing = unseen.filter((n) => !slots.get(n));
        if (missing.length === 0) break;
        await pause(ms);
        const again = await store.batchSlots(stream, seq, missing);
        missing.forEach((n, j) => {
          if (again[j]) slots.set(n, again[j]);
        });
      }
      for (const [n, s] of slots) if (!s) slots.set(n, await store.voidBatchSlot(stream, seq, n, expiresAt));
      const taken = [...slots.values()].filter(
        (s): s is BatchSlot & { objectId: string } => !!s && !s.void && !!s.objectId,
      );
      const assignments = new Map(
        (await store.batchedObjects(taken.map((s) => s.objectId))).map((a, i) => [taken[i]?.slot, a]),
      );
      for (const s of slots.values() as Iterable<BatchSlot>) {
        let state = slotState(seq, s, assignments.get(s.slot));
        if (state === 'unassigned' && s.objectId) {
          // Its writer died (or is slow) after taking the slot: the object is assigned here, once.
          const a = await store.assignBatchedObject(stream, { objectId: s.objectId, seq, slot: s.slot }, expiresAt);
          state = a.seq === seq && a.slot === s.slot ? 'member' : 'void';
        }
        known.set(s.slot, { member: state === 'member', slot: s });
      }
      members = [...known.entries()]
        .filter(([, k]) => k.member)
        .sort(([a], [b]) => a - b)
        .map(([, k]) => k.slot);
      const voids = new Set([...recordedVoid, ...[...known].filter(([, k]) => !k.member).map(([n]) => n)]);
      const added = [...voids].filter((v) => !recordedVoid.has(v));
      if (added.length > 0 && !(await store.addBatchVoids(stream, seq, added))) continue;
      const windowOver = windowEndsAt(batch, spec) <= now.toISOString();
      const reason: BatchCloseReason = windowOver ? 'window' : asked;
      if (reason === 'full' && members.length < spec.maxObjects && refills < REFILL_STEPS_MS.length) {
        // The void slots gave room back, and writers on their way usually take it at once: wait,
        // then check only the slots they took.
        await pause(REFILL_STEPS_MS[refills++] as number);
        continue;
      }
      if (reason === 'full' && members.length < spec.maxObjects) {
        logger.info('Batch checked: void slots gave room back, it stays open', {
          job: job.name,
          seq,
          voids: voids.size,
        });
        return { closed: { ...base, outcome: 'reopened' }, runs: [] };
      }
      const seal = {
        reason,
        members: members.length,
        bytes: members.reduce((sum, s) => sum + (s.entry?.size ?? 0), 0),
        sealedAt: now.toISOString(),
      };
      if (!(await store.sealBatch(stream, seq, { slots: batch.slots, voided: voids.size }, seal))) continue;
      sealed = { ...batch, voided: [...voids], sealedAt: seal.sealedAt, reason, members: members.length };
    }
    if (members.length === 0) {
      await store.markBatchClosed(stream, seq, undefined, now);
      return { closed: { ...base, outcome: 'empty', reason: sealed.reason }, runs: [] };
    }
    const entries = members.map((s) => s.entry as ManifestEntry);
    const { runs, runId } = await startBatchRun(deps, job, stream, sealed, entries);
    await store.markBatchClosed(stream, seq, runId, now);
    logger.info('Batch closed', { job: job.name, seq, reason: sealed.reason, objects: entries.length, runId });
    return { closed: { ...base, outcome: 'closed', reason: sealed.reason, objects: entries.length, runId }, runs };
  }
  throw new Error(`Batch ${seq} of job '${job.name}' kept changing while being closed (${MAX_ROUNDS} rounds)`);
};

/** The batch after waiting for another invocation to seal it or give room back (as it is if none did). */
const closedByOthers = async (
  deps: BatchDeps,
  stream: BatchStream,
  spec: BatchSpec,
  seq: number,
): Promise<BatchRecord | undefined> => {
  let batch: BatchRecord | undefined;
  for (const ms of WAIT_STEPS_MS) {
    await pause(ms);
    batch = await deps.store.getBatch(stream, seq);
    if (!batch || batch.sealedAt || liveSlots(batch) < spec.maxObjects) return batch;
  }
  return batch;
};

/** Closes the batch if it is due (window over, full, or sealed without its run yet). */
const closeIfDue = async (
  deps: BatchDeps,
  job: Job,
  stream: BatchStream,
  spec: BatchSpec,
  seq: number,
): Promise<AcceptedRun[]> => {
  const batch = await deps.store.getBatch(stream, seq);
  if (!batch || batch.closedAt) return [];
  const due = dueReason(batch, spec, deps.now());
  return due ? (await closeBatch(deps, job, stream, spec, seq, due)).runs : [];
};

/**
 * Puts one uploaded object in its trigger's open batch (once, however often it is delivered), and
 * closes the batches it finds due on the way; returns where the object went and the runs started.
 *
 * @example await addToBatch(deps, job, 0, spec, { bucket: 'acme-drop', key: 'in/a.csv', sequencer: '01' })
 */
export const addToBatch = async (
  deps: BatchDeps,
  job: Job,
  triggerIndex: number,
  spec: BatchSpec,
  object: UploadedObject,
): Promise<{ upload: BatchedUpload; runs: AcceptedRun[] }> => {
  const { store } = deps;
  const stream: BatchStream = { job: job.name, triggerIndex };
  const objectId = batchedObjectId(job.name, object);
  const runs: AcceptedRun[] = [];
  const done = (seq: number, slot: number, duplicate: boolean) => ({
    upload: { job: job.name, objectId, seq, slot, duplicate },
    runs,
  });
  const [existing] = await store.batchedObjects([objectId]);
  if (existing) {
    // A redelivery: nothing to add. Its batch may be due with nobody left to close it (the writer
    // of its last slot died before closing), so look.
    logger.info('Duplicate upload: object already batched', { job: job.name, seq: existing.seq });
    runs.push(...(await closeIfDue(deps, job, stream, spec, existing.seq)));
    return done(existing.seq, existing.slot, true);
  }
  const size = object.size ?? 0;
  let batch = await store.latestBatch(stream);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const now = deps.now();
    const expiresAt = expiresAtFor(now);
    const seq = !batch ? 1 : batch.sealedAt ? batch.seq + 1 : batch.seq;
    const current = batch && batch.seq === seq ? batch : undefined;
    const due = current && dueReason(current, spec, now);
    if (current && due === 'full' && round < MAX_ROUNDS / 2) {
      // Full: whoever took its last slot is closing it. Wait for that before closing it too.
      batch = await closedByOthers(deps, stream, spec, seq);
      if (batch && (batch.sealedAt || liveSlots(batch) < spec.maxObjects)) continue;
    }
    if (current && due) {
      runs.push(...(await closeBatch(deps, job, stream, spec, seq, due)).runs);
      batch = await store.getBatch(stream, seq);
      continue;
    }
    const out = await store.reserveBatchSlot(
      stream,
      seq,
      {
        slotLimit: spec.maxObjects + (current?.voided.length ?? 0),
        cutoff: windowCutoff(spec, now),
        ...(spec.maxBytes !== undefined ? { bytesLimit: spec.maxBytes - size } : {}),
      },
      size,
      now,
      expiresAt,
    );
    if (!out.reserved) {
      batch = out.batch;
      // Refused while not sealed, full or late: no room for this object's bytes, or more void
      // slots than this round read (then the next round's limit is right).
      const noRoom = batch && !batch.sealedAt && spec.maxBytes !== undefined && batch.bytes > spec.maxBytes - size;
      if (batch && noRoom && !dueReason(batch, spec, now))
        runs.push(...(await closeBatch(deps, job, stream, spec, seq, 'bytes')).runs);
      continue;
    }
    const { slot } = out;
    if (!(await store.fillBatchSlot(stream, seq, { slot, objectId, entry: entryOf(object) }, expiresAt))) {
      // A closer found the slot unfilled and voided it: take another.
      batch = out.batch;
      continue;
    }
    const assigned = await store.assignBatchedObject(stream, { objectId, seq, slot }, expiresAt);
    if (assigned.seq !== seq || assigned.slot !== slot) {
      // Another delivery of this object was assigned first: this slot holds nothing.
      await store.addBatchVoids(stream, seq, [slot]);
      logger.info('Duplicate upload: object already batched', { job: job.name, seq: assigned.seq });
      return done(assigned.seq, assigned.slot, true);
    }
    if (liveSlots(out.batch) >= spec.maxObjects)
      runs.push(...(await closeBatch(deps, job, stream, spec, seq, 'full')).runs);
    return done(seq, slot, false);
  }
  throw new Error(`Could not put ${object.key} in a batch of job '${job.name}' (${MAX_ROUNDS} rounds)`);
};

/**
 * The sweeper's part: every batch of every batched trigger that is due (its window passed, full
 * with nobody left to close it, sealed without its run) is closed.
 *
 * @example const closed = await closeDueBatches(deps);
 */
export const closeDueBatches = async (deps: BatchDeps): Promise<ClosedBatch[]> => {
  const catalog = deps.catalog();
  const out: ClosedBatch[] = [];
  for (const { job: name, triggerIndex, spec } of batchStreams(catalog)) {
    const job = catalog.jobs.find((j) => j.name === name) as Job;
    const stream = { job: name, triggerIndex };
    for (const batch of await deps.store.openBatches(stream)) {
      const due = dueReason(batch, spec, deps.now());
      if (due) out.push((await closeBatch(deps, job, stream, spec, batch.seq, due)).closed);
    }
  }
  return out;
};
