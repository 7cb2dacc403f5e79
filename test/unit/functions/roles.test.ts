/**
 * Each function's DynamoDB grants against what its handler really sends. Every handler runs its
 * representative events (the sample events of events/, as the handler tests use them) with the AWS
 * clients mocked; the test records each table request and each run store method reached, and
 * fails when a request is not granted to the function's role in the template, when a grant is used
 * by no event, or when a store method is reached that the function's config does not declare.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as alert } from '../../../functions/alert/handler.ts';
import { handler as control } from '../../../functions/control/handler.ts';
import { functions } from '../../../functions/index.ts';
import { handler as launcher } from '../../../functions/launcher/handler.ts';
import { handler as onEvent } from '../../../functions/onEvent/handler.ts';
import { buildHandler as onMessageHandler } from '../../../functions/onMessage/handler.ts';
import { handler as onRunFinished } from '../../../functions/onRunFinished/handler.ts';
import { handler as onSchedule } from '../../../functions/onSchedule/handler.ts';
import { handler as onTaskStateChange } from '../../../functions/onTaskStateChange/handler.ts';
import { handler as onUpload } from '../../../functions/onUpload/handler.ts';
import { handler as sweeper } from '../../../functions/sweeper/handler.ts';
import rawCatalog from '../../../jobs.ts';
import { useCatalog } from '../../../lib/catalog/active.ts';
import { validateCatalog } from '../../../lib/catalog/validate.ts';
import { parseQueues } from '../../../lib/config.ts';
import { childRunId } from '../../../lib/domain/fanOut.ts';
import type { CfnResource } from '../../../lib/infra/cfn.ts';
import { PROTECTED_STAGES } from '../../../lib/infra/context.ts';
import { functionRoleLogicalId } from '../../../lib/infra/ids.ts';
import { buildService } from '../../../lib/infra/service.ts';
import { coreDeps } from '../../../lib/wiring.ts';
import { freezeClock } from '../../helpers/clock.ts';
import { loadEvent, taskEvent } from '../../helpers/events.ts';
import { attemptItem, runItem } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';
import { grantedTableAccess, tableAccessOf } from '../../helpers/tableAccess.ts';
import { iamStatements } from '../../helpers/template.ts';

/** Store methods the handlers call, in the order they call them (reset before each event). */
const reached = vi.hoisted(() => [] as string[]);

vi.mock('../../../lib/aws/runStore.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../lib/aws/runStore.ts')>();
  return {
    ...actual,
    buildRunStore: (...args: Parameters<typeof actual.buildRunStore>) => {
      const store = actual.buildRunStore(...args);
      return Object.fromEntries(
        Object.entries(store).map(([name, fn]) => [
          name,
          (...a: unknown[]) => {
            reached.push(name);
            return (fn as (...x: unknown[]) => unknown)(...a);
          },
        ]),
      ) as unknown as typeof store;
    },
  };
});

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const eb = mockClient(EventBridgeClient);
const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
// The alert quotes the deciding container's last log lines (its grant is checked in serverless.test.ts).
const cwl = mockClient(CloudWatchLogsClient);
// jobs pause / resume disable and enable the job's schedules (the grant is checked in serverless.test.ts).
const scheduler = mockClient(SchedulerClient);

const conditionFailed = () =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/longshore-test/e5f7a9b1c3d5468013579bdf2468ace0';

/** The catalog of jobs.ts with one job's schedule trigger changed (e.g. overlap: 'replace'). */
const withSchedule = (job: string, patch: Record<string, unknown>) =>
  validateCatalog({
    ...rawCatalog,
    jobs: rawCatalog.jobs.map((j) =>
      j.name === job ? { ...j, triggers: j.triggers.map((t) => (t.type === 'schedule' ? { ...t, ...patch } : t)) } : j,
    ),
  });

