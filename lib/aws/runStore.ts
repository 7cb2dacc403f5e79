/**
 * Every table access pattern of longshore (DESIGN §10), each a conditional or idempotent write:
 * a Lambda may die between any two calls, and the next delivery must find a state it can continue.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  ATTEMPT_SK_PREFIX,
  activeGsiPk,
  activeGsiSk,
  attemptSk,
  GSI1,
  GSI2,
  jobGsiPk,
  jobGsiSk,
  LEASE_SK,
  leasePk,
  RUN_SK,
  runPk,
  scheduleTicksPk,
  slotSk,
  slotsPk,
  TICKS_SK,
} from '../domain/keys.ts';
import { type Attempt, type Decision, isFinal, type Run, type RunStatus } from '../domain/run.ts';
import { buildCondition, buildUpdate } from './expressions.ts';

type Item = Record<string, unknown>;

const KEY_ATTRIBUTES = ['pk', 'sk', GSI1.pk, GSI1.sk, GSI2.pk, GSI2.sk, 'kind'];

const strip = (item: Item): Item => {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.includes(k)) out[k] = v;
  return out;
};

export const runFromItem = (item: Item): Run => {
  const run = strip(item) as unknown as Run & { published?: Set<string> | string[] };
  return { ...run, published: [...(run.published ?? [])].sort() };
};
export const attemptFromItem = (item: Item): Attempt => strip(item) as unknown as Attempt;

const activeKeys = (run: Pick<Run, 'job' | 'status' | 'createdAt' | 'runId'>): Item =>
  isFinal(run.status)
    ? {}
    : { [GSI2.pk]: activeGsiPk(run.job), [GSI2.sk]: activeGsiSk(run.status, run.createdAt, run.runId) };

const runItem = (run: Run): Item => {
  const { published, ...rest } = run;
  return {
    pk: runPk(run.runId),
    sk: RUN_SK,
    kind: 'run',
    [GSI1.pk]: jobGsiPk(run.job),
    [GSI1.sk]: jobGsiSk(run.createdAt, run.runId),
    ...activeKeys(run),
    ...rest,
    ...(published.length > 0 ? { published: new Set(published) } : {}),
  };
};

const isConditionFailure = (e: unknown): e is ConditionalCheckFailedException & { Item?: Record<string, never> } =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/** The item a failed conditional write returned (ALL_OLD), already unmarshalled; DynamoDB Local sends it, dynalite does not. */
const oldItem = (e: { Item?: Record<string, unknown> }): Item | undefined => {
  if (!e.Item) return undefined;
  const values = Object.values(e.Item);
  const raw =
    values.length > 0 && values.every((v) => typeof v === 'object' && v !== null && Object.keys(v).length === 1);
  return raw ? unmarshall(e.Item as never) : e.Item;
};

export interface TransitionSpec {
  /** Statuses the run must be in for the transition to apply. */
  from: readonly RunStatus[];
  /** The attempt the run must be at, when the transition concerns one attempt. */
  attempt?: number;
  to?: RunStatus;
  set?: Partial<Run>;
  remove?: (keyof Run)[];
}

export interface SlotHolder {
  slot: number;
  runId: string;
  acquiredAt: string;
}

/** Why a task event was not applied to its attempt. */
export type TaskEventRefusal =
  /** The run never had this attempt (a made-up or foreign startedBy). */
  | 'no-attempt'
  /** The attempt has another task: the event is about a task that is not this attempt's. */
  | 'other-task'
  /** Not newer than what is recorded, or the attempt is STOPPED already. */
  | 'stale';

export type TaskEventResult =
  | { applied: true; attempt: Attempt }
  | { applied: false; why: TaskEventRefusal; current?: Attempt };

/** When a schedule first and last produced a tick (the sweeper's missed-tick check reads it). */
export interface ScheduleTicks {
  firstTick: string;
  lastTick: string;
}

export interface RunPage {
  runs: Run[];
  cursor?: string;
}

const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
const decodeCursor = (cursor: string | undefined): Record<string, unknown> | undefined =>
  cursor ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;

export type RunStore = ReturnType<typeof buildRunStore>;

/**
 * @example const store = buildRunStore(documentClient, config.table);
 */
