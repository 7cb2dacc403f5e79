import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsBackend } from '../../../../lib/cli/backends.ts';
import { CliError, EXIT } from '../../../../lib/cli/exitCodes.ts';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const ddb = mockClient(DynamoDBDocumentClient);

const outputs = [
  { OutputKey: 'RunsTableName', OutputValue: 'longshore-prod-runs' },
  { OutputKey: 'ControlFunctionName', OutputValue: 'longshore-prod-control' },
];

beforeEach(() => {
  cfn.reset();
  lambda.reset();
  ddb.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      { StackName: 'longshore-prod', Outputs: outputs, CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE' },
    ],
  });
});

describe('Function: awsBackend', () => {
  it('finds the table and the control function in the stack outputs of longshore-<stage>', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const b = await awsBackend('prod', 'eu-west-1');
    await b.runsOfJob('thumbnails', { limit: 5 });

    // Assess
    expect(b.label).toBe('stage prod (eu-west-1)');
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'longshore-prod' });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'longshore-prod-runs',
      IndexName: 'byJob',
      Limit: 5,
    });
  });

  it('sends control requests to the control function and returns its answer', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: new TextEncoder().encode(
        JSON.stringify({ ok: true, action: 'cancel', runId: 'r', status: 'CANCELLED', created: false }),
      ) as never,
    });

    // Act
    const b = await awsBackend('prod', 'eu-west-1');
    const answer = await b.control({ action: 'cancel', runId: 'r' });

    // Assess
    expect(answer).toMatchObject({ ok: true, status: 'CANCELLED' });
    const payload = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(payload?.FunctionName).toBe('longshore-prod-control');
    expect(JSON.parse(new TextDecoder().decode(payload?.Payload as Uint8Array))).toEqual({
      action: 'cancel',
      runId: 'r',
    });
  });

  it('turns a function error into a backend error (exit 5)', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: new TextEncoder().encode('{"errorMessage":"Task timed out"}') as never,
    });
    const b = await awsBackend('prod', 'eu-west-1');

    // Act & Assess
    await expect(b.control({ action: 'cancel', runId: 'r' })).rejects.toThrow(
      new CliError('longshore-prod-control failed: Task timed out', EXIT.backend),
    );
  });

  it('says which stack it could not read, or that it is not a longshore stack', async () => {
    // Prepare
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(new Error('Stack with id longshore-qa does not exist'))
      .resolves({
        Stacks: [{ StackName: 'x', Outputs: [], CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE' }],
      });

    // Act & Assess
    await expect(awsBackend('qa', 'us-east-1')).rejects.toThrow(
      'Cannot read stack longshore-qa in us-east-1: Stack with id longshore-qa does not exist',
    );
    await expect(awsBackend('qa', 'us-east-1')).rejects.toThrow('has no RunsTableName/ControlFunctionName outputs');
  });

  it('says that the stack does not exist when CloudFormation answers ValidationError', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id longshore-qa does not exist'), {
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act & Assess
    await expect(awsBackend('qa', 'us-east-1')).rejects.toThrow(
      new CliError(
        'Cannot read stack longshore-qa in us-east-1: Stack with id longshore-qa does not exist',
        EXIT.backend,
      ),
    );
  });
});

describe('Function: awsBackend, dead-letter queues', () => {
  const sqs = mockClient(SQSClient);
  const DLQ = 'https://sqs.eu-west-1.amazonaws.com/111122223333/longshore-prod-events-dlq';
  const record = (functionArn: string) =>
    JSON.stringify({ requestContext: { functionArn }, requestPayload: { hello: 'world' }, responsePayload: {} });

  beforeEach(() => {
    sqs.reset();
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'longshore-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            ...outputs,
            { OutputKey: 'LaunchDeadLetterQueueUrl', OutputValue: `${DLQ.replace('events', 'launch')}` },
            { OutputKey: 'EventsDeadLetterQueueUrl', OutputValue: DLQ },
            { OutputKey: 'LaunchQueueUrl', OutputValue: DLQ.replace('events-dlq', 'launch') },
          ],
        },
      ],
    });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  });

  it("invokes a function of the stage asynchronously with the original event, and never another stage's", async () => {
    // Prepare
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: 'ours',
            ReceiptHandle: 'r1',
            Body: record('arn:aws:lambda:eu-west-1:111122223333:function:longshore-prod-onUpload'),
          },
          {
            MessageId: 'theirs',
            ReceiptHandle: 'r2',
            Body: record('arn:aws:lambda:eu-west-1:111122223333:function:payroll-export'),
          },
        ],
      })
      .resolves({ Messages: [] });

    // Act
    const b = await awsBackend('prod', 'eu-west-1');
    const report = await b.deadLetters.redrive('events', 'all');

    // Assess
    expect(report.redriven).toEqual(['ours']);
    expect(report.failed).toEqual([
      { id: 'theirs', error: expect.stringContaining('is not a function of stage prod; not invoked') },
    ]);
    expect(
      lambda.commandCalls(InvokeCommand).map((c) => [c.args[0].input.FunctionName, c.args[0].input.InvocationType]),
    ).toEqual([['arn:aws:lambda:eu-west-1:111122223333:function:longshore-prod-onUpload', 'Event']]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['r1']);
  });

  it('says the stack must be deployed again when it has no dead-letter queue outputs', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'longshore-prod', Outputs: outputs, CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE' },
      ],
    });

    // Act
    const b = await awsBackend('prod', 'eu-west-1');

    // Assess
    await expect(b.deadLetters.list('launch', 10)).rejects.toThrow('has no LaunchDeadLetterQueueUrl');
  });
});