/** The catalog of jobs.ts with thumbnails' first s3 trigger batching (one object a batch: each upload fills one). */
const withBatch = () =>
  validateCatalog({
    ...rawCatalog,
    jobs: rawCatalog.jobs.map((j) =>
      j.name === 'thumbnails'
        ? {
            ...j,
            triggers: j.triggers.map((t, i) => (i === 0 ? { ...t, batch: { maxObjects: 1, window: '10m' } } : t)),
          }
        : j,
    ),
  });
const openBatch = { pk: 'BATCHES#thumbnails#0', sk: 'BATCH#0000000001', job: 'thumbnails', triggerIndex: 0, seq: 1 };
const batchedSlot = {
  pk: 'BATCH#thumbnails#0#1',
  sk: 'SLOT#00001',
  slot: 1,
  objectId: 'thumbnails-aaaaaaaaaaaaaaaaaaaa',
  bucket: 'acme-media-uploads',
  key: 'uploads/2026/11/cat on sofa.jpg',
};

interface Scenario {
  name: string;
  invoke: () => Promise<unknown>;
  /** Table answers beyond the defaults (Get finds nothing, writes succeed, queries are empty). */
  prepare?: () => void;
  catalog?: ReturnType<typeof validateCatalog>;
}

const ctx = (fn: string): Context => lambdaContext(`longshore-test-${fn}`);

// -- Representative events per function ---------------------------------------------------------

const upload = loadEvent('s3-object-created');
/** The sample queue batch's first message (the second is not JSON: a batch item failure, no table call). */
const firstMessage = () => {
  const batch = loadEvent<{ Records: unknown[] }>('orders-resend-queue');
  return { Records: batch.Records.slice(0, 1) };
};
const resendQueue = () =>
  parseQueues(
    'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:acme-orders-resend=arn:aws:sqs:eu-west-1:123456789012:acme-orders-resend',
  );
const eventTrigger = { triggerIndex: 0, identity: ['o-20261122-0042'], environment: {} };
const queuedOrder = runItem('order-fulfilment', {
  type: 'event',
  ...eventTrigger,
  eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  source: 'acme.shop',
  detailType: 'Order Placed',
});
const resentOrder = runItem('order-fulfilment', {
  type: 'sqs',
  triggerIndex: 1,
  identity: ['o-20261122-0043'],
  environment: {},
  messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
  queue: 'arn:aws:sqs:eu-west-1:123456789012:acme-orders-resend',
});

const queuedUpload = runItem('thumbnails', {
  type: 's3',
  bucket: 'acme-media-uploads',
  key: 'uploads/2026/11/cat on sofa.jpg',
  sequencer: '00673FA1B2C3D4E5F6',
});

const tick = {
  ...loadEvent('schedule-scheduler-input'),
  scheduleArn: 'arn:aws:scheduler:eu-west-1:111122223333:schedule/longshore-test/longshore-test-nightly-report-cron0',
  scheduledTime: '2026-11-22T01:00:00Z',
};
const activeReport = runItem(
  'nightly-report',
  { type: 'schedule', schedule: tick.scheduleArn, scheduledTime: '2026-11-21T01:00:00.000Z', triggerIndex: 0 },
  { slot: 0 },
);

const csvRunId = 'csv-ingest-aaaaaaaaaaaaaaaaaaaa';
const csvRun = (patch: Parameters<typeof runItem>[2]) =>
  runItem('csv-ingest', { type: 'manual', token: 'x' }, { runId: csvRunId, ...patch });

