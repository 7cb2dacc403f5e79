/**
 * The single-table data model. Pure key builders shared by the table definition in
 * `serverless.ts` and by the store, so the two cannot drift apart.
 *
 * - Run:       pk = RUN#<runId>        sk = RUN
 * - Attempt:   pk = RUN#<runId>        sk = ATTEMPT#<nnnn>      (one Query returns a run's history)
 * - Slot:      pk = SLOTS#<job>        sk = SLOT#<nnnn>         (a lease per concurrency slot)
 * - Ticks:     pk = SCHEDULE#<job>#<n> sk = TICKS               (first and last tick of a schedule)
 * - Lease:     pk = LEASE#<name>       sk = LEASE               (single-flight work, e.g. the sweeper)
 * - Job state: pk = JOBSTATE#<job>   sk = STATE               (paused or not: `jobs pause` / `jobs resume`)
 * - Alert:     pk = RUN#<runId>        sk = ALERT#<FAILED|TIMED_OUT|MISSED>  (an alert sent once; for a missed
 *              tick, beside the run the tick would have created)
 * - Batch:    pk = BATCHES#<job>#<n>  sk = BATCH#<seq, 10 digits> (a batch of an s3 trigger with `batch`;
 *              while not closed also in GSI2 under OPENBATCH#<job>#<n>, so the sweeper finds it)
 * - Slot:      pk = BATCH#<job>#<n>#<seq> sk = SLOT#<nnnnn>     (the object that took a batch's slot)
 * - Batched:   pk = BATCHED#<object id>   sk = OBJECT           (the one batch and slot an object is in)
 * - Tally:     pk = RUN#<parentId>     sk = TALLY#<nnnn>        (a fan-out parent's children counted, 100 per item)
 * - GSI1 (all runs of a job, newest first):     gsi1pk = JOB#<job>,    gsi1sk = <createdAt>#<runId>
 * - GSI2 (sparse: only runs that are not final): gsi2pk = ACTIVE#<job>, gsi2sk = <PAUSED|QUEUED|STARTED>#<createdAt>#<runId>
 *   (paused runs first, then queued, each oldest first; STARTED groups STARTING, RUNNING and
 *   CANCELLING, so a run that starts running does not move in the index: one index write less per run)
 * Both indexes project keys only: the store reads the runs a query finds from the table.
 */

export const TABLE_KEYS = { pk: 'pk', sk: 'sk' } as const;
export const GSI1 = { name: 'byJob', pk: 'gsi1pk', sk: 'gsi1sk' } as const;
export const GSI2 = { name: 'active', pk: 'gsi2pk', sk: 'gsi2sk' } as const;
/** TTL attribute: epoch seconds (DynamoDB ignores milliseconds-looking values as far future). */
export const TTL_ATTRIBUTE = 'expiresAt';

export const runPk = (runId: string): string => `RUN#${runId}`;
export const RUN_SK = 'RUN';
export const attemptSk = (attempt: number): string => `ATTEMPT#${String(attempt).padStart(4, '0')}`;
export const ATTEMPT_SK_PREFIX = 'ATTEMPT#';
export const slotsPk = (job: string): string => `SLOTS#${job}`;
export const slotSk = (slot: number): string => `SLOT#${String(slot).padStart(4, '0')}`;
export const scheduleTicksPk = (job: string, triggerIndex: number): string => `SCHEDULE#${job}#${triggerIndex}`;
export const TICKS_SK = 'TICKS';
export const leasePk = (name: string): string => `LEASE#${name}`;
export const LEASE_SK = 'LEASE';
export const alertSk = (what: string): string => `ALERT#${what}`;
export const jobStatePk = (job: string): string => `JOBSTATE#${job}`;
export const JOB_STATE_SK = 'STATE';
export const batchesPk = (job: string, triggerIndex: number): string => `BATCHES#${job}#${triggerIndex}`;
export const batchSk = (seq: number): string => `BATCH#${String(seq).padStart(10, '0')}`;
export const BATCH_SK_PREFIX = 'BATCH#';
export const batchSlotsPk = (job: string, triggerIndex: number, seq: number): string =>
  `BATCH#${job}#${triggerIndex}#${seq}`;
export const batchSlotSk = (slot: number): string => `SLOT#${String(slot).padStart(5, '0')}`;
export const batchedObjectPk = (objectId: string): string => `BATCHED#${objectId}`;
export const BATCHED_OBJECT_SK = 'OBJECT';
export const openBatchGsiPk = (job: string, triggerIndex: number): string => `OPENBATCH#${job}#${triggerIndex}`;
export const TALLY_SK_PREFIX = 'TALLY#';
export const tallySk = (page: number): string => `${TALLY_SK_PREFIX}${String(page).padStart(4, '0')}`;
export const jobGsiPk = (job: string): string => `JOB#${job}`;
export const jobGsiSk = (createdAt: string, runId: string): string => `${createdAt}#${runId}`;
export const activeGsiPk = (job: string): string => `ACTIVE#${job}`;
/**
 * The status group a run sorts under in the active index: held by a paused job, waiting to launch,
 * or past the queue. PAUSED runs are a group of their own so a resume finds them oldest first with
 * one query, and the launcher's queue queries (QUEUED#) never see them.
 */
export const activeGroup = (status: string): 'PAUSED' | 'QUEUED' | 'STARTED' =>
  status === 'QUEUED' ? 'QUEUED' : status === 'PAUSED' ? 'PAUSED' : 'STARTED';
export const activeGsiSk = (status: string, since: string, runId: string): string =>
  `${activeGroup(status)}#${since}#${runId}`;
