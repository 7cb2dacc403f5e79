import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/sweeper/handler.ts';
import { emptySweepReport } from '../../../lib/sweep.ts';
import { runItem } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const ecs = mockClient(ECSClient);
const sqs = mockClient(SQSClient);
const ctx = lambdaContext('longshore-test-sweeper');

beforeEach(() => {
  ddb.reset();
  ecs.reset();
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(GetCommand).resolves({});
});

describe('Handler: sweeper', () => {
  it('sweeps every job and reports nothing to do on a quiet table', async () => {
    // Act
    const out = await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, ctx);

    // Assess
    expect(out).toEqual(emptySweepReport());
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk'])).toEqual(
      expect.arrayContaining(['ACTIVE#thumbnails', 'ACTIVE#nightly-report', 'ACTIVE#csv-ingest', 'SLOTS#thumbnails']),
    );
  });

  it('stops a run past its timeout with a reason the STOPPED event will carry', async () => {
    // Prepare: started two hours ago, thumbnails time out after 10 minutes.
    const started = new Date(Date.now() - 2 * 3600_000).toISOString();
    const running = runItem(
      'thumbnails',
      { type: 'manual', token: 't' },
      { status: 'RUNNING', taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/1', startedAt: started, updatedAt: started },
    );
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'ACTIVE#thumbnails' } }).resolves({ Items: [running] });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...running, timeoutRequestedAt: new Date().toISOString() } });
    ecs.on(StopTaskCommand).resolves({});
    ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [] });

    // Act
    const out = await handler({}, ctx);

    // Assess
    expect(out.timedOut).toEqual([running.runId]);
    expect(ecs.commandCalls(StopTaskCommand)[0]?.args[0].input).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-test',
      task: 'arn:aws:ecs:eu-west-1:1:task/c/1',
      reason: expect.stringMatching(/^longshore: timed out after 2h.* \(limit 10m\)$/),
    });
  });
});
