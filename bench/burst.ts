/**
 * A burst of uploads through the real launch path: 10,000 uploads within one minute (10% of them
 * delivered twice), the real `acceptUploads` and `launchBatch` over a local DynamoDB engine, a
 * simulated SQS queue (visibility timeout, delays, redrive after 10 receives) drained by the
 * launcher's 2 consumers with their 8 RunTask/s pacers, and an ECS that enforces Fargate's RunTask
 * token bucket (20 calls/s, burst 100). Time is simulated (a fake clock), so the figures are the
 * design's, not this machine's; wall time is reported against a bare PutItem loop on the same engine.
 *
 * Two accounts: a quiet one (longshore alone calls RunTask) and a busy one (other callers already
 * spend `--foreign` calls/s of the account's budget, so ECS throttles longshore).
 *
 * Model: consumers interleave at batch granularity (the one whose simulated time is earliest
 * receives next), so the shared clock may step back by at most one batch (~1.3 s); RunTask itself
 * takes no simulated time (the pacer dominates).
 *
 *   npm run bench:burst [-- --uploads 10000 --foreign 10]
 */
import './env.ts';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LAUNCHER_CONCURRENCY, RUN_TASK_CALLS_PER_SECOND } from '../functions/launcher/config.ts';
import { acceptUploads } from '../lib/acceptUploads.ts';
import { createDocumentClient } from '../lib/aws/dynamodb.ts';
import { buildRunStore } from '../lib/aws/runStore.ts';
import { launchMessage } from '../lib/contracts/launch.ts';
import { parseUploads } from '../lib/contracts/s3.ts';
import { createRateLimiter } from '../lib/domain/rateLimiter.ts';
import { LAUNCH_QUEUE_VISIBILITY_SECONDS } from '../lib/infra/platform.ts';
import { launchBatch } from '../lib/launchBatch.ts';
import {
  ensureRunsTable,
  hasJava,
  type LocalDynamo,
  localClientConfig,
  startDynalite,
  startDynamoDbLocal,
} from '../lib/local/dynamo.ts';
import type { LaunchEnqueue, RunStore } from '../lib/ports.ts';
import { flowCatalog } from '../test/helpers/catalogs.ts';
import { objectCreated } from '../test/helpers/events.ts';
import { buildDeps, fakeClock, throttlingEcs } from '../test/helpers/fakes.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`--${name} takes a whole number, got '${process.argv[i + 1]}'`);
  return value;
};
const UPLOADS = arg('uploads', 10_000);
const FOREIGN = arg('foreign', 10);
if (UPLOADS < 1) throw new Error('--uploads must be at least 1');
if (FOREIGN >= 20) throw new Error('--foreign must leave some of the 20 RunTask calls/s to longshore (at most 19)');
const ARRIVAL_WINDOW_MS = 60_000;
const BATCH_WINDOW_MS = 1000; // the launcher's maximumBatchingWindow
const MAX_RECEIVES = 10; // the launch queue's redrive policy
const ECS_RATE = 20;
const ECS_BURST = 100;

