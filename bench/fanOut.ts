/**
 * Fan-out (issue 14): one parent of N children (10,000 in the standard run), through the real use
 * cases over DynamoDB Local: the parent's launch messages expand it (steps of 100 children), every
 * child is launched through the launcher's path (slot-free job), paced by the launcher's own
 * adaptive limiter at the account's RunTask rate on a virtual clock (20 calls/s), then every child
 * ends and its final event is counted on the parent (onRunFinished's path), which succeeds.
 *
 * Figures: the virtual time from the parent's first message to the last RunTask against the ideal
 * N / 20 s (DynamoDB requests take no virtual time here: the figure is about pacing, the wall time
 * is DynamoDB Local's), and DynamoDB requests per child, by operation, for creation and launch, and
 * for the tally. Checks: N children, each launched by exactly one RunTask, indices 0..N-1 once each,
 * the parent SUCCEEDED with N SUCCEEDED children and one Run Succeeded event id.
 *
 *   node bench/fanOut.ts [children]     on its own (starts DynamoDB Local)
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { acceptAfterRun } from '../lib/acceptAfterRun.ts';
import { acceptRuns } from '../lib/acceptRuns.ts';
import { createDocumentClient } from '../lib/aws/dynamodb.ts';
import { buildRunStore } from '../lib/aws/runStore.ts';
import { validateCatalog } from '../lib/catalog/validate.ts';
import { launchMessage } from '../lib/contracts/launch.ts';
import { parseFinishedRunEvent } from '../lib/contracts/runEvents.ts';
import { childRunId } from '../lib/domain/fanOut.ts';
import { createAdaptiveRateLimiter } from '../lib/domain/rateLimiter.ts';
import type { Run } from '../lib/domain/run.ts';
import type { RunEvent } from '../lib/domain/runEvents.ts';
import type { RunTaskRequest } from '../lib/domain/taskRequest.ts';
import { launchBatch } from '../lib/launchBatch.ts';
import { ensureRunsTable, type LocalDynamo, localClientConfig } from '../lib/local/dynamo.ts';
import type { LaunchDeps, LaunchEnqueue, StopDeps } from '../lib/ports.ts';
import { finishRun } from '../lib/runLifecycle.ts';
import { tallyChild } from '../lib/tallyChild.ts';
import { fakeTaskDefinitions } from '../test/helpers/fakes.ts';
import { round } from './stats.ts';
import type { Check } from './warm.ts';

/** ECS's documented RunTask rate on Fargate (calls per second): the launchers' top rate together. */
const RUN_TASK_RATE = 20;

export interface FanOutBenchResult {
  children: number;
  virtualSecondsToLastLaunch: number;
  idealSeconds: number;
  ratioToIdeal: number;
  runTaskCalls: number;
  duplicateTasks: number;
  dynamodbPerChild: { createAndLaunch: number; tally: number; byOp: Record<string, number> };
  launchMessagesPerChild: number;
  wallSeconds: number;
  checks: Check[];
}

