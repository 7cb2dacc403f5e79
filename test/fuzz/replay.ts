/**
 * Replays one generated history (./history.ts) in a fresh world (./world.ts) on a fresh runs table
 * of the local DynamoDB engine: each step, then the invariants (./invariants.ts); then quiescence
 * (every event delivered, every message consumed, time run forward with the sweeper every 5
 * minutes until nothing is left to do) and the invariants at the end.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../lib/aws/dynamodb.ts';
import { scheduleArn } from '../../lib/domain/names.ts';
import { type Attempt, isFinal, type Run } from '../../lib/domain/run.ts';
import { identityOf, runIdFor } from '../../lib/domain/runId.ts';
import { encodeNotificationKey } from '../../lib/domain/s3Key.ts';
import { jobsForObject } from '../../lib/domain/s3Match.ts';
import { ensureRunsTable, localClientConfig } from '../../lib/local/dynamo.ts';
import { TEST_ACCOUNT, TEST_REGION } from '../helpers/environment.ts';
import { fuzzCatalog, OBJECT_KEYS, UPLOAD_BUCKET } from './catalog.ts';
import type { History, Step } from './history.ts';
import { InvariantChecker, scanTable } from './invariants.ts';
import { STAGE, World } from './world.ts';

export interface ReplayReport {
  violations: string[];
  /** The runs not final at the end (with their attempts), when there are any. */
  unfinished?: { run: Run; attempts: Attempt[] }[];
  stats: World['stats'] & {
    steps: number;
    runs: number;
    tasks: number;
    faults: number;
    faultsByKind: Record<string, number>;
    launchRefusals: number;
    invariantChecks: number;
    quiescentAfterHours: number;
  };
}

const ETAG = 'b1946ac92492d2347c6235b4d2611184';
const sequencerOf = (object: number, version: number) =>
  `0066${String(object).padStart(4, '0')}${String(version).padStart(4, '0')}`;
const TICK_BASE = Date.parse('2026-11-22T06:00:00.000Z');
/** No history runs longer than this on the world's clock (a launch may be throttled for 6 hours). */
const MAX_HOURS = 40;

const uploadEvent = (key: string, sequencer: string, shape: 'eventbridge' | 'classic') =>
  shape === 'eventbridge'
    ? {
        version: '0',
        id: `s3-${sequencer}`,
        'detail-type': 'Object Created',
        source: 'aws.s3',
        account: TEST_ACCOUNT,
        time: '2026-11-22T08:00:00Z',
        region: TEST_REGION,
        resources: [`arn:aws:s3:::${UPLOAD_BUCKET}`],
        detail: {
          version: '0',
          bucket: { name: UPLOAD_BUCKET },
          object: { key, size: 5, etag: ETAG, sequencer },
          'request-id': 'N4N7GDK58NMKJ12R',
          reason: 'PutObject',
        },
      }
    : {
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: TEST_REGION,
            eventTime: '2026-11-22T08:00:00.000Z',
            eventName: 'ObjectCreated:Put',
            s3: {
              s3SchemaVersion: '1.0',
              bucket: { name: UPLOAD_BUCKET, arn: `arn:aws:s3:::${UPLOAD_BUCKET}` },
              object: { key: encodeNotificationKey(key), size: 5, eTag: ETAG, sequencer },
            },
          },
        ],
      };