const launch = (() => {
  const run = runItem('thumbnails', {
    type: 's3',
    bucket: 'acme-media-uploads',
    key: 'uploads/cat.jpg',
    sequencer: '00A1',
  });
  const e = loadEvent<{ Records: { messageId: string; body: string }[] }>('launch-queue');
  e.Records = [
    {
      ...(e.Records[0] as { messageId: string; body: string }),
      body: JSON.stringify({ v: 1, runId: run.runId, attempt: 1 }),
    },
  ];
  return { run, event: e };
})();
const launchMocks = (secondRunUpdate: Record<string, unknown>) => {
  const { run } = launch;
  ddb.on(GetCommand, { Key: { pk: run.pk, sk: 'RUN' } }).resolves({ Item: run });
  ddb
    .on(UpdateCommand, { Key: { pk: run.pk, sk: 'RUN' } })
    .resolvesOnce({ Attributes: { ...run, slot: 7 } })
    .resolvesOnce({ Attributes: { ...run, slot: 7, ...secondRunUpdate } })
    .resolves({});
  ddb
    .on(UpdateCommand, { Key: { pk: run.pk, sk: 'ATTEMPT#0001' } })
    .resolvesOnce({ Attributes: attemptItem(run) })
    .resolves({});
};

const tracked = runItem(
  'thumbnails',
  { type: 's3', bucket: 'acme-media-uploads', key: 'uploads/cat.jpg', sequencer: '00A1' },
  { status: 'STARTING', taskArn: TASK, slot: 4 },
);

const hourly = runItem(
  'nightly-report',
  { type: 'schedule', schedule: 'arn:s', scheduledTime: '2026-11-22T06:00:00.000Z', triggerIndex: 0 },
  { status: 'SUCCEEDED', createdAt: '2026-11-22T06:00:01.000Z' },
);

/**
 * Runs the index queries of a scenario find: the indexes project keys only, so a query answers their
 * keys and BatchGetItem the items (the default BatchGetItem mock answers from here).
 */
const rows = new Map<string, object>();
const inIndex = <T extends { pk: string; sk: string }>(...items: T[]) => {
  for (const i of items) rows.set(`${i.pk}|${i.sk}`, i);
  return { Items: items.map((i) => ({ pk: i.pk, sk: i.sk })) };
};
/** A run of the job waiting for a slot, which the slot a scenario frees sends to the launcher. */
const waitingRun = (job: string) => runItem(job, { type: 'manual', token: `waiting-${job}` }, { waitingForSlot: true });
const queuedOf = (job: string) => ({
  IndexName: 'active',
  ExpressionAttributeValues: { ':pk': `ACTIVE#${job}`, ':sk': 'QUEUED#' },
});

const runFailed = loadEvent<{ detail: Record<string, unknown> }>('run-failed');

