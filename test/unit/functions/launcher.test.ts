import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/launcher/handler.ts';
import { clientTokenFor } from '../../../lib/domain/runId.ts';
import { loadEvent } from '../../helpers/events.ts';
import { attemptItem, runItem } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const ecs = mockClient(ECSClient);
const eb = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const ctx = lambdaContext('longshore-test-launcher');

const run = runItem('thumbnails', {
  type: 's3',
  bucket: 'acme-media-uploads',
  key: 'uploads/cat.jpg',
  sequencer: '00A1',
});
const sqsEvent = (body: string, id = 'm-1') => {
  const e = loadEvent<{ Records: { messageId: string; body: string }[] }>('launch-queue');
  e.Records = [{ ...(e.Records[0] as { messageId: string; body: string }), messageId: id, body }];
  return e;
};
const message = JSON.stringify({ v: 1, runId: run.runId, attempt: 1 });

beforeEach(() => {
  ddb.reset();
  ecs.reset();
  eb.reset();
  sqs.reset();
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
});

describe('Handler: launcher', () => {
  it('claims a slot and the attempt, then calls RunTask with the exact request', async () => {
    // Prepare
    ddb.on(GetCommand, { Key: { pk: run.pk, sk: 'RUN' } }).resolves({ Item: run });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(PutCommand).resolves({});
    ddb
      .on(UpdateCommand, { Key: { pk: run.pk, sk: 'RUN' } })
      .resolvesOnce({ Attributes: { ...run, slot: 7 } })
      .resolvesOnce({ Attributes: { ...run, slot: 7, status: 'STARTING', taskArn: 'arn:task/1' } })
      .resolves({});
    ddb
      .on(UpdateCommand, { Key: { pk: run.pk, sk: 'ATTEMPT#0001' } })
      .resolvesOnce({ Attributes: attemptItem(run) })
      .resolves({});
    ddb
      .on(GetCommand, { Key: { pk: run.pk, sk: 'ATTEMPT#0001' } })
      .resolves({ Item: attemptItem(run, { status: 'STARTING', taskArn: 'arn:task/1' }) });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/1' }], failures: [] });

    // Act
    const out = await handler(sqsEvent(message), ctx);

    // Assess
    expect(out).toEqual({ batchItemFailures: [] });
    expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    expect(ecs.commandCalls(RunTaskCommand)[0]?.args[0].input).toEqual({
      cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-test',
      taskDefinition: 'longshore-test-thumbnails',
      count: 1,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      platformVersion: 'LATEST',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
          securityGroups: ['sg-0123456789abcdef0'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: 'main',
            environment: [
              { name: 'LONGSHORE_STAGE', value: 'test' },
              { name: 'LONGSHORE_JOB', value: 'thumbnails' },
              { name: 'LONGSHORE_RUN_ID', value: run.runId },
              { name: 'LONGSHORE_ATTEMPT', value: '1' },
              { name: 'LONGSHORE_TRIGGER', value: 's3' },
              { name: 'S3_BUCKET', value: 'acme-media-uploads' },
              { name: 'S3_KEY', value: 'uploads/cat.jpg' },
            ],
          },
        ],
      },
      startedBy: `longshore/test/${run.runId}/1`,
      tags: [
        { key: 'longshore:job', value: 'thumbnails' },
        { key: 'longshore:run', value: run.runId },
        { key: 'longshore:attempt', value: '1' },
      ],
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: true,
      clientToken: clientTokenFor('test', run.runId, 1, 'FARGATE'),
    });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { pk: 'SLOTS#thumbnails', runId: run.runId },
      ConditionExpression: 'attribute_not_exists(#pk) OR #runId = :run',
    });
    expect(eb).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ DetailType: 'Run Started', EventBusName: 'longshore-test-runs' })],
    });
  });

  it('skips a message for a run that has moved on, without calling ECS', async () => {
    // Prepare
    ddb.on(GetCommand, { Key: { pk: run.pk, sk: 'RUN' } }).resolves({ Item: { ...run, status: 'SUCCEEDED' } });

    // Act
    const out = await handler(sqsEvent(message), ctx);

    // Assess
    expect(out).toEqual({ batchItemFailures: [] });
    expect(ecs.calls()).toHaveLength(0);
  });

  it('reports a malformed message as a batch item failure (dead-letter after its retries)', async () => {
    // Act
    const out = await handler(sqsEvent('{"runId":42}', 'bad-1'), ctx);

    // Assess
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('reports the message for retry when DynamoDB fails unexpectedly', async () => {
    // Prepare
    ddb.on(GetCommand).rejects(new Error('socket hang up'));

    // Act
    const out = await handler(sqsEvent(message, 'flaky-1'), ctx);

    // Assess
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'flaky-1' }] });
  });

  it('rejects an event that is not an SQS batch', async () => {
    // Act & Assess
    await expect(handler({ hello: 'world' }, ctx)).rejects.toThrow('Invalid SQS event: Records: is required (array)');
  });
});
