/**
 * STORE_ACCESS tells the truth: every run store method, on every branch, against a real local
 * DynamoDB engine, through a document client that records each request. A method that sends a
 * request its entry does not list, or an entry listing one no branch sends, fails here; function
 * roles are granted from this map (lib/infra/functionSpec.ts), so a wrong entry is a wrong grant.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunStore, STORE_ACCESS, type StoreMethod } from '../../lib/aws/runStore.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { newRun } from '../../lib/domain/newRun.ts';
import type { Run } from '../../lib/domain/run.ts';
import type { RunStore } from '../../lib/ports.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { localStore } from '../helpers/localTable.ts';
import { tableAccessOf } from '../helpers/tableAccess.ts';

const job = validateCatalog(baseCatalog([baseJob({ maxConcurrent: 2 })])).jobs[0] as NonNullable<
  ReturnType<typeof validateCatalog>['jobs'][0]
>;
const at = (iso: string) => new Date(iso);
const T0 = at('2026-11-22T10:00:00Z');
const manualRun = (token: string): Run => newRun({ job, trigger: { type: 'manual', token } }, T0);
const init = (run: Run) => ({
  runId: run.runId,
  attempt: run.attempt,
  clientToken: `token-${run.runId}`,
  capacityProvider: 'FARGATE' as const,
  cpu: 512,
  memory: 1024,
});

const stream = (key: string) => ({ job: key, triggerIndex: 0 });
const limits = { slotLimit: 10, cutoff: '2026-11-22T09:00:00.000Z' };
const seal = { reason: 'full' as const, members: 1, bytes: 1, sealedAt: T0.toISOString() };
const reserve = (key: string) => plain.reserveBatchSlot(stream(key), 1, limits, 1, T0, 0);

/** Requests sent through the recording client since the last `take()`. */
const sent: string[] = [];
const take = (): string[] => sent.splice(0, sent.length);

/**
 * A document client that records each request. With `withoutOldItem`, a failed condition comes back
 * without the item, as an engine that ignores ReturnValuesOnConditionCheckFailure answers (dynalite):
 * the store's fallback read is a branch the map must cover too.
 */
const recording = (doc: DynamoDBDocumentClient, opts: { withoutOldItem?: boolean } = {}): DynamoDBDocumentClient =>
  ({
    send: async (command: { constructor: { name: string }; input?: unknown }) => {
      sent.push(tableAccessOf(command));
      try {
        return await doc.send(command as never);
      } catch (e) {
        if (opts.withoutOldItem && (e as { name?: string }).name === 'ConditionalCheckFailedException')
          delete (e as { Item?: unknown }).Item;
        throw e;
      }
    },
  }) as unknown as DynamoDBDocumentClient;

let plain: RunStore;
let recorded: RunStore;
let recordedWithoutOldItem: RunStore;
let close: () => void;

beforeAll(async () => {
  const local = await localStore();
  plain = local.store;
  recorded = buildRunStore(recording(local.doc), local.table);
  recordedWithoutOldItem = buildRunStore(recording(local.doc, { withoutOldItem: true }), local.table);
  close = local.close;
});
afterAll(() => close());

type Branch = [name: string, act: () => Promise<unknown>];

