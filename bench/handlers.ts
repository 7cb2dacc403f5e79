/**
 * Per-event handler time with AWS mocked (aws-sdk-client-mock): what longshore's own code costs per
 * event, excluding network latency. Reported as p50/p99 and as a ratio to a baseline measured in the
 * same run: the same middy chain with an empty inner function.
 *
 *   npm run bench:handlers [-- --n 2000]
 */
import './env.ts';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as launcher } from '../functions/launcher/handler.ts';
import { handler as onSchedule } from '../functions/onSchedule/handler.ts';
import { handler as onUpload } from '../functions/onUpload/handler.ts';
import { createHandler } from '../lib/handler.ts';
import { loadEvent } from '../test/helpers/events.ts';
import { attemptItem, runItem } from '../test/helpers/items.ts';
import { lambdaContext } from '../test/helpers/lambda.ts';
import { measure, table } from './stats.ts';

const n = Number(process.argv[process.argv.indexOf('--n') + 1]) || 2000;
const ctx = lambdaContext('bench');

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const ecs = mockClient(ECSClient);
const eb = mockClient(EventBridgeClient);
sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
ecs
  .on(RunTaskCommand)
  .resolves({ tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/longshore-bench/0123' }], failures: [] });
ddb.on(PutCommand).resolves({});
ddb.on(QueryCommand).resolves({ Items: [] });
ddb.on(GetCommand).resolves({});

const run = runItem('thumbnails', {
  type: 's3',
  bucket: 'acme-media-uploads',
  key: 'uploads/cat.jpg',
  sequencer: '00A1',
});
ddb.on(GetCommand, { Key: { pk: run.pk, sk: 'RUN' } }).resolves({ Item: run });
ddb
  .on(GetCommand, { Key: { pk: run.pk, sk: 'ATTEMPT#0001' } })
  .resolves({ Item: attemptItem(run, { status: 'STARTING', taskArn: 'arn:task' }) });
ddb.on(UpdateCommand, { Key: { pk: run.pk, sk: 'ATTEMPT#0001' } }).resolves({ Attributes: attemptItem(run) });
ddb.on(UpdateCommand, { Key: { pk: run.pk, sk: 'RUN' } }).resolves({ Attributes: { ...run, slot: 0 } });

const baseline = createHandler({ name: 'baseline', parse: (e) => e }, async (e) => e);
const upload = loadEvent('s3-object-created');
const tick = loadEvent('schedule-scheduler-input');
const launchEvent = loadEvent<{ Records: { body: string }[] }>('launch-queue');
(launchEvent.Records[0] as { body: string }).body = JSON.stringify({ v: 1, runId: run.runId, attempt: 1 });

const base = await measure('baseline: middy chain, empty inner', () => baseline(upload, ctx), n);
const samples = [
  base,
  await measure('onUpload: EventBridge Object Created -> 1 run', () => onUpload(upload, ctx), n),
  await measure('onSchedule: tick -> 1 run (overlap forbid: checks active runs)', () => onSchedule(tick, ctx), n),
  await measure('launcher: 1 message -> slot, claim, RunTask, record', () => launcher(launchEvent, ctx), n),
];
console.log(`Per-event handler time, AWS mocked, Node ${process.version}, n=${n}\n`);
console.log(table(samples, base));
