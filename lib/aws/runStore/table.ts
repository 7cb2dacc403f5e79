/**
 * The runs table as the store's parts use it: items in and out (the key attributes stripped), one
 * way to send a conditional write and hear that its condition failed, and one partition query.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  ATTEMPT_SK_PREFIX,
  activeGsiPk,
  activeGsiSk,
  GSI1,
  GSI2,
  jobGsiPk,
  jobGsiSk,
  RUN_SK,
  runPk,
  TABLE_KEYS,
} from '../../domain/keys.ts';
import { type Attempt, isFinal, type Run } from '../../domain/run.ts';
import type { Expression } from './expressions.ts';

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

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
/**
 * An attempt from its item. Its run and number are not stored (the keys say them): one attribute
 * fewer to pay for in every write, so that a settled attempt stays under 1 KB, one write unit.
 */
export const attemptFromItem = (item: Item): Attempt => ({
  ...(strip(item) as unknown as Attempt),
  runId: String(item.pk).slice(runPk('').length),
  attempt: Number(String(item.sk).slice(ATTEMPT_SK_PREFIX.length)),
});

/** The sparse "active" index keys: present only while the run is not final. */
export const activeKeys = (run: Pick<Run, 'job' | 'status' | 'createdAt' | 'runId'>): Item =>
  isFinal(run.status)
    ? {}
    : { [GSI2.pk]: activeGsiPk(run.job), [GSI2.sk]: activeGsiSk(run.status, run.createdAt, run.runId) };

export const runItem = (run: Run): Item => {
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

/**
 * The item a failed conditional write returned (ReturnValuesOnConditionCheckFailure: ALL_OLD),
 * unmarshalled: DynamoDB and DynamoDB Local send it in the wire format, dynalite sends none (the
 * callers then read the item themselves).
 */
const oldItem = (e: { Item?: Record<string, unknown> }): Item | undefined => {
  if (!e.Item) return undefined;
  const values = Object.values(e.Item);
  const raw =
    values.length > 0 && values.every((v) => typeof v === 'object' && v !== null && Object.keys(v).length === 1);
  return raw ? unmarshall(e.Item as never) : e.Item;
};

/** One partition, of the table (consistent reads) or of an index (which cannot read consistently). */
export interface PartitionQuery {
  pk: string;
  index?: typeof GSI1 | typeof GSI2;
  /** Only sort keys from this value on, or only those starting with this prefix. */
  skFrom?: string;
  skPrefix?: string;
  order?: 'oldest-first' | 'newest-first';
}

const cursorOf = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
const startOf = (cursor: string | undefined): Record<string, unknown> | undefined =>
  cursor ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;

export const tableOf = (doc: DynamoDBDocumentClient, name: string) => {
  const partition = (q: PartitionQuery, limit: number): QueryCommandInput => {
    const keys = q.index ?? TABLE_KEYS;
    const sk = q.skFrom ?? q.skPrefix;
    const range =
      q.skFrom !== undefined ? ' AND #sk >= :sk' : q.skPrefix !== undefined ? ' AND begins_with(#sk, :sk)' : '';
    return {
      TableName: name,
      ...(q.index ? { IndexName: q.index.name } : {}),
      KeyConditionExpression: `#pk = :pk${range}`,
      ExpressionAttributeNames: { '#pk': keys.pk, ...(sk !== undefined ? { '#sk': keys.sk } : {}) },
      ExpressionAttributeValues: { ':pk': q.pk, ...(sk !== undefined ? { ':sk': sk } : {}) },
      ...(q.index ? {} : { ConsistentRead: true }),
      ...(q.order ? { ScanIndexForward: q.order === 'oldest-first' } : {}),
      ...(Number.isFinite(limit) ? { Limit: limit } : {}),
    };
  };

  return {
    name,
    /** A put of one item (with its condition, if any). */
    put: (input: Omit<PutCommandInput, 'TableName'>) => doc.send(new PutCommand({ TableName: name, ...input })),

    /** A delete of one item (with its condition, if any). */
    delete: (input: Omit<DeleteCommandInput, 'TableName'>) =>
      doc.send(new DeleteCommand({ TableName: name, ...input })),

    /** One item by key, read consistently. */
    get: async (key: Key): Promise<Item | undefined> =>
      (await doc.send(new GetCommand({ TableName: name, Key: key, ConsistentRead: true }))).Item,

    /**
     * Items by key, read consistently, in the order of `keys` (undefined where there is none): the
     * indexes project keys only, so a query on one reads the items it found here (100 keys a
     * request; keys DynamoDB leaves unprocessed, under throttling, are asked for again).
     */
    getMany: async (keys: Key[]): Promise<(Item | undefined)[]> => {
      const found = new Map<string, Item>();
      const id = (k: { pk: unknown; sk: unknown }) => `${String(k.pk)}\u0000${String(k.sk)}`;
      for (let i = 0; i < keys.length; i += 100) {
        let pending: Key[] = keys.slice(i, i + 100);
        for (let round = 0; pending.length > 0; round++) {
          if (round >= 8) throw new Error(`DynamoDB left ${pending.length} keys unprocessed 8 times (throttled)`);
          if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** round)));
          const out = await doc.send(
            new BatchGetCommand({ RequestItems: { [name]: { Keys: pending, ConsistentRead: true } } }),
          );
          for (const item of out.Responses?.[name] ?? []) found.set(id(item as Key), item);
          pending = (out.UnprocessedKeys?.[name]?.Keys ?? []) as Key[];
        }
      }
      return keys.map((k) => found.get(id(k)));
    },

    /** An update of one item; `ReturnValues` and the like in `extra`. */
    update: (key: Key, expression: Expression, extra: Partial<UpdateCommandInput> = {}) =>
      doc.send(new UpdateCommand({ TableName: name, Key: key, ...expression, ...extra })),

    /**
     * A conditional write: what `write` returns, or, when its condition does not hold, what
     * `onFailed` makes of the item as it was (undefined when the engine did not return it) and of
     * the error (to rethrow when the failure is not expected). Any other error is thrown.
     */
    ifConditionHolds: async <T, F>(
      write: () => Promise<T>,
      onFailed: (old: Item | undefined, error: Error) => F | Promise<F>,
    ): Promise<T | F> => {
      try {
        return await write();
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        return onFailed(oldItem(e), e);
      }
    },

    /** Every item of a partition (all pages, up to `limit`). */
    queryPartition: async (q: PartitionQuery, limit = Number.POSITIVE_INFINITY): Promise<Item[]> => {
      const items: Item[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({ ...partition(q, limit), ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start && items.length < limit);
      return items.slice(0, limit);
    },

    /** One page of a partition, continued by `cursor`. */
    queryPage: async (
      q: PartitionQuery,
      limit: number,
      cursor?: string,
    ): Promise<{ items: Item[]; cursor?: string }> => {
      const start = startOf(cursor);
      const out = await doc.send(
        new QueryCommand({ ...partition(q, limit), ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      const next = cursorOf(out.LastEvaluatedKey);
      return { items: out.Items ?? [], ...(next ? { cursor: next } : {}) };
    },
  };
};

export type Table = ReturnType<typeof tableOf>;
