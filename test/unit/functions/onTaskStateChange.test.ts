import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/onTaskStateChange/handler.ts';
import { loadEvent, taskEvent } from '../../helpers/events.ts';
import { attemptItem, runItem } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const eb = mockClient(EventBridgeClient);
const ctx = lambdaContext('longshore-test-onTaskStateChange');
const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/longshore-test/e5f7a9b1c3d5468013579bdf2468ace0';

const run = runItem(
  'thumbnails',
  { type: 's3', bucket: 'acme-media-uploads', key: 'uploads/cat.jpg', sequencer: '00A1' },
  { status: 'STARTING', taskArn: TASK, slot: 4 },
);
const target = { runId: run.runId, attempt: 1, taskArn: TASK };

beforeEach(() => {
  ddb.reset();
  sqs.reset();
  eb.reset();
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  ddb.on(GetCommand, { Key: { pk: run.pk, sk: 'RUN' } }).resolves({ Item: run });
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(DeleteCommand).resolves({});
});

describe('Handler: onTaskStateChange', () => {
  it('ignores a task that is not ours without touching the table', async () => {
    // Act
    const out = await handler(loadEvent('ecs-task-foreign'), ctx);

    // Assess
    expect(out).toEqual({ outcome: 'foreign' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('applies RUNNING only if its version is newer, then moves the run to RUNNING', async () => {
    // Prepare
    ddb
      .on(UpdateCommand, { Key: { pk: run.pk, sk: 'ATTEMPT#0001' } })
      .resolves({ Attributes: attemptItem(run, { status: 'RUNNING', taskVersion: 3 }) });
    ddb.on(UpdateCommand, { Key: { pk: run.pk, sk: 'RUN' } }).resolves({ Attributes: { ...run, status: 'RUNNING' } });

    // Act
    const out = await handler(taskEvent('ecs-task-running', target), ctx);

    // Assess
    expect(out).toEqual({ outcome: 'running', runId: run.runId });
    const [attemptUpdate, runUpdate] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(Object.values(attemptUpdate?.ExpressionAttributeValues ?? {})).toEqual(expect.arrayContaining([3, TASK]));
    expect(runUpdate?.Key).toEqual({ pk: run.pk, sk: 'RUN' });
    expect(Object.values(runUpdate?.ExpressionAttributeValues ?? {})).toContain('RUNNING');
  });

  it('drops a stale event (version not newer) at debug level', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    ddb
      .on(GetCommand, { Key: { pk: run.pk, sk: 'ATTEMPT#0001' } })
      .resolves({ Item: attemptItem(run, { status: 'STOPPED', taskVersion: 5 }) });

    // Act
    const out = await handler(taskEvent('ecs-task-running', target), ctx);

    // Assess
    expect(out).toEqual({ outcome: 'stale', runId: run.runId });
    expect(eb.calls()).toHaveLength(0);
  });

  it('on STOPPED with exit 0 records the containers, decides success and publishes Run Succeeded', async () => {
    // Prepare
    const stopped = attemptItem(run, {
      status: 'STOPPED',
      taskVersion: 5,
      containers: [{ name: 'main', exitCode: 0, essential: true }],
      stopCode: 'EssentialContainerExited',
      durationSeconds: 756,
    });
    ddb.on(UpdateCommand, { Key: { pk: run.pk, sk: 'ATTEMPT#0001' } }).resolves({ Attributes: stopped });
    ddb.on(UpdateCommand, { Key: { pk: run.pk, sk: 'RUN' } }).resolves({ Attributes: { ...run, status: 'SUCCEEDED' } });

    // Act
    const out = await handler(taskEvent('ecs-task-stopped-success', target), ctx);

    // Assess
    expect(out).toMatchObject({ outcome: 'settled', verdict: { outcome: 'success', rule: 'success' } });
    const attemptSet = ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues ?? {};
    expect(Object.values(attemptSet)).toContainEqual([{ name: 'main', exitCode: 0, essential: true }]);
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { pk: 'SLOTS#thumbnails', sk: 'SLOT#0004' } });
    expect(eb).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ DetailType: 'Run Succeeded' })],
    });
  });

  it('rejects a malformed event naming the field', async () => {
    // Prepare
    const e = loadEvent<{ detail: Record<string, unknown> }>('ecs-task-running');
    delete e.detail.taskArn;

    // Act & Assess
    await expect(handler(e, ctx)).rejects.toThrow(
      'Invalid ECS Task State Change event: detail.taskArn: is required (string)',
    );
  });
});