export const buildRunStore = (doc: DynamoDBDocumentClient, table: string) => {
  const getRun = async (runId: string): Promise<Run | undefined> => {
    const out = await doc.send(
      new GetCommand({ TableName: table, Key: { pk: runPk(runId), sk: RUN_SK }, ConsistentRead: true }),
    );
    return out.Item ? runFromItem(out.Item) : undefined;
  };

  const getAttempt = async (runId: string, attempt: number): Promise<Attempt | undefined> => {
    const out = await doc.send(
      new GetCommand({ TableName: table, Key: { pk: runPk(runId), sk: attemptSk(attempt) }, ConsistentRead: true }),
    );
    return out.Item ? attemptFromItem(out.Item) : undefined;
  };

  const queryAll = async (input: QueryCommandInput, limit = Number.POSITIVE_INFINITY): Promise<Item[]> => {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items.slice(0, limit);
  };

  /** Applies `spec` to the run if its status (and attempt) still allow it; undefined if they do not. */
  const transition = async (run: Run, spec: TransitionSpec, now: Date): Promise<Run | undefined> => {
    const set: Item = { ...spec.set, updatedAt: now.toISOString() };
    const remove: string[] = [...(spec.remove ?? [])];
    if (spec.to) {
      set.status = spec.to;
      const keys = activeKeys({ ...run, status: spec.to });
      if (isFinal(spec.to)) remove.push(GSI2.pk, GSI2.sk);
      else Object.assign(set, keys);
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
    try {
      const out = await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: runPk(run.runId), sk: RUN_SK },
          ...expression,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? runFromItem(out.Attributes) : undefined;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  };

  return {
    getRun,
    getAttempt,
    transition,

    /**
     * Creates the run unless one with its id exists (invariant 1). A duplicate delivery gets the
     * existing run back and `created: false`.
     */
    createRun: async (run: Run): Promise<{ created: boolean; run: Run }> => {
      try {
        await doc.send(
          new PutCommand({
            TableName: table,
            Item: runItem(run),
            ...buildCondition('attribute_not_exists(#pk)'),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { created: true, run };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        const existing = oldItem(e);
        const found = existing ? runFromItem(existing) : await getRun(run.runId);
        if (!found) throw e;
        return { created: false, run: found };
      }
    },

    /** The run and all its attempts, oldest attempt first. */
    getHistory: async (runId: string): Promise<{ run: Run; attempts: Attempt[] } | undefined> => {
      const items = await queryAll({
        TableName: table,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': runPk(runId) },
        ConsistentRead: true,
      });
      const runItemFound = items.find((i) => i.sk === RUN_SK);
      if (!runItemFound) return undefined;
      const attempts = items
        .filter((i) => String(i.sk).startsWith(ATTEMPT_SK_PREFIX))
        .map(attemptFromItem)
        .sort((a, b) => a.attempt - b.attempt);
      return { run: runFromItem(runItemFound), attempts };
    },

    /**
     * Takes the launch of one attempt (invariant 2): creates the attempt record, or takes over one
     * whose lease ran out (its launcher died). Returns the attempt, `claimed` false when another
     * launcher holds it or it was launched already.
     */
    claimAttempt: async (
      init: Pick<Attempt, 'runId' | 'attempt' | 'clientToken' | 'capacityProvider' | 'cpu' | 'memory' | 'expiresAt'>,
      now: Date,
      leaseSeconds: number,
    ): Promise<{ claimed: boolean; attempt: Attempt }> => {
      const nowIso = now.toISOString();
      const expression = buildUpdate(
        {
          set: {
            leaseUntil: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
            capacityProvider: init.capacityProvider,
            cpu: init.cpu,
            memory: init.memory,
          },
          setIfMissing: {
            runId: init.runId,
            attempt: init.attempt,
            status: 'LAUNCHING',
            clientToken: init.clientToken,
            launchRequestedAt: nowIso,
            launchTries: 0,
            kind: 'attempt',
            expiresAt: init.expiresAt,
          },
        },
        'attribute_not_exists(#pk) OR (#status = :launching AND (attribute_not_exists(#leaseUntil) OR #leaseUntil <= :now))',
        { ':launching': 'LAUNCHING', ':now': nowIso },
      );
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: runPk(init.runId), sk: attemptSk(init.attempt) },
            ...expression,
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true, attempt: attemptFromItem(out.Attributes ?? {}) };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        const existing = oldItem(e);
        const attempt = existing ? attemptFromItem(existing) : await getAttempt(init.runId, init.attempt);
        if (!attempt) throw e;
        return { claimed: false, attempt };
      }
    },

    /**
     * Records the task RunTask started. The attempt moves LAUNCHING -> STARTING unless a task event
     * got there first (then only the task ARN is filled in); the run moves QUEUED -> STARTING only if
     * it is still at this attempt.
     */
    recordLaunched: async (run: Run, taskArn: string, now: Date): Promise<Run | undefined> => {
      const key = { pk: runPk(run.runId), sk: attemptSk(run.attempt) };
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            ...buildUpdate(
              { set: { status: 'STARTING', taskArn, launchedAt: now.toISOString() }, remove: ['leaseUntil'] },
              '#status = :launching',
              {
                ':launching': 'LAUNCHING',
              },
            ),
          }),
        );
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            ...buildUpdate({ setIfMissing: { taskArn }, remove: ['leaseUntil'] }),
          }),
        );
      }
      return transition(
        run,
        {
          from: ['QUEUED'],
          attempt: run.attempt,
          to: 'STARTING',
          set: { taskArn },
          remove: ['waitingForSlot', 'notBefore'],
        },
        now,
      );
    },

    /** Gives the attempt back after a retryable launch failure (throttling, capacity): the next try may claim it at once. */
    releaseAttempt: async (runId: string, attempt: number, error: string, now: Date): Promise<void> => {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: runPk(runId), sk: attemptSk(attempt) },
          ...buildUpdate(
            { set: { leaseUntil: now.toISOString(), lastLaunchError: error.slice(0, 1024) }, add: { launchTries: 1 } },
            '#status = :launching',
            {
              ':launching': 'LAUNCHING',
            },
          ),
        }),
      );
    },

    /** Closes an attempt whose launch failed for good. */
    recordLaunchFailed: async (runId: string, attempt: number, reason: string, now: Date): Promise<void> => {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: runPk(runId), sk: attemptSk(attempt) },
            ...buildUpdate(
              {
                set: { status: 'LAUNCH_FAILED', launchFailure: reason.slice(0, 2048), stoppedAt: now.toISOString() },
                remove: ['leaseUntil'],
              },
              '#status = :launching',
              { ':launching': 'LAUNCHING' },
            ),
          }),
        );
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    },

    /**
     * Applies a task event to the attempt it names (invariant 3), only when all of these hold: the
     * attempt exists (an event never creates one), it has no task yet or this very task, the event
     * is newer than the last one applied (`detail.version`), and the attempt is not STOPPED.
     */
    applyTaskEvent: async (
      ref: { runId: string; attempt: number },
      event: { taskArn: string; version: number },
      patch: Partial<Attempt>,
    ): Promise<TaskEventResult> => {
      const key = { pk: runPk(ref.runId), sk: attemptSk(ref.attempt) };
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            ...buildUpdate(
              { set: { ...patch, taskArn: event.taskArn, taskVersion: event.version } },
              'attribute_exists(#pk) AND (attribute_not_exists(#taskArn) OR #taskArn = :task) AND ' +
                '(attribute_not_exists(#taskVersion) OR #taskVersion < :v) AND #status <> :stopped',
              { ':task': event.taskArn, ':v': event.version, ':stopped': 'STOPPED' },
            ),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { applied: true, attempt: attemptFromItem(out.Attributes ?? {}) };
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        const existing = oldItem(e);
        const current = existing ? attemptFromItem(existing) : await getAttempt(ref.runId, ref.attempt);
        if (!current) return { applied: false, why: 'no-attempt' };
        if (current.taskArn !== undefined && current.taskArn !== event.taskArn)
          return { applied: false, why: 'other-task', current };
        return { applied: false, why: 'stale', current };
      }
    },

    /** Records the policy's decision on an attempt that exists. */
    recordDecision: async (runId: string, attempt: number, decision: Decision): Promise<Attempt | undefined> => {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: runPk(runId), sk: attemptSk(attempt) },
            ...buildUpdate({ set: { decision } }, 'attribute_exists(#pk)'),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return out.Attributes ? attemptFromItem(out.Attributes) : undefined;
      } catch (e) {
        if (isConditionFailure(e)) return undefined;
        throw e;
      }
    },

    /**
     * Remembers a schedule's tick (first and latest scheduled time), so the sweeper can tell a
     * missed tick by the schedule's own key, whatever else the job runs. Out-of-order ticks never
     * move `lastTick` back. The item expires like run history when the schedule stops ticking.
     */
    recordScheduleTick: async (job: string, triggerIndex: number, scheduledTime: string, expiresAt: number) => {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: scheduleTicksPk(job, triggerIndex), sk: TICKS_SK },
            ...buildUpdate(
              {
                set: { lastTick: scheduledTime, expiresAt, job, triggerIndex, kind: 'schedule-ticks' },
                setIfMissing: { firstTick: scheduledTime },
              },
              'attribute_not_exists(#lastTick) OR #lastTick < :t',
              { ':t': scheduledTime },
            ),
          }),
        );
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    },

    scheduleTicks: async (job: string, triggerIndex: number): Promise<ScheduleTicks | undefined> => {
      const out = await doc.send(
        new GetCommand({
          TableName: table,
          Key: { pk: scheduleTicksPk(job, triggerIndex), sk: TICKS_SK },
          ConsistentRead: true,
        }),
      );
      return out.Item ? { firstTick: String(out.Item.firstTick), lastTick: String(out.Item.lastTick) } : undefined;
    },

    /**
     * Takes a named lease for `seconds` unless someone else holds it: true when `holder` has it now.
     * Makes work single-flight (the sweeper) without reserved Lambda concurrency.
     */
    takeLease: async (name: string, holder: string, seconds: number, now: Date): Promise<boolean> => {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: leasePk(name), sk: LEASE_SK },
            ...buildUpdate(
              {
                set: {
                  holder,
                  leaseUntil: new Date(now.getTime() + seconds * 1000).toISOString(),
                  kind: 'lease',
                },
              },
              'attribute_not_exists(#pk) OR #leaseUntil <= :now OR #holder = :holder',
              { ':now': now.toISOString(), ':holder': holder },
            ),
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    /** Gives a lease back early (only its holder can). */
    releaseLease: async (name: string, holder: string, now: Date): Promise<void> => {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: leasePk(name), sk: LEASE_SK },
            ...buildUpdate({ set: { leaseUntil: now.toISOString() } }, '#holder = :holder', { ':holder': holder }),
          }),
        );
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    },

    /**
     * Records, once, that a schedule tick produced no run: true the first time (alert), false after.
     * Kept beside the run the tick should have created, so a late tick still creates its run.
     */
    markMissedTick: async (runId: string, details: Record<string, unknown>, expiresAt: number): Promise<boolean> => {
      try {
        await doc.send(
          new PutCommand({
            TableName: table,
            Item: { pk: runPk(runId), sk: 'MISSED', kind: 'missed-tick', ...details, expiresAt },
            ...buildCondition('attribute_not_exists(#pk)'),
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    /** Remembers that a run event was published, so a redelivery publishes only what is missing. */
    markPublished: async (runId: string, keys: string[]): Promise<void> => {
      if (keys.length === 0) return;
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: runPk(runId), sk: RUN_SK },
          ...buildUpdate({ add: { published: new Set(keys) } }),
        }),
      );
    },

    /**
     * Takes one of the job's `max` concurrency slots for the run (invariant 6), or returns undefined
     * when all are held. Idempotent: a run that already holds a slot gets it back. Slots are lease
     * items, one per slot, written with a condition, so at most `max` runs hold one at any time.
     */
    acquireSlot: async (job: string, max: number, runId: string, now: Date): Promise<number | undefined> => {
      const holders = await queryAll({
        TableName: table,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': slotsPk(job) },
        ConsistentRead: true,
      });
      const taken = new Map(holders.map((h) => [Number(String(h.sk).slice(5)), h.runId as string]));
      for (const [slot, holder] of taken) if (holder === runId && slot < max) return slot;
      // Start at a run-specific slot so racing launchers spread over the slots.
      const start = [...runId].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % max;
      for (let i = 0; i < max; i++) {
        const slot = (start + i) % max;
        if (taken.has(slot)) continue;
        try {
          await doc.send(
            new PutCommand({
              TableName: table,
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
            }),
          );
          return slot;
        } catch (e) {
          if (!isConditionFailure(e)) throw e;
        }
      }
      return undefined;
    },

    /** Frees the run's slot; does nothing if the slot is no longer this run's. */
    releaseSlot: async (job: string, slot: number, runId: string): Promise<boolean> => {
      try {
        await doc.send(
          new DeleteCommand({
            TableName: table,
            Key: { pk: slotsPk(job), sk: slotSk(slot) },
            ...buildCondition('#runId = :run', { ':run': runId }),
          }),
        );
        return true;
      } catch (e) {
        if (isConditionFailure(e)) return false;
        throw e;
      }
    },

    slotHolders: async (job: string): Promise<SlotHolder[]> =>
      (
        await queryAll({
          TableName: table,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: { ':pk': slotsPk(job) },
          ConsistentRead: true,
        })
      ).map((i) => ({ slot: Number(i.slot), runId: String(i.runId), acquiredAt: String(i.acquiredAt) })),

    /** Runs of a job waiting to launch, oldest first (the sparse "active" index). */
    queuedRuns: async (job: string, limit: number): Promise<Run[]> =>
      (
        await queryAll(
          {
            TableName: table,
            IndexName: GSI2.name,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :queued)',
            ExpressionAttributeNames: { '#pk': GSI2.pk, '#sk': GSI2.sk },
            ExpressionAttributeValues: { ':pk': activeGsiPk(job), ':queued': 'QUEUED#' },
            ScanIndexForward: true,
            Limit: limit,
          },
          limit,
        )
      ).map(runFromItem),

    /** Every run of a job that is not final. */
    activeRuns: async (job: string): Promise<Run[]> =>
      (
        await queryAll({
          TableName: table,
          IndexName: GSI2.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI2.pk },
          ExpressionAttributeValues: { ':pk': activeGsiPk(job) },
        })
      ).map(runFromItem),

    /** Runs of a job, newest first, optionally since a time; paginated by cursor. */
    runsOfJob: async (job: string, opts: { since?: string; limit: number; cursor?: string }): Promise<RunPage> => {
      const start = decodeCursor(opts.cursor);
      const out = await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: GSI1.name,
          KeyConditionExpression: opts.since ? '#pk = :pk AND #sk >= :since' : '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI1.pk, ...(opts.since ? { '#sk': GSI1.sk } : {}) },
          ExpressionAttributeValues: { ':pk': jobGsiPk(job), ...(opts.since ? { ':since': opts.since } : {}) },
          ScanIndexForward: false,
          Limit: opts.limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const cursor = encodeCursor(out.LastEvaluatedKey);
      return { runs: (out.Items ?? []).map(runFromItem), ...(cursor ? { cursor } : {}) };
    },
  };
};

/**
 * What a store method sends to the table: a DynamoDB action as IAM names it, with a Query on an
 * index written `QueryIndex` (it needs the index's ARN, a Query on the table the table's).
 */
export type TableAccess = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'QueryIndex';
export type StoreMethod = keyof RunStore;

/**
 * Every request each store method can send, through any store method it calls, on any branch
 * (`createRun` and `claimAttempt` read the item when the engine does not return it with a failed
 * condition). Function roles are granted from this map and the methods each function declares
 * (`storeMethods` in functions/<name>/config.ts); test/integration/runStoreAccess.integration.test.ts
 * proves it against DynamoDB Local, method by method. A new store method is one line here (the type
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
  markPublished: ['UpdateItem'],
  acquireSlot: ['Query', 'PutItem'],
  releaseSlot: ['DeleteItem'],
  slotHolders: ['Query'],
  queuedRuns: ['QueryIndex'],
  activeRuns: ['QueryIndex'],
  runsOfJob: ['QueryIndex'],
} as const satisfies Record<StoreMethod, readonly TableAccess[]>;