const catalogOf = (children: number) =>
  validateCatalog({
    networks: { default: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'] } },
    jobs: [
      {
        name: 'spread',
        container: { image: 'public.ecr.aws/acme/spread:1.0.0' },
        size: { cpu: 256, memory: 512 },
        triggers: [{ type: 'manual' }],
        fanOut: { items: { count: children } },
      },
    ],
  });

export const fanOutBench = async (opts: { ddb: LocalDynamo; children: number }): Promise<FanOutBenchResult> => {
  const started = performance.now();
  const { children } = opts;
  const table = `fanout-${randomUUID().slice(0, 8)}`;
  await ensureRunsTable(opts.ddb.endpoint, table, { ttl: false });
  const client = new DynamoDBClient({ ...localClientConfig(opts.ddb.endpoint), maxAttempts: 5 });
  const requests: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName ?? '?').replace(/Command$/, '');
      requests[op] = (requests[op] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const store = buildRunStore(createDocumentClient(client), table);
  const catalog = catalogOf(children);

  let virtualMs = Date.parse('2026-12-02T10:00:00.000Z');
  const now = () => new Date(virtualMs);
  const limiter = createAdaptiveRateLimiter({
    maxPerSecond: RUN_TASK_RATE,
    burst: RUN_TASK_RATE / 2,
    minPerSecond: 0.5,
    increasePerSecond: 0.1,
    decreaseFactor: 0.7,
    reactionMs: 300,
    now: () => virtualMs,
    sleep: async (ms) => {
      virtualMs += ms;
    },
  });
  const sent: LaunchEnqueue[] = [];
  let launchMessages = 0;
  const published: RunEvent[] = [];
  const calls: RunTaskRequest[] = [];
  const tasks = new Map<string, string>();
  let lastLaunchMs = virtualMs;
  const ecs: LaunchDeps['ecs'] = {
    runTask: async (request) => {
      calls.push(request);
      lastLaunchMs = virtualMs;
      const known = tasks.get(request.clientToken);
      if (known) return { taskArn: known, adopted: true };
      const taskArn = `arn:aws:ecs:eu-west-1:111122223333:task/longshore-bench/${tasks.size.toString(16).padStart(32, '0')}`;
      tasks.set(request.clientToken, taskArn);
      return { taskArn, adopted: false };
    },
    tasksStartedBy: async () => [],
    stopTask: async () => undefined,
  };
  const core = {
    settings: { stage: 'bench', clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-bench' },
    store,
    queue: {
      enqueue: async (messages: LaunchEnqueue[]) => {
        launchMessages += messages.length;
        sent.push(...messages);
      },
    },
    events: { publish: async (events: RunEvent[]) => void published.push(...events) },
    catalog: () => catalog,
    now,
    metrics: { fault: () => undefined, record: () => undefined },
  } as unknown as StopDeps;
  const launch: LaunchDeps = {
    ...core,
    ecs,
    // No run here asks for another image: the launcher never reads a task definition.
    taskDefinitions: fakeTaskDefinitions(),
    networks: {
      default: {
        subnets: ['subnet-0a1b2c3d4e5f60718'],
        securityGroups: ['sg-0123456789abcdef0'],
        assignPublicIp: false,
      },
    },
    pace: limiter.acquire,
    random: () => 0.5,
  };

  // Create and launch: the parent's message, then every message the queue gets, 10 a batch.
  const job = catalog.jobs[0] as (typeof catalog.jobs)[number];
  const startMs = virtualMs;
  const [accepted] = await acceptRuns(launch, [{ job, trigger: { type: 'manual', token: 'bench' } }]);
  const parentId = accepted?.runId ?? '';
  // Two launcher instances (LAUNCHER_CONCURRENCY), each taking batches of 10 as SQS gives them.
  const instance = async (): Promise<void> => {
    while (sent.length > 0) {
      const batch = sent.splice(0, 10);
      await launchBatch(
        launch,
        batch.map((m, i) => ({ messageId: `m${i}`, body: JSON.stringify({ v: 1, ...m }) })),
        (body) => launchMessage.parse(JSON.parse(body)),
      );
    }
  };
  while (sent.length > 0) await Promise.all([instance(), instance()]);
  const virtualSeconds = (lastLaunchMs - startMs) / 1000;
  const createAndLaunch = Object.values(requests).reduce((a, b) => a + b, 0);
  const byOpLaunch = { ...requests };

  // Every child ends; its final event is counted on the parent.
  for (const k of Object.keys(requests)) requests[k] = 0;
  for (let i = 0; i < children; i += 100) {
    const ids = Array.from({ length: Math.min(100, children - i) }, (_, k) => childRunId('spread', parentId, i + k));
    for (const child of await store.getRuns(ids)) {
      const ended = await finishRun(core, child, { to: 'SUCCEEDED', from: ['STARTING', 'RUNNING'], releaseSlot: true });
      const event = published.findLast((e) => e.detail.runId === ended.runId && e.type === 'Run Succeeded');
      if (!event) continue;
      await acceptAfterRun(
        core,
        parseFinishedRunEvent({ version: '0', source: 'longshore', 'detail-type': event.type, detail: event.detail }),
        (c: Run) => tallyChild(core, c),
      );
    }
  }
  const tally = Object.values(requests).reduce((a, b) => a + b, 0);
  const byOp: Record<string, number> = {};
  for (const [op, n] of Object.entries(byOpLaunch)) byOp[op] = round(n / children, 3);
  for (const [op, n] of Object.entries(requests)) byOp[`tally:${op}`] = round(n / children, 3);

  const parent = await store.getRun(parentId);
  const childRuns: Run[] = [];
  for (let i = 0; i < children; i += 100)
    childRuns.push(
      ...(await store.getRuns(
        Array.from({ length: Math.min(100, children - i) }, (_, k) => childRunId('spread', parentId, i + k)),
      )),
    );
  const indices = new Set(childRuns.map((c) => c.parent?.index));
  const startedBy = new Set(calls.map((c) => c.startedBy));
  const parentEvents = new Set(
    published.filter((e) => e.detail.runId === parentId && e.type === 'Run Succeeded').map((e) => e.detail.eventId),
  );
  client.destroy();
  const ideal = children / RUN_TASK_RATE;
  const checks: Check[] = [
    {
      name: `fan-out: ${children} children exist, indices 0..${children - 1} once each`,
      ok: childRuns.length === children && indices.size === children,
    },
    {
      name: 'fan-out: every child launched by exactly one RunTask, the parent by none',
      ok: calls.length === children && startedBy.size === children && ![...startedBy].some((s) => s.includes(parentId)),
      detail: `${calls.length} RunTask calls for ${startedBy.size} children`,
    },
    {
      name: 'fan-out: the parent SUCCEEDED with every child counted once, one Run Succeeded',
      ok:
        parent?.status === 'SUCCEEDED' &&
        parent.childCounts?.SUCCEEDED === children &&
        Object.keys(parent.childCounts ?? {}).length === 1 &&
        parentEvents.size === 1,
      detail: `${parent?.status} ${JSON.stringify(parent?.childCounts)}`,
    },
  ];
  return {
    children,
    virtualSecondsToLastLaunch: round(virtualSeconds, 1),
    idealSeconds: ideal,
    ratioToIdeal: round(virtualSeconds / ideal, 3),
    runTaskCalls: calls.length,
    duplicateTasks: calls.length - startedBy.size,
    dynamodbPerChild: {
      createAndLaunch: round(createAndLaunch / children, 2),
      tally: round(tally / children, 2),
      byOp,
    },
    launchMessagesPerChild: round(launchMessages / children, 3),
    wallSeconds: round((performance.now() - started) / 1000, 1),
    checks,
  };
};

// On its own: `node bench/fanOut.ts [children]`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const children = Number(process.argv[2] ?? 10_000);
  const { startBenchDynamo } = await import('./production.ts');
  const ddb = await startBenchDynamo();
  try {
    const result = await fanOutBench({ ddb, children });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.exitCode = result.checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    await ddb.stop();
  }
}