const SCENARIOS: Record<string, Scenario[]> = {
  alert: [
    {
      name: 'a final failure: the alert marker is taken, the topic published to, the marker closed',
      prepare: () => ddb.on(UpdateCommand).resolves({ Attributes: { status: 'sending' } }),
      invoke: () => alert(runFailed, ctx('alert')),
    },
    {
      name: 'a duplicate of an alert sent already, on an engine that returns no item with a failed condition',
      prepare: () => {
        ddb.on(UpdateCommand).rejects(conditionFailed());
        ddb.on(GetCommand).resolves({ Item: { status: 'sent', sent: new Set(['sns']) } });
      },
      invoke: () => alert(runFailed, ctx('alert')),
    },
  ],
  onUpload: [
    { name: 'an upload of a new object', invoke: () => onUpload(upload, ctx('onUpload')) },
    {
      name: 'an upload that fills its batch: slot, assignment, the batch checked and sealed, its run created',
      catalog: withBatch(),
      prepare: () => {
        const at = { slots: 1, bytes: 0, openedAt: '2026-11-22T09:00:00.000Z' };
        ddb
          .on(UpdateCommand, { Key: { pk: openBatch.pk, sk: openBatch.sk } })
          .resolves({ Attributes: { ...openBatch, ...at } });
        ddb.on(GetCommand, { Key: { pk: openBatch.pk, sk: openBatch.sk } }).resolves({ Item: { ...openBatch, ...at } });
        rows.set(`${batchedSlot.pk}|${batchedSlot.sk}`, batchedSlot);
      },
      invoke: () => onUpload(upload, ctx('onUpload')),
    },
    {
      name: 'a duplicate delivery on an engine that returns no item with a failed condition',
      prepare: () => {
        ddb.on(PutCommand).rejects(conditionFailed());
        ddb.on(GetCommand).resolves({ Item: queuedUpload });
      },
      invoke: () => onUpload(upload, ctx('onUpload')),
    },
  ],
  onSchedule: [
    {
      name: 'a tick while a run is active and overlap is forbidden (a SKIPPED run)',
      prepare: () => ddb.on(QueryCommand).resolves(inIndex({ ...activeReport, status: 'RUNNING', taskArn: TASK })),
      invoke: () => onSchedule(tick, ctx('onSchedule')),
    },
    {
      name: 'a tick that replaces the active run (overlap replace): cancelled, its slot freed',
      catalog: withSchedule('nightly-report', { overlap: 'replace' }),
      prepare: () => {
        ddb
          .on(QueryCommand, { IndexName: 'active', ExpressionAttributeValues: { ':pk': 'ACTIVE#nightly-report' } })
          .resolves(inIndex(activeReport));
        // A run waits for the slot the cancel frees, so the dispatch reads the slots.
        ddb.on(QueryCommand, queuedOf('nightly-report')).resolves(inIndex(waitingRun('nightly-report')));
        ddb.on(GetCommand, { Key: { pk: activeReport.pk, sk: 'RUN' } }).resolves({ Item: activeReport });
        ddb
          .on(UpdateCommand, { Key: { pk: activeReport.pk, sk: 'RUN' }, ReturnValues: 'ALL_NEW' })
          .resolves({ Attributes: { ...activeReport, status: 'CANCELLED' } });
      },
      invoke: () => onSchedule(tick, ctx('onSchedule')),
    },
  ],
  control: [
    { name: 'a manual trigger', invoke: () => control(loadEvent('control-trigger'), ctx('control')) },
    {
      name: 'a retry of a failed run',
      prepare: () => ddb.on(GetCommand).resolves({ Item: csvRun({ status: 'FAILED' }) }),
      invoke: () => control(loadEvent('control-retry'), ctx('control')),
    },
    {
      name: 'a cancel of a queued run holding a slot',
      prepare: () => {
        const queued = csvRun({ slot: 2 });
        ddb.on(GetCommand, { Key: { pk: queued.pk, sk: 'RUN' } }).resolves({ Item: queued });
        ddb.on(QueryCommand, queuedOf('csv-ingest')).resolves(inIndex(waitingRun('csv-ingest')));
        ddb.on(UpdateCommand, { ReturnValues: 'ALL_NEW' }).resolves({ Attributes: { ...queued, status: 'CANCELLED' } });
      },
      invoke: () => control(loadEvent('control-cancel'), ctx('control')),
    },
    {
      name: 'a pause of a scheduled job: its state written, its schedule disabled',
      prepare: () =>
        ddb.on(UpdateCommand).resolves({
          Attributes: { job: 'nightly-report', paused: true, mode: 'hold', pausedAt: '2026-11-22T09:00:00.000Z' },
        }),
      invoke: () => control({ action: 'pause', job: 'nightly-report', requestedBy: 'ops' }, ctx('control')),
    },
    {
      name: 'a resume: the state read and written, a PAUSED run released and dispatched',
      prepare: () => {
        const held = csvRun({ status: 'PAUSED' });
        const state = { job: 'csv-ingest', paused: true, mode: 'hold', pausedAt: '2026-11-22T09:00:00.000Z' };
        ddb.on(GetCommand, { Key: { pk: 'JOBSTATE#csv-ingest', sk: 'STATE' } }).resolves({ Item: state });
        ddb.on(UpdateCommand, { Key: { pk: 'JOBSTATE#csv-ingest', sk: 'STATE' } }).resolves({
          Attributes: { ...state, paused: false, resumedAt: '2026-11-22T10:00:00.000Z' },
        });
        ddb
          .on(QueryCommand, {
            IndexName: 'active',
            ExpressionAttributeValues: { ':pk': 'ACTIVE#csv-ingest', ':sk': 'PAUSED#' },
          })
          .resolves(inIndex(held));
        ddb
          .on(UpdateCommand, { Key: { pk: held.pk, sk: 'RUN' } })
          .resolves({ Attributes: { ...held, status: 'QUEUED', waitingForSlot: true } });
      },
      invoke: () => control({ action: 'resume', job: 'csv-ingest' }, ctx('control')),
    },
  ],
  launcher: [
    {
      name: 'a launch that takes a slot and starts the task',
      prepare: () => {
        launchMocks({ status: 'STARTING', taskArn: TASK });
        ddb
          .on(GetCommand, { Key: { pk: launch.run.pk, sk: 'ATTEMPT#0001' } })
          .resolves({ Item: attemptItem(launch.run, { status: 'STARTING', taskArn: TASK }) });
        ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }], failures: [] });
      },
      invoke: () => launcher(launch.event, ctx('launcher')),
    },
    {
      name: 'a launch RunTask refuses for good: the run fails and frees its slot',
      prepare: () => {
        launchMocks({ status: 'FAILED' });
        ddb.on(QueryCommand, queuedOf('thumbnails')).resolves(inIndex(waitingRun('thumbnails')));
        ddb.on(GetCommand, { Key: { pk: launch.run.pk, sk: 'ATTEMPT#0001' } }).resolves({
          Item: attemptItem(launch.run, {
            status: 'LAUNCH_FAILED',
            launchFailure: 'InvalidParameterException: Task definition does not support launch type',
          }),
        });
        ecs.on(RunTaskCommand).rejects(
          Object.assign(new Error('Task definition does not support launch type'), {
            name: 'InvalidParameterException',
          }),
        );
      },
      invoke: () => launcher(launch.event, ctx('launcher')),
    },
  ],
  onTaskStateChange: [
    {
      name: 'a RUNNING event',
      prepare: () => {
        ddb.on(GetCommand, { Key: { pk: tracked.pk, sk: 'RUN' } }).resolves({ Item: tracked });
        ddb
          .on(UpdateCommand, { Key: { pk: tracked.pk, sk: 'ATTEMPT#0001' } })
          .resolves({ Attributes: attemptItem(tracked, { status: 'RUNNING', taskVersion: 3 }) });
      },
      invoke: () =>
        onTaskStateChange(
          taskEvent('ecs-task-running', { runId: tracked.runId, attempt: 1, taskArn: TASK }),
          ctx('onTaskStateChange'),
        ),
    },
    {
      name: 'a STOPPED event with exit 0: the run succeeds and frees its slot',
      prepare: () => {
        ddb.on(GetCommand, { Key: { pk: tracked.pk, sk: 'RUN' } }).resolves({ Item: tracked });
        ddb.on(UpdateCommand, { Key: { pk: tracked.pk, sk: 'ATTEMPT#0001' } }).resolves({
          Attributes: attemptItem(tracked, {
            status: 'STOPPED',
            taskVersion: 5,
            containers: [{ name: 'main', exitCode: 0, essential: true }],
            stopCode: 'EssentialContainerExited',
          }),
        });
        ddb
          .on(UpdateCommand, { Key: { pk: tracked.pk, sk: 'RUN' } })
          .resolves({ Attributes: { ...tracked, status: 'SUCCEEDED' } });
        ddb.on(QueryCommand, queuedOf('thumbnails')).resolves(inIndex(waitingRun('thumbnails')));
      },
      invoke: () =>
        onTaskStateChange(
          taskEvent('ecs-task-stopped-success', { runId: tracked.runId, attempt: 1, taskArn: TASK }),
          ctx('onTaskStateChange'),
        ),
    },
  ],
  sweeper: [
    { name: 'a sweep of a quiet table', invoke: () => sweeper(loadEvent('sweeper-tick'), ctx('sweeper')) },
    {
      name: 'a sweep that closes a batch whose window passed: its slots checked, sealed, its run created',
      catalog: withBatch(),
      prepare: () => {
        const open = { ...openBatch, slots: 1, bytes: 0, openedAt: '2026-11-20T09:00:00.000Z' };
        ddb
          .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'OPENBATCH#thumbnails#0' } })
          .resolves(inIndex(open));
        ddb.on(GetCommand, { Key: { pk: openBatch.pk, sk: openBatch.sk } }).resolves({ Item: open });
        rows.set(`${batchedSlot.pk}|${batchedSlot.sk}`, batchedSlot);
      },
      invoke: () => sweeper(loadEvent('sweeper-tick'), ctx('sweeper')),
    },
    {
      name: 'a sweep that stops a run past its timeout',
      prepare: () => {
        const started = '2026-11-22T07:00:00.000Z';
        const running = { ...tracked, status: 'RUNNING', startedAt: started, updatedAt: started };
        ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'ACTIVE#thumbnails' } }).resolves(inIndex(running));
        ddb.on(UpdateCommand).resolves({ Attributes: { ...running, timeoutRequestedAt: '2026-11-22T09:00:05.000Z' } });
      },
      invoke: () => sweeper(loadEvent('sweeper-tick'), ctx('sweeper')),
    },
    {
      name: 'a sweep that frees a slot held by a run that no longer exists',
      prepare: () =>
        ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'SLOTS#csv-ingest' } }).resolves({
          Items: [
            { pk: 'SLOTS#csv-ingest', sk: 'SLOT#0001', slot: 1, runId: csvRunId, acquiredAt: '2026-11-20T00:00:00Z' },
          ],
        }),
      invoke: () => sweeper(loadEvent('sweeper-tick'), ctx('sweeper')),
    },
    {
      name: 'a sweep that finds a missed schedule tick',
      catalog: withSchedule('nightly-report', { expression: 'rate(1 hour)' }),
      prepare: () =>
        ddb.on(GetCommand, { Key: { pk: 'SCHEDULE#nightly-report#0', sk: 'TICKS' } }).resolves({
          Item: { firstTick: hourly.createdAt, lastTick: '2026-11-22T06:00:00.000Z' },
        }),
      invoke: () => sweeper(loadEvent('sweeper-tick'), ctx('sweeper')),
    },
  ],
  onRunFinished: [
    {
      name: 'a succeeded csv-ingest run: ingest-summary runs after it',
      prepare: () => {
        const done = csvRun({ status: 'SUCCEEDED', finishedAt: '2026-11-22T09:31:01.930Z' });
        ddb.on(GetCommand, { Key: { pk: done.pk, sk: 'RUN' } }).resolves({ Item: done });
      },
      invoke: () => {
        const e = loadEvent<{ detail: Record<string, unknown> }>('run-succeeded');
        return onRunFinished({ ...e, detail: { ...e.detail, stage: 'test' } }, ctx('onRunFinished'));
      },
    },
    {
      name: "a fan-out child's failure past the tolerance: counted, the parent fails, a running child is cancelled",
      prepare: () => {
        const parent = csvRun({ status: 'RUNNING', fanOut: { total: 3, created: 3, tolerated: 0 } });
        const child = (index: number, patch: Parameters<typeof runItem>[2]) =>
          runItem(
            'csv-ingest',
            { type: 'manual', token: 'x' },
            {
              runId: childRunId('csv-ingest', csvRunId, index),
              parent: { runId: csvRunId, index, count: 3, items: `[${index}]` },
              ...patch,
            },
          );
        const failed = child(1, { status: 'FAILED', finishedAt: '2026-11-22T09:31:01.930Z' });
        const running = child(2, { status: 'RUNNING', taskArn: TASK });
        // One whose task is not recorded (and no launch in flight): cancelled at once, its slot freed.
        const noTask = child(0, { status: 'STARTING', slot: 1 });
        ddb.on(GetCommand, { Key: { pk: noTask.pk, sk: 'RUN' } }).resolves({ Item: noTask });
        ddb
          .on(UpdateCommand, { Key: { pk: noTask.pk, sk: 'RUN' }, ReturnValues: 'ALL_NEW' })
          .resolves({ Attributes: { ...noTask, status: 'CANCELLED' } });
        inIndex(noTask);
        ddb.on(GetCommand, { Key: { pk: failed.pk, sk: 'RUN' } }).resolves({ Item: failed });
        ddb.on(GetCommand, { Key: { pk: parent.pk, sk: 'RUN' } }).resolves({ Item: parent });
        ddb.on(GetCommand, { Key: { pk: running.pk, sk: 'RUN' } }).resolves({ Item: running });
        ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': parent.pk, ':sk': 'TALLY#' } }).resolves({
          Items: [{ pk: parent.pk, sk: 'TALLY#0000', counted: new Set([1]), failed: new Set([1]), FAILED: 1 }],
        });
        ddb
          .on(UpdateCommand, { Key: { pk: parent.pk, sk: 'RUN' }, ReturnValues: 'ALL_NEW' })
          .resolves({ Attributes: { ...parent, status: 'FAILED' } });
        ddb
          .on(UpdateCommand, { Key: { pk: running.pk, sk: 'RUN' }, ReturnValues: 'ALL_NEW' })
          .resolves({ Attributes: { ...running, status: 'CANCELLING' } });
        inIndex(running);
      },
      invoke: () => {
        const e = loadEvent<{ detail: Record<string, unknown> }>('run-failed');
        const detail = { ...e.detail, stage: 'test', job: 'csv-ingest', runId: childRunId('csv-ingest', csvRunId, 1) };
        return onRunFinished({ ...e, 'detail-type': 'Run Failed', detail }, ctx('onRunFinished'));
      },
    },
  ],
  onEvent: [
    {
      name: "an Order Placed event order-fulfilment's rule delivered",
      invoke: () => onEvent(loadEvent('order-placed-delivery'), ctx('onEvent')),
    },
    {
      name: 'the same event delivered again (the run exists: read back, not created)',
      prepare: () => {
        ddb.on(PutCommand).rejects(conditionFailed());
        ddb.on(GetCommand).resolves({ Item: queuedOrder });
      },
      invoke: () => onEvent(loadEvent('order-placed-delivery'), ctx('onEvent')),
    },
  ],
  onMessage: [
    {
      name: 'a batch from the orders-resend queue: one order, one body that is not JSON',
      invoke: () => onMessageHandler(coreDeps(), resendQueue())(firstMessage(), ctx('onMessage')),
    },
    {
      name: 'the same message received again (the run exists: read back, not created)',
      prepare: () => {
        ddb.on(PutCommand).rejects(conditionFailed());
        ddb.on(GetCommand).resolves({ Item: resentOrder });
      },
      invoke: () => onMessageHandler(coreDeps(), resendQueue())(firstMessage(), ctx('onMessage')),
    },
  ],
};

