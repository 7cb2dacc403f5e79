/**
 * Batches of small uploads at the size (issue 14, section 2): 40,000 uploads in an hour
 * into a trigger with `batch: { maxObjects: 500, window: '10m' }` must become 80 runs of 500, no
 * object lost, none in two batches. Run over DynamoDB Local through the use case (acceptUploads,
 * then the sweeper's closeDueBatches), with onUpload's concurrency, duplicate deliveries (some at
 * the same moment) and a Lambda that dies after a write now and then (its event delivered again),
 * on a virtual clock that spreads the uploads over the hour. Every request is sent with
 * ReturnConsumedCapacity, so the request units are DynamoDB Local's own count; a write whose
 * condition fails returns none and is counted at DynamoDB's minimum of 1 WRU (the batch and slot
 * items are under 1 KB).
 *
 *   npm run bench -- --only batches [--batch-uploads 40000]
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { closeDueBatches } from '../lib/acceptBatch.ts';
import { acceptUploads } from '../lib/acceptUploads.ts';
import { buildRunStore } from '../lib/aws/runStore.ts';
import { validateCatalog } from '../lib/catalog/validate.ts';
import { parseUploads } from '../lib/contracts/s3.ts';
import type { ManifestEntry } from '../lib/domain/batch.ts';
import type { BatchRunTrigger, Run } from '../lib/domain/run.ts';
import { ensureRunsTable, type LocalDynamo, localClientConfig } from '../lib/local/dynamo.ts';
import type { BatchDeps, RunStore } from '../lib/ports.ts';
import type { Check } from './warm.ts';

export interface BatchesResult {
  uploads: number;
  deliveries: number;
  maxObjects: number;
  concurrency: number;
  crashes: number;
  runs: number;
  objectsPerRun: { min: number; max: number };
  lost: number;
  inTwoBatches: number;
  requestsPerObject: Record<string, number>;
  rruPerObject: number;
  wruPerObject: number;
  seconds: number;
  checks: Check[];
}

/** A small seeded random source (mulberry32), so a run replays. */
const rng = (seed: number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

class LambdaDied extends Error {}

const WRITES = new Set(['PutCommand', 'UpdateCommand', 'DeleteCommand']);

/** A document client that asks every request for its consumed capacity and adds it up, by command. */
const metered = (doc: DynamoDBDocumentClient) => {
  const requests: Record<string, number> = {};
  let rru = 0;
  let wru = 0;
  const add = (c: { CapacityUnits?: number } | undefined, write: boolean) => {
    if (write) wru += c?.CapacityUnits ?? 0;
    else rru += c?.CapacityUnits ?? 0;
  };
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      requests[name] = (requests[name] ?? 0) + 1;
      command.input.ReturnConsumedCapacity = 'TOTAL';
      const write = WRITES.has(command.constructor.name);
      try {
        const out = (await doc.send(command as never)) as { ConsumedCapacity?: unknown };
        const consumed = out.ConsumedCapacity;
        if (Array.isArray(consumed)) for (const c of consumed) add(c, write);
        else add(consumed as { CapacityUnits?: number }, write);
        return out;
      } catch (e) {
        if ((e as { name?: string }).name === 'ConditionalCheckFailedException') wru += 1;
        throw e;
      }
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, totals: () => ({ requests: { ...requests }, rru, wru }) };
};

/** The store as one invocation sees it: after a write, the Lambda may die (the write done, the rest not). */
const dying = (inner: RunStore, random: () => number, p: number, onCrash: () => void): RunStore =>
  new Proxy(inner, {
    get(target, prop: string) {
      const fn = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop];
      if (typeof fn !== 'function' || !/^(reserve|fill|assign|void|add|seal|mark|create)/.test(prop)) return fn;
      return async (...args: unknown[]) => {
        const out = await fn.apply(target, args);
        if (random() < p) {
          onCrash();
          throw new LambdaDied(`died after ${prop}`);
        }
        return out;
      };
    },
  });

const objectCreated = (bucket: string, key: string, sequencer: string, size: number) => ({
  version: '0',
  id: `e-${sequencer}`,
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '111122223333',
  time: '2026-11-22T10:00:00Z',
  region: 'eu-west-1',
  resources: [`arn:aws:s3:::${bucket}`],
  detail: {
    version: '0',
    bucket: { name: bucket },
    object: { key, size, etag: `e${sequencer}`, sequencer },
    'request-id': sequencer,
    requester: '111122223333',
    reason: 'PutObject',
  },
});

/**
 * @example const r = await batchesBench({ ddb, uploads: 40_000 });
 */
