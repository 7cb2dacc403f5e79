/**
 * Batches of small uploads (issue 14, section 2): an s3 trigger with `batch` collects its objects
 * into numbered batches, and one run starts per batch, when it is full (`maxObjects`, or the next
 * object would pass `maxBytes`) or when its `window` since its first object has passed.
 *
 * The records (lib/aws/runStore/batchRecords.ts) and why they make each object belong to exactly
 * one batch, whatever is delivered twice, concurrently, or cut short by a crash (docs/decisions.md,
 * "Batches of small uploads"):
 * - a **batch** per number of a trigger's sequence: `slots` (how many slots were handed out, one
 *   atomic ADD each), `voided` (slots that hold no object: a set, so adding one twice is once),
 *   `bytes`, `openedAt` (its first slot), then `sealedAt` (its contents are final) and `closedAt`
 *   (its run exists);
 * - a **slot** per slot handed out: the object that took it (written once, or a void tombstone a
 *   closer wrote because nobody filled it);
 * - an **assignment** per object (by its run-id identity): the one batch and slot it belongs to,
 *   written once (`attribute_not_exists`), the single source of truth for membership.
 * A batch's members are its slots whose object's assignment names that very slot. Pure here.
 */
import type { Catalog, Job, S3Trigger } from '../catalog/schema.ts';
import { parseDuration } from './duration.ts';
import { matchesTrigger } from './s3Match.ts';

/** The catalog's limits for `batch.maxObjects`: at least 1, at most 10,000 (AWS Batch's array size). */
export const MAX_BATCH_OBJECTS = 10_000;
/** `batch.window`: at least a second, at most a day (objects wait at most this long, plus the sweep). */
export const MIN_BATCH_WINDOW_SECONDS = 1;
export const MAX_BATCH_WINDOW_SECONDS = 86_400;

/**
 * A manifest up to this many characters goes to the task inline (`LONGSHORE_MANIFEST`), if the
 * task's worst-case overrides still fit ECS's 8,192 characters; past it, longshore writes it to S3
 * (`LONGSHORE_MANIFEST_URI`). Half the limit leaves room for the other variables and for a retry
 * with changed variables.
 */
export const INLINE_MANIFEST_CHARS = 4096;

/** Why a batch was closed: it was full, the next object would pass `maxBytes`, or its window passed. */
export type BatchCloseReason = 'full' | 'bytes' | 'window';

/** One object in a manifest: what the task needs to read it, exactly that version. */
export interface ManifestEntry {
  bucket: string;
  key: string;
  versionId?: string;
  size?: number;
  etag?: string;
}

/** A job's batched trigger: the sequence its batches are numbered in. */
export interface BatchStream {
  job: string;
  triggerIndex: number;
}

export interface BatchSpec {
  maxObjects: number;
  windowSeconds: number;
  maxBytes?: number;
}

/** A batch as its record says it. */
export interface BatchRecord {
  job: string;
  triggerIndex: number;
  seq: number;
  slots: number;
  voided: number[];
  bytes: number;
  openedAt: string;
  sealedAt?: string;
  reason?: BatchCloseReason;
  members?: number;
  closedAt?: string;
  /** The run it started (absent when it was closed with no member). */
  runId?: string;
}

/** An object that took a slot (or, `void`, a slot a closer found unfilled and closed for good). */
export interface BatchSlot {
  slot: number;
  void?: boolean;
  /** The object's identity (its would-be run id for this job), the key of its assignment. */
  objectId?: string;
  entry?: ManifestEntry;
}

/** The one batch and slot an object belongs to. */
export interface BatchAssignment {
  objectId: string;
  seq: number;
  slot: number;
}

/** A trigger's batch settings in seconds; undefined for a trigger without `batch`. */
export const batchSpecOf = (t: S3Trigger): BatchSpec | undefined => {
  if (!t.batch) return undefined;
  return {
    maxObjects: t.batch.maxObjects,
    windowSeconds: parseDuration(t.batch.window) ?? MAX_BATCH_WINDOW_SECONDS,
    ...(t.batch.maxBytes !== undefined ? { maxBytes: t.batch.maxBytes } : {}),
  };
};

/**
 * The trigger of a job that takes an object: its first s3 trigger that matches (catalog order), so
 * an object is batched, or not, by one rule whatever other triggers of the job also match it.
 */