// -- Running them ------------------------------------------------------------------------------

interface Observed {
  scenario: string;
  result?: unknown;
  requests: string[];
  methods: string[];
  error?: unknown;
}

const run = async (s: Scenario): Promise<Observed> => {
  for (const m of [ddb, sqs, eb, ecs, sns, cwl, scheduler]) m.reset();
  scheduler.on(GetScheduleCommand).resolves({
    State: 'ENABLED',
    ScheduleExpression: 'cron(0 2 * * ? *)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: 'arn:aws:lambda:eu-west-1:111122223333:function:longshore-test-onSchedule',
      RoleArn: 'arn:aws:iam::111122223333:role/longshore-test-scheduler-eu-west-1',
    },
  });
  scheduler.on(UpdateScheduleCommand).resolves({
    ScheduleArn: 'arn:aws:scheduler:eu-west-1:111122223333:schedule/longshore-test/longshore-test-nightly-report-cron0',
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  cwl.on(GetLogEventsCommand).resolves({ events: [{ message: 'the last line', timestamp: 0 }] });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  ecs.on(StopTaskCommand).resolves({});
  ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [] });
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  rows.clear();
  ddb
    .on(BatchGetCommand)
    .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }) => {
      const [table, asked] = Object.entries(input.RequestItems)[0] ?? ['', { Keys: [] }];
      return { Responses: { [table]: asked.Keys.flatMap((k) => rows.get(`${k.pk}|${k.sk}`) ?? []) } };
    });
  s.prepare?.();
  reached.length = 0;
  if (s.catalog) useCatalog(s.catalog);
  try {
    const result = await s.invoke();
    return {
      scenario: s.name,
      result,
      requests: ddb.calls().map((c) => tableAccessOf(c.args[0] as never)),
      methods: [...reached],
    };
  } catch (error) {
    return { scenario: s.name, requests: [], methods: [], error };
  } finally {
    useCatalog(validateCatalog(rawCatalog));
  }
};