/** Each method's branches: state set up through the plain store, then one call through a recorded one. */
const BRANCHES: Record<StoreMethod, (key: string) => Promise<Branch[]>> = {
  getRun: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    return [
      ['an existing run', () => recorded.getRun(run.runId)],
      ['a run that does not exist', () => recorded.getRun(`${run.runId}x`)],
    ];
  },
  getAttempt: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    await plain.claimAttempt(init(run), T0, 120);
    return [['an existing attempt', () => recorded.getAttempt(run.runId, 1)]];
  },
  transition: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    return [
      ['a transition that applies', () => recorded.transition(run, { from: ['QUEUED'], to: 'STARTING' }, T0)],
      ['a transition its condition refuses', () => recorded.transition(run, { from: ['QUEUED'], to: 'RUNNING' }, T0)],
    ];
  },
  createRun: async (key) => {
    const run = manualRun(key);
    return [
      ['a new run', () => recorded.createRun(run)],
      ['a duplicate', () => recorded.createRun(run)],
      ['a duplicate on an engine that returns no old item', () => recordedWithoutOldItem.createRun(run)],
    ];
  },
  getHistory: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    return [['a run with its attempts', () => recorded.getHistory(run.runId)]];
  },
  claimAttempt: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    return [
      ['a first claim', () => recorded.claimAttempt(init(run), T0, 120)],
      ['a claim another launcher holds', () => recorded.claimAttempt(init(run), T0, 120)],
      [
        'a claim another launcher holds, on an engine that returns no old item',
        () => recordedWithoutOldItem.claimAttempt(init(run), T0, 120),
      ],
    ];
  },
  recordLaunched: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    await plain.claimAttempt(init(run), T0, 120);
    return [
      ['a launch recorded first', () => recorded.recordLaunched(run, 'arn:task/1', T0)],
      ['a launch a task event recorded before', () => recorded.recordLaunched(run, 'arn:task/1', T0)],
    ];
  },
  releaseAttempt: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    await plain.claimAttempt(init(run), T0, 120);
    return [['a launch given back', () => recorded.releaseAttempt(run.runId, 1, 'ThrottlingException', T0)]];
  },
  recordLaunchFailed: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    await plain.claimAttempt(init(run), T0, 120);
    return [
      ['a launch that failed', () => recorded.recordLaunchFailed(run.runId, 1, 'refused', T0)],
      ['the same failure again', () => recorded.recordLaunchFailed(run.runId, 1, 'refused', T0)],
    ];
  },
  applyTaskEvent: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    await plain.claimAttempt(init(run), T0, 120);
    const ref = { runId: run.runId, attempt: 1 };
    return [
      ['an event applied', () => recorded.applyTaskEvent(ref, { taskArn: 'arn:task/1', version: 2 }, {})],
      ['a stale event', () => recorded.applyTaskEvent(ref, { taskArn: 'arn:task/1', version: 1 }, {})],
      [
        'a stale event on an engine that returns no old item',
        () => recordedWithoutOldItem.applyTaskEvent(ref, { taskArn: 'arn:task/1', version: 1 }, {}),
      ],
    ];
  },
  recordDecision: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    await plain.claimAttempt(init(run), T0, 120);
    const decision = { action: 'fail', rule: 'r', diagnosis: 'd', next: 'n' };
    return [
      ['a decision', () => recorded.recordDecision(run.runId, 1, decision)],
      ['a decision on an attempt that does not exist', () => recorded.recordDecision(run.runId, 2, decision)],
    ];
  },
  recordScheduleTick: async (key) => [
    ['a first tick', () => recorded.recordScheduleTick(key, 0, '2026-11-22T02:00:00.000Z', 1_900_000_000)],
    ['an older tick', () => recorded.recordScheduleTick(key, 0, '2026-11-21T02:00:00.000Z', 1_900_000_000)],
  ],
  scheduleTicks: async (key) => {
    await plain.recordScheduleTick(key, 0, '2026-11-22T02:00:00.000Z', 1_900_000_000);
    return [['the ticks of a schedule', () => recorded.scheduleTicks(key, 0)]];
  },
  takeLease: async (key) => [
    ['a free lease', () => recorded.takeLease(key, 'a', 150, T0)],
    ['a lease another holds', () => recorded.takeLease(key, 'b', 150, T0)],
  ],
  releaseLease: async (key) => {
    await plain.takeLease(key, 'a', 150, T0);
    return [
      ['a lease given back by its holder', () => recorded.releaseLease(key, 'a', T0)],
      ['a lease someone else holds', () => recorded.releaseLease(key, 'b', T0)],
    ];
  },
  markMissedTick: async (key) => {
    const runId = manualRun(key).runId;
    return [
      ['a first missed tick', () => recorded.markMissedTick(runId, { job: job.name }, 1_900_000_000)],
      ['the same tick again', () => recorded.markMissedTick(runId, { job: job.name }, 1_900_000_000)],
    ];
  },
  recordMissedTickPublished: async (key) => {
    const runId = manualRun(key).runId;
    await plain.markMissedTick(runId, { job: job.name }, 1_900_000_000);
    return [
      ['a missed tick just marked', () => recorded.recordMissedTickPublished(runId)],
      [
        'a missed tick never marked (expired)',
        () => recorded.recordMissedTickPublished(manualRun(`${key}-gone`).runId),
      ],
    ];
  },
  claimAlert: async (key) => {
    const runId = manualRun(key).runId;
    const sentKey = { runId: manualRun(`${key}-sent`).runId, what: 'FAILED' as const };
    await plain.claimAlert(sentKey, 'a', T0, 45, 1_900_000_000);
    await plain.recordAlertSent(sentKey, 'a', 'sns', true);
    return [
      ['a new alert', () => recorded.claimAlert({ runId, what: 'FAILED' }, 'a', T0, 45, 1_900_000_000)],
      ['an alert another holds', () => recorded.claimAlert({ runId, what: 'FAILED' }, 'b', T0, 45, 1_900_000_000)],
      [
        'an alert sent, on an engine that returns no item with a failed condition',
        () => recordedWithoutOldItem.claimAlert(sentKey, 'b', T0, 45, 1_900_000_000),
      ],
    ];
  },
  recordAlertSent: async (key) => {
    const alert = { runId: manualRun(key).runId, what: 'FAILED' as const };
    await plain.claimAlert(alert, 'a', T0, 45, 1_900_000_000);
    return [
      ['a channel sent by the holder', () => recorded.recordAlertSent(alert, 'a', 'sns', false)],
      ['a record by someone else', () => recorded.recordAlertSent(alert, 'b', 'sns', true)],
      ['the last channel sent', () => recorded.recordAlertSent(alert, 'a', 'webhook', true)],
    ];
  },
  markPublished: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    return [['a published event', () => recorded.markPublished(run.runId, ['Run Started#1'])]];
  },
  acquireSlot: async (key) => [
    ['a free slot', () => recorded.acquireSlot(key, 1, 'run-a', T0)],
    ['a slot the run holds', () => recorded.acquireSlot(key, 1, 'run-a', T0)],
    ['every slot taken', () => recorded.acquireSlot(key, 1, 'run-b', T0)],
  ],
  releaseSlot: async (key) => {
    await plain.acquireSlot(key, 1, 'run-a', T0);
    return [
      ["another run's slot", () => recorded.releaseSlot(key, 0, 'run-b')],
      ["the run's slot", () => recorded.releaseSlot(key, 0, 'run-a')],
    ];
  },
  slotHolders: async (key) => {
    await plain.acquireSlot(key, 2, 'run-a', T0);
    return [['the holders of a job', () => recorded.slotHolders(key)]];
  },
  // The indexes project keys only: each of these reads the runs it found from the table.
  queuedRuns: async (key) => {
    await plain.createRun(manualRun(key));
    return [['the queued runs of a job', () => recorded.queuedRuns(job.name, 5)]];
  },
  claimDispatch: async (key) => {
    const { run } = await plain.createRun({ ...manualRun(key), waitingForSlot: true });
    return [
      ['a waiting run not dispatched yet', () => recorded.claimDispatch(run, T0, 300)],
      ['a waiting run dispatched a moment ago', () => recorded.claimDispatch(run, T0, 300)],
    ];
  },
  activeRuns: async (key) => {
    await plain.createRun(manualRun(key));
    return [['the active runs of a job', () => recorded.activeRuns(job.name)]];
  },
  runsOfJob: async (key) => {
    await plain.createRun(manualRun(key));
    return [['the runs of a job', () => recorded.runsOfJob(job.name, { limit: 5 })]];
  },
  // A job's state: each branch on a job of its own (the key), so the branches do not meet.
  getJobState: async (key) => {
    await plain.pauseJob(key, { mode: 'hold' }, T0);
    return [
      ['a paused job', () => recorded.getJobState(key)],
      ['a job never paused', () => recorded.getJobState(`${key}-never`)],
    ];
  },
  pauseJob: async (key) => [
    ['a first pause', () => recorded.pauseJob(key, { mode: 'hold', by: 'ops' }, T0)],
    ['the same pause again', () => recorded.pauseJob(key, { mode: 'hold' }, T0)],
    [
      'the same pause again, on an engine that returns no old item',
      () => recordedWithoutOldItem.pauseJob(key, { mode: 'hold' }, T0),
    ],
    ['a pause that changes the mode', () => recorded.pauseJob(key, { mode: 'skip' }, T0)],
  ],
  resumeJob: async (key) => {
    await plain.pauseJob(key, { mode: 'hold' }, T0);
    return [
      ['a resume of a paused job', () => recorded.resumeJob(key, at('2026-11-22T11:00:00Z'))],
      ['the same resume again (not paused)', () => recorded.resumeJob(key, at('2026-11-22T11:00:01Z'))],
    ];
  },
  pausedRuns: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    await plain.transition(run, { from: ['QUEUED'], to: 'PAUSED' }, T0);
    return [['the paused runs of a job', () => recorded.pausedRuns(job.name, 5)]];
  },
  latestBatch: async (key) => {
    await reserve(key);
    return [['the latest batch of a trigger', () => recorded.latestBatch(stream(key))]];
  },
  getBatch: async (key) => {
    await reserve(key);
    return [['a batch', () => recorded.getBatch(stream(key), 1)]];
  },
  reserveBatchSlot: async (key) => {
    await reserve(key);
    await plain.sealBatch(stream(key), 1, { slots: 1, voided: 0 }, seal);
    return [
      ['a slot of a new batch', () => recorded.reserveBatchSlot(stream(key), 2, limits, 1, T0, 0)],
      ['a sealed batch', () => recorded.reserveBatchSlot(stream(key), 1, limits, 1, T0, 0)],
      [
        'a sealed batch on an engine that returns no old item',
        () => recordedWithoutOldItem.reserveBatchSlot(stream(key), 1, limits, 1, T0, 0),
      ],
    ];
  },
  fillBatchSlot: async (key) => {
    const slot = { slot: 1, objectId: 'obj-a', entry: { bucket: 'b', key: 'k' } };
    return [
      ['an empty slot', () => recorded.fillBatchSlot(stream(key), 1, slot, 0)],
      ['a written slot', () => recorded.fillBatchSlot(stream(key), 1, slot, 0)],
    ];
  },
  voidBatchSlot: async (key) => {
    await plain.fillBatchSlot(stream(key), 1, { slot: 2, objectId: 'obj-a', entry: { bucket: 'b', key: 'k' } }, 0);
    return [
      ['an unwritten slot', () => recorded.voidBatchSlot(stream(key), 1, 1, 0)],
      ['a filled slot', () => recorded.voidBatchSlot(stream(key), 1, 2, 0)],
      [
        'a filled slot on an engine that returns no old item',
        () => recordedWithoutOldItem.voidBatchSlot(stream(key), 1, 2, 0),
      ],
    ];
  },
  batchSlots: async (key) => {
    await plain.voidBatchSlot(stream(key), 1, 1, 0);
    return [['slots of a batch', () => recorded.batchSlots(stream(key), 1, [1, 2])]];
  },
  assignBatchedObject: async (key) => {
    const a = { objectId: `obj-${key}`, seq: 1, slot: 1 };
    return [
      ['an object in no batch', () => recorded.assignBatchedObject(stream(key), a, 0)],
      ['an object in a batch', () => recorded.assignBatchedObject(stream(key), { ...a, slot: 2 }, 0)],
      [
        'an object in a batch on an engine that returns no old item',
        () => recordedWithoutOldItem.assignBatchedObject(stream(key), { ...a, slot: 2 }, 0),
      ],
    ];
  },
  batchedObjects: async (key) => {
    await plain.assignBatchedObject(stream(key), { objectId: `obj-${key}`, seq: 1, slot: 1 }, 0);
    return [['objects, one twice', () => recorded.batchedObjects([`obj-${key}`, `obj-${key}`, 'obj-none'])]];
  },
  addBatchVoids: async (key) => {
    await reserve(key);
    return [['an open batch', () => recorded.addBatchVoids(stream(key), 1, [1])]];
  },
  sealBatch: async (key) => {
    await reserve(key);
    return [
      ['a batch as resolved', () => recorded.sealBatch(stream(key), 1, { slots: 1, voided: 0 }, seal)],
      ['a sealed batch', () => recorded.sealBatch(stream(key), 1, { slots: 1, voided: 1 }, seal)],
    ];
  },
  markBatchClosed: async (key) => {
    await reserve(key);
    await plain.sealBatch(stream(key), 1, { slots: 1, voided: 0 }, seal);
    return [['a sealed batch', () => recorded.markBatchClosed(stream(key), 1, 'run-x', T0)]];
  },
  openBatches: async (key) => {
    await reserve(key);
    return [['the open batches of a trigger', () => recorded.openBatches(stream(key))]];
  },
  advanceFanOut: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    return [
      ['a first step', () => recorded.advanceFanOut(run, 0, { total: 3, created: 2, tolerated: 0 }, T0)],
      [
        'a step another delivery made',
        () => recorded.advanceFanOut(run, 0, { total: 3, created: 2, tolerated: 0 }, T0),
      ],
      ['a next step', () => recorded.advanceFanOut(run, 2, { total: 3, created: 3, tolerated: 0 }, T0)],
    ];
  },
  countChild: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    return [
      ['a child counted', () => recorded.countChild(run.runId, 7, 'FAILED', run.expiresAt)],
      ['a child counted before', () => recorded.countChild(run.runId, 7, 'FAILED', run.expiresAt)],
    ];
  },
  childTally: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    await plain.countChild(run.runId, 1, 'SUCCEEDED', run.expiresAt);
    return [['a parent with counted children', () => recorded.childTally(run.runId)]];
  },
  getRuns: async (key) => {
    const { run } = await plain.createRun(manualRun(key));
    return [['runs by id', () => recorded.getRuns([run.runId, `${run.runId}x`])]];
  },
};

describe('RunStore: STORE_ACCESS', () => {
  it('lists every method of the store, and every method has branches here', () => {
    // Assess
    expect(Object.keys(plain).sort()).toEqual(Object.keys(STORE_ACCESS).sort());
    expect(Object.keys(BRANCHES).sort()).toEqual(Object.keys(STORE_ACCESS).sort());
  });

  it.each(Object.keys(STORE_ACCESS) as StoreMethod[])(
    'lists exactly the requests %s sends, over all its branches',
    async (method) => {
      // Prepare
      const branches = await BRANCHES[method](`access-${method}`);
      take();

      // Act
      const sentBy: Record<string, string[]> = {};
      for (const [name, act] of branches) {
        await act();
        sentBy[name] = take();
      }

      // Assess
      const listed = new Set<string>(STORE_ACCESS[method]);
      for (const [name, requests] of Object.entries(sentBy))
        for (const r of requests) expect(listed.has(r), `${method}, ${name}: sends ${r}`).toBe(true);
      const used = new Set(Object.values(sentBy).flat());
      for (const l of listed) expect(used.has(l), `${method}: lists ${l}, which no branch sends`).toBe(true);
    },
  );
});
