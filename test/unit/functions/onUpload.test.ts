import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/onUpload/handler.ts';
import { InvalidEventError } from '../../../lib/errors.ts';
import { loadEvent, objectCreated } from '../../helpers/events.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const ctx = lambdaContext('longshore-test-onUpload');

beforeEach(() => {
  ddb.reset();
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

const bodies = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.MessageBody ?? '')));

/** The conditional create fails as DynamoDB does when the run exists: with the existing item. */
const runExists = (item: Record<string, unknown>) =>
  ddb.on(PutCommand).rejects(
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: marshall(item),
    }),
  );

describe('Handler: onUpload', () => {
  it('creates a run with a conditional write and queues it for launch', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    const out = await handler(loadEvent('s3-object-created'), ctx);

    // Assess
    expect(out.runs).toEqual([
      {
        runId: expect.stringMatching(/^thumbnails-[a-z2-7]{20}$/),
        job: 'thumbnails',
        created: true,
        status: 'QUEUED',
        queued: true,
      },
    ]);
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: 'longshore-test-runs',
      ConditionExpression: 'attribute_not_exists(#pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      Item: {
        pk: `RUN#${out.runs[0]?.runId}`,
        sk: 'RUN',
        gsi1pk: 'JOB#thumbnails',
        gsi2pk: 'ACTIVE#thumbnails',
        status: 'QUEUED',
        attempt: 1,
        capacity: 'FARGATE',
        size: { cpu: 512, memory: 1024 },
        trigger: {
          type: 's3',
          bucket: 'acme-media-uploads',
          key: 'uploads/2026/11/cat on sofa.jpg',
          sequencer: '00673FA1B2C3D4E5F6',
        },
      },
    });
    expect(bodies()).toEqual([{ v: 1, runId: out.runs[0]?.runId, attempt: 1 }]);
  });

  it('on a duplicate delivery finds the queued run and only queues it again', async () => {
    // Prepare
    const existing = {
      pk: 'RUN#x',
      sk: 'RUN',
      runId: 'thumbnails-aaaaaaaaaaaaaaaaaaaa',
      job: 'thumbnails',
      status: 'QUEUED',
      attempt: 1,
    };
    runExists(existing);

    // Act
    const out = await handler(loadEvent('s3-object-created'), ctx);

    // Assess
    expect(out.runs).toEqual([
      { runId: existing.runId, job: 'thumbnails', created: false, status: 'QUEUED', queued: true },
    ]);
    expect(bodies()).toEqual([{ v: 1, runId: existing.runId, attempt: 1 }]);
  });

  it('on a duplicate of a run already launched does nothing more', async () => {
    // Prepare
    const existing = { runId: 'thumbnails-aaaaaaaaaaaaaaaaaaaa', job: 'thumbnails', status: 'STARTING', attempt: 1 };
    runExists(existing);

    // Act
    const out = await handler(loadEvent('s3-object-created'), ctx);

    // Assess
    expect(out.runs[0]).toMatchObject({ created: false, status: 'STARTING', queued: false });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('creates one run per matching record of a classic notification, with the key decoded', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    const out = await handler(loadEvent('s3-notification'), ctx);

    // Assess
    expect(out).toMatchObject({ unmatched: 1, runs: [{ job: 'thumbnails', created: true }] });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item?.trigger).toMatchObject({
      key: 'uploads/holiday/red flower + sun:1.jpg',
    });
  });

  it('logs an upload no job wants and writes nothing', async () => {
    // Act
    const out = await handler(objectCreated('acme-media-uploads', 'private/secret-plans.pdf'), ctx);

    // Assess
    expect(out).toEqual({ runs: [], unmatched: 1, ignored: [] });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects a malformed event with the field that is wrong, before any AWS call', async () => {
    // Act & Assess
    await expect(handler(loadEvent('s3-malformed'), ctx)).rejects.toThrow(InvalidEventError);
    await expect(handler(loadEvent('s3-malformed'), ctx)).rejects.toThrow(
      'Invalid S3 "Object Created" event: detail.object.key: is required (string)',
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  it('fails (for Lambda to retry) when DynamoDB fails', async () => {
    // Prepare
    ddb
      .on(PutCommand)
      .rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' }));

    // Act & Assess
    await expect(handler(loadEvent('s3-object-created'), ctx)).rejects.toThrow('Throughput exceeds');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});