const { config, specs } = buildService(
  { stage: 'test', catalog: validateCatalog(rawCatalog), protectedStages: PROTECTED_STAGES },
  functions,
);
const statements = iamStatements(config.resources?.Resources as unknown as Record<string, CfnResource>);
const grantedTo = (key: string) =>
  grantedTableAccess(statements.filter((s) => s.where.startsWith(`${functionRoleLogicalId(key)}/`)));

afterAll(() => useCatalog(validateCatalog(rawCatalog)));

describe('Function roles: DynamoDB grants', () => {
  it('has representative events for every function that may use the table', () => {
    // Assess
    for (const [key, spec] of Object.entries(specs)) {
      if (SCENARIOS[key]) continue;
      expect(spec.storeMethods, `${key} has no scenarios here, so it must not use the table`).toEqual([]);
      expect([...grantedTo(key)], key).toEqual([]);
    }
  });

  describe.each(Object.keys(SCENARIOS))('%s', (key) => {
    let observed: Observed[] = [];

    beforeAll(async () => {
      // The unit clock is frozen per test (setupClock.ts), not around beforeAll: freeze it here too.
      freezeClock();
      try {
        observed = [];
        for (const s of SCENARIOS[key] ?? []) observed.push(await run(s));
      } finally {
        vi.useRealTimers();
      }
    });

    it('handles every representative event', () => {
      // Assess
      for (const o of observed) {
        expect(o.error, o.scenario).toBeUndefined();
        const answer = (o.result ?? {}) as { batchItemFailures?: unknown[]; ok?: boolean };
        expect(answer.batchItemFailures ?? [], o.scenario).toEqual([]);
        expect(answer.ok ?? true, o.scenario).toBe(true);
      }
    });

    it('sends the table only requests its role grants', () => {
      // Prepare
      const granted = grantedTo(key);

      // Assess
      for (const o of observed)
        for (const r of new Set(o.requests)) expect(granted.has(r), `${o.scenario}: ${r} is not granted`).toBe(true);
    });

    it('uses every table grant of its role on some representative event', () => {
      // Act
      const used = new Set(observed.flatMap((o) => o.requests));

      // Assess
      for (const g of grantedTo(key)) expect(used.has(g), `${g} is granted but no event uses it`).toBe(true);
    });

    it('reaches only the run store methods its config declares', () => {
      // Prepare
      const declared = new Set<string>(specs[key]?.storeMethods ?? []);

      // Assess
      for (const o of observed)
        for (const m of new Set(o.methods))
          expect(declared.has(m), `${o.scenario}: store.${m} is not in functions/${key}/config.ts storeMethods`).toBe(
            true,
          );
    });
  });
});