/** A seeded PRNG (mulberry32): the same jitter every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

interface Message {
  runId: string;
  attempt: number;
  visibleAt: number;
  receives: number;
  id: number;
}

const scenario = async (engine: LocalDynamo, name: string, foreignPerSecond: number) => {
  const table = `burst-${name}`;
  await ensureRunsTable(engine.endpoint, table, { ttl: false }); // items dated by the fake clock
  const client = new DynamoDBClient({ ...localClientConfig(engine.endpoint), maxAttempts: 3 });
  const requests = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.set(context.commandName as string, (requests.get(context.commandName as string) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize' },
  );
  const store: RunStore = buildRunStore(createDocumentClient(client), table);
  const clock = fakeClock('2026-11-22T10:00:00.000Z');
  const t0 = clock.now().getTime();
  const random = seeded(42);

  // SQS: the launch queue, with delays, visibility timeout and redrive.
  let ids = 0;
  const queued: Message[] = [];
  const dlq: Message[] = [];
  let sent = 0;
  const queue = {
    enqueue: async (messages: LaunchEnqueue[]) => {
      sent += messages.length;
      for (const m of messages)
        queued.push({
          runId: m.runId,
          attempt: m.attempt,
          visibleAt: clock.now().getTime() + (m.delaySeconds ?? 0) * 1000,
          receives: 0,
          id: ids++,
        });
    },
  };

  // ECS: the account's RunTask token bucket, part of which other callers spend.
  const ecs = throttlingEcs(clock, { ratePerSecond: ECS_RATE - foreignPerSecond, burst: ECS_BURST });

  const base = buildDeps(store, flowCatalog(), clock);
  const core = { ...base.core, queue };
  const consumers = Array.from({ length: LAUNCHER_CONCURRENCY }, () => {
    const c = { time: t0, batches: 0, waited: 0 };
    const limiter = createRateLimiter({
      ratePerSecond: RUN_TASK_CALLS_PER_SECOND / LAUNCHER_CONCURRENCY,
      burst: RUN_TASK_CALLS_PER_SECOND / LAUNCHER_CONCURRENCY,
      now: () => clock.now().getTime(),
      sleep: async (ms) => clock.advance(ms / 1000),
    });
    return { c, deps: { ...base.launch, queue, ecs, random, pace: limiter.acquire } };
  });

  // Uploads: spread evenly over the window; every tenth delivered again 5 s later.
  const arrivals = Array.from({ length: UPLOADS }, (_, i) => ({
    at: t0 + Math.floor((i * ARRIVAL_WINDOW_MS) / UPLOADS),
    i,
  }));
  for (let i = 0; i < UPLOADS; i += 10)
    arrivals.push({ at: t0 + Math.floor((i * ARRIVAL_WINDOW_MS) / UPLOADS) + 5000, i });
  arrivals.sort((a, b) => a.at - b.at || a.i - b.i);
  let nextArrival = 0;
  const deliverUntil = async (t: number) => {
    while (nextArrival < arrivals.length && (arrivals[nextArrival]?.at ?? 0) <= t) {
      const a = arrivals[nextArrival++] as { at: number; i: number };
      clock.set(new Date(a.at).toISOString());
      await acceptUploads(
        core,
        parseUploads(
          objectCreated('acme-uploads', `in/burst-${a.i}.jpg`, { sequencer: `S${String(a.i).padStart(6, '0')}` }),
        ),
      );
    }
  };

  const wall0 = performance.now();
  let lastLaunchAt = t0;
  let maxReceives = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const consumer = consumers.reduce((a, b) => (b.c.time < a.c.time ? b : a));
    await deliverUntil(consumer.c.time);
    const visible = queued
      .filter((m) => m.visibleAt <= consumer.c.time)
      .sort((a, b) => a.visibleAt - b.visibleAt || a.id - b.id);
    if (visible.length === 0) {
      const nextVisible = Math.min(...queued.map((m) => m.visibleAt));
      const nextUpload = arrivals[nextArrival]?.at ?? Number.POSITIVE_INFINITY;
      const wake = Math.min(nextVisible, nextUpload);
      if (wake === Number.POSITIVE_INFINITY) break;
      consumer.c.time = Math.max(consumer.c.time + 1, wake);
      continue;
    }
    // The event source mapping's batching window (1 s): wait for a full batch of 10, at most 1 s.
    if (visible.length < 10 && consumer.c.waited < BATCH_WINDOW_MS) {
      consumer.c.waited += 100;
      consumer.c.time += 100;
      continue;
    }
    consumer.c.waited = 0;
    const batch = visible.slice(0, 10);
    for (const m of batch) {
      m.receives++;
      maxReceives = Math.max(maxReceives, m.receives);
      m.visibleAt = consumer.c.time + LAUNCH_QUEUE_VISIBILITY_SECONDS * 1000;
    }
    clock.set(new Date(consumer.c.time).toISOString());
    const callsBefore = ecs.calls.length - ecs.throttled();
    const { batchItemFailures } = await launchBatch(
      consumer.deps,
      batch.map((m) => ({
        messageId: String(m.id),
        body: JSON.stringify({ v: 1, runId: m.runId, attempt: m.attempt }),
      })),
      (b) => launchMessage.parse(JSON.parse(b)),
    );
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of batch) {
      if (failed.has(String(m.id)) && m.receives < MAX_RECEIVES) continue; // visible again after the timeout
      queued.splice(queued.indexOf(m), 1);
      if (failed.has(String(m.id))) dlq.push(m);
    }
    consumer.c.time = Math.max(consumer.c.time + 1, clock.now().getTime());
    consumer.c.batches++;
    if (ecs.calls.length - ecs.throttled() > callsBefore) lastLaunchAt = clock.now().getTime();
  }
  const wallMs = performance.now() - wall0;

  let runs = 0;
  let starting = 0;
  let cursor: string | undefined;
  do {
    const page = await store.runsOfJob('thumbs', { limit: 1000, ...(cursor ? { cursor } : {}) });
    runs += page.runs.length;
    starting += page.runs.filter((r) => r.status === 'STARTING').length;
    cursor = page.cursor;
  } while (cursor);
  client.destroy();
  const ddbRequests = [...requests.values()].reduce((a, b) => a + b, 0);
  return {
    name,
    foreignPerSecond,
    deliveries: arrivals.length,
    runs,
    starting,
    runTaskCalls: ecs.calls.length,
    throttled: ecs.throttled(),
    tasks: new Set(ecs.tasks()).size,
    dlq: dlq.length,
    maxReceives,
    sqsSent: sent,
    batches: consumers.reduce((a, c) => a + c.c.batches, 0),
    drainSeconds: (lastLaunchAt - t0) / 1000,
    idealSeconds: Math.max(
      ARRIVAL_WINDOW_MS / 1000,
      UPLOADS / Math.min(RUN_TASK_CALLS_PER_SECOND, ECS_RATE - foreignPerSecond),
    ),
    ddbPerRun: ddbRequests / UPLOADS,
    ddbByCommand: Object.fromEntries([...requests.entries()].sort()),
    wallMs,
  };
};

/** Baseline: the same number of bare PutItem calls on the same engine (what one write costs here). */
const baseline = async (engine: LocalDynamo) => {
  const table = 'burst-baseline';
  await ensureRunsTable(engine.endpoint, table, { ttl: false }); // items dated by the fake clock
  const client = new DynamoDBClient({ ...localClientConfig(engine.endpoint), maxAttempts: 3 });
  const wall0 = performance.now();
  for (let i = 0; i < UPLOADS; i++)
    await client.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: `RUN#${i}` }, sk: { S: 'RUN' }, n: { N: String(i) } } }),
    );
  const wallMs = performance.now() - wall0;
  client.destroy();
  return wallMs;
};