export const replay = async (h: History, endpoint: string, onWorld?: (w: World) => void): Promise<ReplayReport> => {
  const catalog = fuzzCatalog();
  const table = `fuzz-${randomUUID().slice(0, 8)}`;
  await ensureRunsTable(endpoint, table, { ttl: false });
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 3 });
  const doc = createDocumentClient(client);
  const world = new World({
    doc,
    table,
    catalog,
    seed: h.seed,
    faultRate: h.faultRate,
    dupRate: h.dupRate,
    crashes: new Map(h.crashes.map((c) => [c.invocation, { call: c.call, when: c.when }])),
    launchFates: h.launchFates,
    taskFates: h.taskFates,
  });
  onWorld?.(world);
  const checker = new InvariantChecker(world, doc, table, catalog);
  const expected = new Set<string>();
  try {
    for (const [i, step] of h.steps.entries()) {
      await applyStep(world, step, expected, doc, table);
      await checker.afterStep(`step ${i + 1} (${describe(step)})`);
      if (checker.violations.length > 0) break;
    }
    if (checker.violations.length === 0) await quiesce(world, checker);
    for (const a of world.controlAnswers) {
      const answer = a.answer as { ok: boolean; runId?: string; created?: boolean };
      if (answer.ok && answer.runId && a.label.startsWith('run:')) expected.add(answer.runId);
    }
    if (checker.violations.length === 0) await checker.atEnd(expected);
  } finally {
    client.destroy();
  }
  const snap = await scanTable(doc, table).catch(() => undefined);
  // The runs left unfinished, with their attempts: what a failing history's reader needs first.
  const unfinished = [...(snap?.runs.values() ?? [])]
    .filter((r) => !isFinal(r.status))
    .map((run) => ({ run, attempts: snap?.attempts.get(run.runId) ?? [] }));
  return {
    violations: checker.violations,
    ...(unfinished.length > 0 ? { unfinished } : {}),
    stats: {
      ...world.stats,
      steps: h.steps.length,
      runs: snap?.runs.size ?? 0,
      tasks: world.ecs.tasks.size,
      faults: world.faults.counts.injected,
      faultsByKind: world.faults.counts.byKind,
      launchRefusals: world.ecs.stats.failures + world.ecs.stats.exceptions,
      invariantChecks: checker.counts.checks,
      quiescentAfterHours: Math.round((world.now - Date.parse('2026-11-22T08:00:00.000Z')) / 360_000) / 10,
    },
  };
};

export const describe = (s: Step): string => {
  switch (s.kind) {
    case 'upload':
      return `upload ${OBJECT_KEYS[s.object]} v${s.version} x${s.copies} (${s.shape})`;
    case 'tick':
      return `tick ${s.job} +${s.hour}h x${s.copies}`;
    case 'trigger':
      return `trigger ${s.job} token ${s.token} x${s.copies}${s.env ? ' env' : ''}${s.size ? ' size' : ''}`;
    case 'cancel':
      return `cancel run #${s.run}`;
    case 'retry':
      return `retry run #${s.run}`;
    case 'deliver':
      return `deliver ${s.count}${s.concurrent ? ' concurrently' : ''}`;
    case 'advance':
      return `advance ${s.seconds}s`;
    case 'sweep':
      return `sweep${s.concurrent ? ' x2 concurrently' : ''}`;
    case 'pause':
      return `pause ${s.job}${s.skip ? ' --skip' : ''}`;
    case 'resume':
      return `resume ${s.job}`;
  }
};

const runsByAge = async (doc: Parameters<typeof scanTable>[0], table: string) =>
  [...(await scanTable(doc, table)).runs.values()].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.runId.localeCompare(b.runId),
  );

