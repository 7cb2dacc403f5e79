/**
 * The run store (lib/ports.ts `RunStore`) on one DynamoDB table (the data model and its
 * keys: lib/domain/keys.ts), one module per kind of record under lib/aws/runStore/. Every write is
 * conditional or idempotent: a Lambda may die between any two calls, and the next delivery must
 * find a state it can continue from. Conditions stay in here; callers see results in their words.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RunStore } from '../ports.ts';
import { alertRecords } from './runStore/alertRecords.ts';
import { attemptRecords } from './runStore/attemptRecords.ts';
import { batchRecords } from './runStore/batchRecords.ts';
import { childRecords } from './runStore/childRecords.ts';
import { jobRecords } from './runStore/jobRecords.ts';
import { leaseRecords } from './runStore/leaseRecords.ts';
import { runRecords } from './runStore/runRecords.ts';
import { scheduleRecords } from './runStore/scheduleRecords.ts';
import { tableOf } from './runStore/table.ts';

/**
 * @example const store = buildRunStore(documentClient, config.table);
 */
export const buildRunStore = (doc: DynamoDBDocumentClient, table: string): RunStore => {
  const t = tableOf(doc, table);
  const runs = runRecords(t);
  return {
    ...runs,
    ...attemptRecords(t, runs),
    ...leaseRecords(t),
    ...scheduleRecords(t),
    ...alertRecords(t),
    ...jobRecords(t),
    ...batchRecords(t),
    ...childRecords(t),
  };
};

/**
 * What a store method sends to the table: a DynamoDB action as IAM names it, with a Query on an
 * index written `QueryIndex` (it needs the index's ARN, a Query on the table the table's). The
 * indexes project keys only: a method that queries one reads the runs it found with BatchGetItem.
 */
export type TableAccess = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'QueryIndex';
export type StoreMethod = keyof RunStore;

/**
 * Every request each store method can send, through any store method it calls, on any branch
 * (`createRun` and `claimAttempt` read the item when the engine does not return it with a failed
 * condition). Function roles are granted from this map and the methods each function declares
 * (`storeMethods` in functions/<name>/config.ts); test/integration/runStoreAccess.integration.test.ts
 * proves it against DynamoDB Local, method by method. A new port method is one line here (the type
 * check fails until it is) and one entry in the `storeMethods` of each function that calls it.
 */
export const STORE_ACCESS = {
  getRun: ['GetItem'],
  getAttempt: ['GetItem'],
  transition: ['UpdateItem'],
  createRun: ['PutItem', 'GetItem'],
  getHistory: ['Query'],
  claimAttempt: ['UpdateItem', 'GetItem'],
  recordLaunched: ['UpdateItem'],
  releaseAttempt: ['UpdateItem'],
  recordLaunchFailed: ['UpdateItem'],
  applyTaskEvent: ['UpdateItem', 'GetItem'],
  recordDecision: ['UpdateItem'],
  recordScheduleTick: ['UpdateItem'],
  scheduleTicks: ['GetItem'],
  takeLease: ['UpdateItem'],
  releaseLease: ['UpdateItem'],
  markMissedTick: ['PutItem'],
  recordMissedTickPublished: ['UpdateItem'],
  claimAlert: ['UpdateItem', 'GetItem'],
  recordAlertSent: ['UpdateItem'],
  markPublished: ['UpdateItem'],
  acquireSlot: ['Query', 'PutItem'],
  releaseSlot: ['DeleteItem'],
  slotHolders: ['Query'],
  queuedRuns: ['QueryIndex', 'BatchGetItem'],
  claimDispatch: ['UpdateItem'],
  activeRuns: ['QueryIndex', 'BatchGetItem'],
  runsOfJob: ['QueryIndex', 'BatchGetItem'],
  getJobState: ['GetItem'],
  pauseJob: ['UpdateItem', 'GetItem'],
  resumeJob: ['GetItem', 'UpdateItem'],
  pausedRuns: ['QueryIndex', 'BatchGetItem'],
  latestBatch: ['Query'],
  getBatch: ['GetItem'],
  reserveBatchSlot: ['UpdateItem', 'GetItem'],
  fillBatchSlot: ['PutItem'],
  voidBatchSlot: ['PutItem', 'GetItem'],
  batchSlots: ['BatchGetItem'],
  assignBatchedObject: ['UpdateItem', 'GetItem'],
  batchedObjects: ['BatchGetItem'],
  addBatchVoids: ['UpdateItem'],
  sealBatch: ['UpdateItem'],
  markBatchClosed: ['UpdateItem'],
  openBatches: ['QueryIndex', 'BatchGetItem'],
  advanceFanOut: ['UpdateItem'],
  countChild: ['UpdateItem'],
  childTally: ['Query'],
  getRuns: ['BatchGetItem'],
} as const satisfies Record<StoreMethod, readonly TableAccess[]>;