const engine =
  process.env.LONGSHORE_TEST_DDB === 'dynalite' || !hasJava() ? await startDynalite() : await startDynamoDbLocal();
try {
  const putMs = await baseline(engine);
  const results = [await scenario(engine, 'quiet', 0), await scenario(engine, 'busy', FOREIGN)];
  console.log(`engine ${engine.engine}; ${UPLOADS} uploads in ${ARRIVAL_WINDOW_MS / 1000} s, 10% delivered twice`);
  console.log(
    `launcher: ${LAUNCHER_CONCURRENCY} consumers x ${RUN_TASK_CALLS_PER_SECOND / LAUNCHER_CONCURRENCY} RunTask/s; ECS bucket ${ECS_RATE}/s burst ${ECS_BURST}`,
  );
  for (const r of results) {
    console.log(`\n${r.name} account (other callers spend ${r.foreignPerSecond} RunTask calls/s)`);
    console.log(`  deliveries ${r.deliveries} -> runs ${r.runs}, STARTING ${r.starting}, tasks ${r.tasks}`);
    console.log(
      `  RunTask calls ${r.runTaskCalls} (throttled ${r.throttled}), dead-lettered ${r.dlq}, max receives ${r.maxReceives}`,
    );
    console.log(`  SQS messages sent ${r.sqsSent} in ${r.batches} launcher batches`);
    console.log(
      `  last launch at ${r.drainSeconds.toFixed(0)} s simulated; ideal (last upload, or all at the usable rate) ${r.idealSeconds.toFixed(0)} s; ratio ${(r.drainSeconds / r.idealSeconds).toFixed(2)}`,
    );
    console.log(`  DynamoDB requests per run ${r.ddbPerRun.toFixed(2)} ${JSON.stringify(r.ddbByCommand)}`);
    console.log(
      `  wall ${(r.wallMs / 1000).toFixed(1)} s = ${(r.wallMs / putMs).toFixed(1)}x a bare PutItem per upload (${(putMs / UPLOADS).toFixed(2)} ms)`,
    );
  }
  const ok = results.every(
    (r) =>
      r.runs === UPLOADS &&
      r.starting === UPLOADS &&
      r.tasks === UPLOADS &&
      r.dlq === 0 &&
      r.runTaskCalls - r.throttled === UPLOADS,
  );
  console.log(ok ? '\nEvery upload became one run and one task.' : '\nSOME UPLOADS WERE NOT LAUNCHED EXACTLY ONCE');
  process.exitCode = ok ? 0 : 1;
} finally {
  await engine.stop();
}