export const triggerForObject = (
  job: Job,
  bucket: string,
  key: string,
): { triggerIndex: number; trigger: S3Trigger } | undefined => {
  for (const [triggerIndex, trigger] of job.triggers.entries())
    if (trigger.type === 's3' && matchesTrigger(trigger, bucket, key)) return { triggerIndex, trigger };
  return undefined;
};

/** Every batched trigger of the catalog (the sweeper closes their batches). */
export const batchStreams = (catalog: Catalog): (BatchStream & { spec: BatchSpec })[] =>
  catalog.jobs.flatMap((job) =>
    job.triggers.flatMap((t, triggerIndex) => {
      const spec = t.type === 's3' ? batchSpecOf(t) : undefined;
      return spec ? [{ job: job.name, triggerIndex, spec }] : [];
    }),
  );

/** Slots that hold (or held) an object, not counting void ones: the batch is full at `maxObjects`. */
export const liveSlots = (b: Pick<BatchRecord, 'slots' | 'voided'>): number => b.slots - b.voided.length;

/** When the batch's window ends (from its first slot). */
export const windowEndsAt = (b: Pick<BatchRecord, 'openedAt'>, spec: BatchSpec): string =>
  new Date(Date.parse(b.openedAt) + spec.windowSeconds * 1000).toISOString();

/** The latest `openedAt` a batch may have to still take objects at `now`. */
export const windowCutoff = (spec: BatchSpec, now: Date): string =>
  new Date(now.getTime() - spec.windowSeconds * 1000).toISOString();

/**
 * Why an open batch must be closed now, if it must: its window passed, or all its slots are
 * handed out (a closer then checks each one; void ones give room back and the batch stays open).
 */
export const dueReason = (b: BatchRecord, spec: BatchSpec, now: Date): BatchCloseReason | undefined => {
  if (b.sealedAt) return b.reason;
  if (windowEndsAt(b, spec) <= now.toISOString()) return 'window';
  if (liveSlots(b) >= spec.maxObjects) return 'full';
  return undefined;
};

/** A sealed batch's members: its slots, less the void ones, in slot order. */
export const memberSlots = (b: Pick<BatchRecord, 'slots' | 'voided'>): number[] => {
  const voided = new Set(b.voided);
  const out: number[] = [];
  for (let s = 1; s <= b.slots; s++) if (!voided.has(s)) out.push(s);
  return out;
};

/**
 * What each slot of a batch is, from its slot record and its object's assignment: a member (the
 * object's assignment names this slot), void (a tombstone, or the object belongs to another
 * slot), or `unassigned` (the object took the slot and has no assignment yet: its writer died or
 * is on its way, and a closer may assign it here).
 */
export const slotState = (
  seq: number,
  slot: BatchSlot | undefined,
  assignment: BatchAssignment | undefined,
): 'missing' | 'void' | 'member' | 'unassigned' => {
  if (!slot) return 'missing';
  if (slot.void || !slot.objectId) return 'void';
  if (!assignment) return 'unassigned';
  return assignment.seq === seq && assignment.slot === slot.slot ? 'member' : 'void';
};

/** The manifest as the task reads it: a JSON array of objects (inline or in S3, the same text). */
export const manifestText = (entries: readonly ManifestEntry[]): string =>
  JSON.stringify(
    entries.map((e) => ({
      bucket: e.bucket,
      key: e.key,
      ...(e.versionId ? { versionId: e.versionId } : {}),
      ...(e.size !== undefined ? { size: e.size } : {}),
      ...(e.etag ? { etag: e.etag } : {}),
    })),
  );

/** Where longshore writes a batch run's manifest in its manifest bucket: under the job's own prefix. */
export const manifestPrefix = (job: string): string => `batches/${job}/`;
export const manifestKey = (job: string, runId: string): string => `${manifestPrefix(job)}${runId}.json`;

/** How the CLI says a batch setting: `batch 500, window 10m` (and `, max 5000000 bytes`). */
export const describeBatch = (b: NonNullable<S3Trigger['batch']>): string =>
  `batch ${b.maxObjects}, window ${b.window}${b.maxBytes !== undefined ? `, max ${b.maxBytes} bytes` : ''}`;