export const batchesBench = async (opts: {
  ddb: LocalDynamo;
  uploads: number;
  maxObjects?: number;
  concurrency?: number;
}): Promise<BatchesResult> => {
  const maxObjects = opts.maxObjects ?? 500;
  // 40,000 an hour is 11 a second: onUpload rarely runs more than a few at once; 8 keeps it a stress.
  const concurrency = opts.concurrency ?? 8;
  const started = performance.now();
  const table = `bench-batches-${Date.now()}`;
  await ensureRunsTable(opts.ddb.endpoint, table, { ttl: false });
  const raw = new DynamoDBClient({ ...localClientConfig(opts.ddb.endpoint), maxAttempts: 5 });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const meter = metered(doc);
  const store = buildRunStore(meter.client, table);
  const catalog = validateCatalog({
    networks: { default: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'] } },
    jobs: [
      {
        name: 'csv-batch',
        container: { image: 'public.ecr.aws/acme/csv:1.0.0' },
        size: { cpu: 256, memory: 512 },
        triggers: [
          { type: 's3', bucket: 'acme-partner-drop', prefix: 'incoming/', batch: { maxObjects, window: '10m' } },
        ],
      },
    ],
  });
  // 40,000 in an hour: one upload every 90 ms of the virtual clock, whatever the number asked.
  const start = Date.parse('2026-11-22T10:00:00.000Z');
  let nowMs = start;
  const stepMs = 90;
  const manifests = new Map<string, string>();
  const sent: string[] = [];
  const deps: BatchDeps = {
    settings: { stage: 'bench', clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-bench' },
    store,
    queue: { enqueue: async (m) => void sent.push(...m.map((x) => x.runId)) },
    events: { publish: async () => undefined },
    catalog: () => catalog,
    now: () => new Date(nowMs),
    metrics: { count: () => undefined, fault: () => undefined } as unknown as BatchDeps['metrics'],
    manifests: {
      write: async (key, body) => {
        manifests.set(key, body);
        return `s3://longshore-bench-manifests/${key}`;
      },
    },
  };
  const random = rng(20261202);
  const keys = Array.from({ length: opts.uploads }, (_, i) => `incoming/partner-${String(i).padStart(6, '0')}.csv`);
  // 5% delivered twice, half of those at the same moment; 0.2% of the writes followed by a crash.
  const waves: string[][] = [];
  for (const key of keys) {
    if (random() < 0.05) {
      if (random() < 0.5) waves.push([key, key]);
      else waves.push([key], [key]);
    } else waves.push([key]);
  }
  let crashes = 0;
  const deliver = async (key: string, i: number) => {
    const event = objectCreated('acme-partner-drop', key, `0${String(i).padStart(8, '0')}`, 1200);
    for (let attempt = 1; ; attempt++) {
      const invocation = {
        ...deps,
        store: dying(store, random, 0.002, () => {
          crashes++;
        }),
      };
      try {
        await acceptUploads(invocation, parseUploads(structuredClone(event)));
        return;
      } catch (e) {
        if (!(e instanceof LambdaDied) || attempt > 10) throw e;
      }
    }
  };
  const index = new Map(keys.map((k, i) => [k, i]));
  let deliveries = 0;
  for (let w = 0; w < waves.length; w += concurrency) {
    const group = waves.slice(w, w + concurrency).flat();
    deliveries += group.length;
    nowMs = start + w * stepMs;
    await Promise.all(group.map((k) => deliver(k, index.get(k) as number)));
  }
  nowMs = start + opts.uploads * stepMs + 11 * 60_000;
  await closeDueBatches(deps);

  const runs: Run[] = [];
  let cursor: string | undefined;
  const plain = buildRunStore(doc, table);
  do {
    const page = await plain.runsOfJob('csv-batch', { limit: 100, ...(cursor ? { cursor } : {}) });
    runs.push(...page.runs);
    cursor = page.cursor;
  } while (cursor);
  const seen = new Map<string, number>();
  const sizes: number[] = [];
  for (const run of runs) {
    const t = run.trigger as BatchRunTrigger;
    const text =
      'inline' in t.manifest ? t.manifest.inline : manifests.get(t.manifest.uri.split('/').slice(3).join('/'));
    const entries = JSON.parse(text ?? '[]') as ManifestEntry[];
    sizes.push(entries.length);
    for (const e of entries) seen.set(e.key, (seen.get(e.key) ?? 0) + 1);
  }
  const lost = keys.filter((k) => !seen.has(k)).length;
  const inTwoBatches = [...seen.values()].filter((n) => n > 1).length;
  const totals = meter.totals();
  raw.destroy();
  const expectedRuns = Math.ceil(opts.uploads / maxObjects);
  const per = (n: number) => Math.round((n / opts.uploads) * 1000) / 1000;
  const checks: Check[] = [
    {
      name: `batches: ${opts.uploads} uploads become ${expectedRuns} runs`,
      ok: runs.length === expectedRuns,
      detail: `${runs.length} runs`,
    },
    { name: 'batches: no object lost', ok: lost === 0, detail: `${lost} lost` },
    { name: 'batches: no object in two batches', ok: inTwoBatches === 0, detail: `${inTwoBatches} in two` },
    {
      name: `batches: every full batch holds ${maxObjects} objects`,
      ok: sizes.filter((s) => s !== maxObjects).length <= (opts.uploads % maxObjects === 0 ? 0 : 1),
      detail: `sizes ${Math.min(...sizes)}-${Math.max(...sizes)}`,
    },
    {
      name: 'batches: every run was queued for launch',
      ok: runs.every((r) => sent.includes(r.runId)),
      detail: `${new Set(sent).size} runs queued`,
    },
    { name: 'batches: the crash points were exercised', ok: crashes > 0, detail: `${crashes} crashes` },
  ];
  return {
    uploads: opts.uploads,
    deliveries,
    maxObjects,
    concurrency,
    crashes,
    runs: runs.length,
    objectsPerRun: { min: Math.min(...sizes), max: Math.max(...sizes) },
    lost,
    inTwoBatches,
    requestsPerObject: Object.fromEntries(Object.entries(totals.requests).map(([k, v]) => [k, per(v)])),
    rruPerObject: per(totals.rru),
    wruPerObject: per(totals.wru),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    checks,
  };
};