const applyStep = async (
  world: World,
  step: Step,
  expected: Set<string>,
  doc: Parameters<typeof scanTable>[0],
  table: string,
): Promise<void> => {
  const catalog = world.opts.catalog;
  switch (step.kind) {
    case 'upload': {
      const key = OBJECT_KEYS[step.object] as string;
      const sequencer = sequencerOf(step.object, step.version);
      for (const job of jobsForObject(catalog, UPLOAD_BUCKET, key))
        expected.add(runIdFor(job.name, identityOf({ type: 's3', bucket: UPLOAD_BUCKET, key, sequencer, etag: ETAG })));
      world.deliverLater('onUpload', uploadEvent(key, sequencer, step.shape), step.copies);
      return;
    }
    case 'tick': {
      const arn = scheduleArn('aws', TEST_REGION, TEST_ACCOUNT, STAGE, step.job, 0);
      const scheduledTime = new Date(TICK_BASE + step.hour * 3600_000).toISOString();
      expected.add(runIdFor(step.job, { type: 'schedule', schedule: arn, scheduledTime }));
      world.deliverLater(
        'onSchedule',
        { longshore: 'schedule', job: step.job, trigger: 0, scheduleArn: arn, scheduledTime },
        step.copies,
      );
      return;
    }
    case 'trigger': {
      const overrides = {
        ...(step.env ? { environment: { MODE: 'fast' } } : {}),
        ...(step.size ? { cpu: 1024, memory: 4096 } : {}),
      };
      world.deliverLater(
        'control',
        {
          action: 'trigger',
          job: step.job,
          clientToken: `tok-${step.job}-${step.token}`,
          ...(Object.keys(overrides).length ? { overrides } : {}),
          requestedBy: 'fuzz',
        },
        step.copies,
        `run:trigger ${step.job} ${step.token}`,
      );
      return;
    }
    case 'cancel':
    case 'retry': {
      const runs = await runsByAge(doc, table);
      const run = runs[step.run % Math.max(1, runs.length)];
      if (!run) return;
      world.deliverLater(
        'control',
        step.kind === 'cancel'
          ? { action: 'cancel', runId: run.runId, reason: 'fuzz cancel', requestedBy: 'fuzz' }
          : { action: 'retry', runId: run.runId, clientToken: `retry-${step.token}`, requestedBy: 'fuzz' },
        1,
        step.kind === 'cancel' ? `cancel ${run.runId}` : `run:retry ${run.runId}`,
      );
      return;
    }
    case 'pause':
      world.deliverLater(
        'control',
        { action: 'pause', job: step.job, mode: step.skip ? 'skip' : 'hold', requestedBy: 'fuzz' },
        1,
        `pause ${step.job}`,
      );
      return;
    case 'resume':
      world.deliverLater('control', { action: 'resume', job: step.job, requestedBy: 'fuzz' }, 1, `resume ${step.job}`);
      return;
    case 'deliver':
      for (let i = 0; i < step.count; i++) {
        if (step.concurrent && world.due().length >= 2) await world.deliverConcurrently(2);
        else if (world.due().length > 0 && (i % 2 === 0 || !(await world.pollQueue()))) {
          const d = world.takeDue();
          if (d) await world.deliver(d);
        } else await world.pollQueue();
      }
      return;
    case 'advance':
      world.advance(step.seconds);
      world.sweepIfDue();
      return;
    case 'sweep':
      world.deliverLater('sweeper', sweepEvent(world.now), step.concurrent ? 2 : 1);
      if (step.concurrent) await world.deliverConcurrently(2);
      else {
        const d = world.due().find((x) => x.fn === 'sweeper');
        if (d) {
          world.pool.splice(world.pool.indexOf(d), 1);
          await world.deliver(d);
        }
      }
      return;
  }
};

const sweepEvent = (now: number) => ({
  version: '0',
  id: `sweep-manual-${now}`,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: TEST_ACCOUNT,
  time: new Date(now).toISOString(),
  region: TEST_REGION,
  resources: [`arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:rule/longshore-${STAGE}-sweeper`],
  detail: {},
});

/** Delivers, consumes and sweeps until nothing is left to happen and every run is final. */
const quiesce = async (world: World, checker: InvariantChecker): Promise<void> => {
  const start = world.now;
  for (let round = 0; ; round++) {
    let worked = 0;
    for (;;) {
      const d = world.takeDue();
      if (d) {
        await world.deliver(d);
        worked++;
        continue;
      }
      if (await world.pollQueue()) {
        worked++;
        continue;
      }
      break;
    }
    if (worked > 0) await checker.afterStep(`quiescence round ${round}`);
    if (checker.violations.length > 0) return;
    const snap = await scanTable(world.opts.doc, world.opts.table);
    const allFinal = [...snap.runs.values()].every((r) =>
      ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED'].includes(r.status),
    );
    if (allFinal && !world.hasPendingWork() && world.ecs.running().length === 0) return;
    // Runs held by a paused job wait for its resume, as an operator would give it: once per job.
    for (const job of new Set([...snap.runs.values()].filter((r) => r.status === 'PAUSED').map((r) => r.job)))
      if (!world.pool.some((d) => d.label === `resume ${job}`))
        world.deliverLater('control', { action: 'resume', job, requestedBy: 'fuzz' }, 1, `resume ${job}`);
    if (world.now - start > MAX_HOURS * 3600_000) return;
    const wake = world.nextWakeUp();
    // At most 5 minutes at a time, so the sweeper runs as its rule would.
    world.advanceTo(Math.min(wake !== undefined && wake > world.now ? wake : world.now + 300_000, world.now + 300_000));
    world.sweepIfDue();
  }
};
