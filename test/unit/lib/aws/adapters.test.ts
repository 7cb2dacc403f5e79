import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildEcs } from '../../../../lib/aws/ecs.ts';
import { buildRunEventPublisher } from '../../../../lib/aws/eventbridge.ts';
import { buildAlertTopic } from '../../../../lib/aws/sns.ts';
import { buildLaunchQueue } from '../../../../lib/aws/sqs.ts';
import type { RunTaskRequest } from '../../../../lib/domain/taskRequest.ts';
import { EventPublishError, LaunchError, TaskGoneError } from '../../../../lib/errors.ts';

const ecsMock = mockClient(ECSClient);
const sqsMock = mockClient(SQSClient);
const ebMock = mockClient(EventBridgeClient);
const snsMock = mockClient(SNSClient);

beforeEach(() => {
  ecsMock.reset();
  sqsMock.reset();
  ebMock.reset();
  snsMock.reset();
});

const request = { cluster: 'c', taskDefinition: 'td', clientToken: 't' } as unknown as RunTaskRequest;
const ecs = buildEcs(new ECSClient({ region: 'eu-west-1' }));

const launchErrorOf = async (p: Promise<unknown>): Promise<LaunchError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof LaunchError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('Adapter: ecs.runTask', () => {
  it('returns the task RunTask started and sends the request as given', async () => {
    // Prepare
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/1' }], failures: [] });

    // Act
    const out = await ecs.runTask(request);

    // Assess
    expect(out).toEqual({ taskArn: 'arn:task/1', adopted: false });
    expect(ecsMock).toHaveReceivedCommandWith(RunTaskCommand, { cluster: 'c', taskDefinition: 'td', clientToken: 't' });
  });

  it('throws LaunchError when RunTask "succeeds" with only failures, keeping reason and detail', async () => {
    // Prepare
    ecsMock.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [{ arn: 'arn:td', reason: 'Capacity is unavailable at this time', detail: 'Please try again later' }],
    });

    // Act
    const error = await launchErrorOf(ecs.runTask(request));

    // Assess
    expect([error.reason, error.kind, error.retryable]).toEqual([
      'Capacity is unavailable at this time: Please try again later',
      'capacity',
      true,
    ]);
  });

  it('classifies thrown errors: throttling retryable, invalid parameters not', async () => {
    // Prepare
    ecsMock
      .on(RunTaskCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .rejectsOnce(
        Object.assign(new Error('No Fargate configuration exists for given values'), {
          name: 'InvalidParameterException',
        }),
      );

    // Act
    const throttled = await launchErrorOf(ecs.runTask(request));
    const invalid = await launchErrorOf(ecs.runTask(request));

    // Assess
    expect([throttled.kind, throttled.retryable]).toEqual(['throttled', true]);
    expect([invalid.kind, invalid.retryable, invalid.reason]).toEqual([
      'config',
      false,
      'InvalidParameterException: No Fargate configuration exists for given values',
    ]);
  });

  it('returns the task already started for the token on ConflictException, never launching again', async () => {
    // Prepare
    ecsMock
      .on(RunTaskCommand)
      .rejects(
        Object.assign(new Error('token reused'), { name: 'ConflictException', resourceIds: ['arn:task/first'] }),
      );

    // Act & Assess
    await expect(ecs.runTask(request)).resolves.toEqual({ taskArn: 'arn:task/first', adopted: true });
  });

  it('lists tasks by startedBy as the only filter (no desiredStatus), across every page', async () => {
    // Prepare
    ecsMock
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: ['arn:task/a'], nextToken: 'page-2' })
      .resolvesOnce({ taskArns: ['arn:task/b', 'arn:task/a'] });

    // Act
    const arns = await ecs.tasksStartedBy('c', 'longshore/dev/x/1');

    // Assess
    expect(arns).toEqual(['arn:task/a', 'arn:task/b']);
    expect(ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'c', startedBy: 'longshore/dev/x/1' },
      { cluster: 'c', startedBy: 'longshore/dev/x/1', nextToken: 'page-2' },
    ]);
  });

  it('returns no task when ECS lists none for the startedBy', async () => {
    // Prepare
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });

    // Act & Assess
    await expect(ecs.tasksStartedBy('c', 'longshore/dev/x/1')).resolves.toEqual([]);
    expect(ecsMock).toHaveReceivedCommandTimes(ListTasksCommand, 1);
  });

  it('stops a task with a reason cut to 255 characters', async () => {
    // Prepare
    ecsMock.on(StopTaskCommand).resolves({});

    // Act
    await ecs.stopTask('c', 'arn:task/1', 'x'.repeat(300));

    // Assess
    expect(ecsMock.commandCalls(StopTaskCommand)[0]?.args[0].input.reason).toHaveLength(255);
  });

  it('says a task ECS no longer knows is gone (StopTask: "The referenced task was not found."), and rethrows other refusals', async () => {
    // Prepare
    const notFound = Object.assign(new Error('The referenced task was not found.'), {
      name: 'InvalidParameterException',
    });
    const badCluster = Object.assign(new Error('Cluster is not valid'), { name: 'InvalidParameterException' });
    ecsMock.on(StopTaskCommand, { task: 'arn:task/gone' }).rejects(notFound);
    ecsMock.on(StopTaskCommand, { task: 'arn:task/other' }).rejects(badCluster);

    // Act & Assess
    await expect(ecs.stopTask('c', 'arn:task/gone', 'cancelled')).rejects.toBeInstanceOf(TaskGoneError);
    await expect(ecs.stopTask('c', 'arn:task/other', 'cancelled')).rejects.toThrow('Cluster is not valid');
  });

  it('reports tasks ECS no longer knows as missing', async () => {
    // Prepare
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: 'arn:task/1', lastStatus: 'RUNNING' }],
      failures: [{ arn: 'arn:task/2', reason: 'MISSING' }],
    });

    // Act
    const out = await ecs.describeTasks('c', ['arn:task/1', 'arn:task/2']);

    // Assess
    expect(out).toEqual({ tasks: [{ taskArn: 'arn:task/1', lastStatus: 'RUNNING' }], missing: ['arn:task/2'] });
    await expect(ecs.describeTasks('c', [])).resolves.toEqual({ tasks: [], missing: [] });
  });
});

describe('Adapter: launch queue', () => {
  const queue = buildLaunchQueue(new SQSClient({ region: 'eu-west-1' }), 'https://sqs/q');

  it('sends in batches of 10 with the message body and capped delays', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const messages = Array.from({ length: 12 }, (_, i) => ({
      runId: `r${i}`,
      attempt: 1,
      ...(i === 0 ? { delaySeconds: 5000 } : {}),
    }));

    // Act
    await queue.enqueue(messages);

    // Assess
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(calls[0]?.args[0].input.Entries?.[0]).toEqual({
      Id: '0',
      MessageBody: '{"v":1,"runId":"r0","attempt":1}',
      DelaySeconds: 900,
    });
  });

  it('resends only the entries SQS rejected, then gives up loudly with the reason SQS gave', async () => {
    // Prepare
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
        Successful: [{ Id: '0', MessageId: 'a', MD5OfMessageBody: 'x' }],
      })
      .resolves({
        Failed: [{ Id: '1', Code: 'InternalError', Message: 'the queue is being purged', SenderFault: false }],
        Successful: [],
      });

    // Act & Assess
    await expect(
      queue.enqueue([
        { runId: 'a', attempt: 1 },
        { runId: 'b', attempt: 1 },
      ]),
    ).rejects.toThrow('SQS rejected 1 launch message(s): InternalError (the queue is being purged)');
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[1]?.args[0].input.Entries?.map((e) => e.Id)).toEqual(['1']);
  });

  it('sends nothing for nothing', async () => {
    // Act
    await queue.enqueue([]);

    // Assess
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

describe('Adapter: run event publisher', () => {
  const publisher = buildRunEventPublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'longshore-dev-runs');

  it('puts events on the bus with source longshore', async () => {
    // Prepare
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });

    // Act
    await publisher.publish([{ type: 'Run Started', detail: { runId: 'r' } }]);

    // Assess
    expect(ebMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'longshore-dev-runs',
          Source: 'longshore',
          DetailType: 'Run Started',
          Detail: '{"runId":"r"}',
          Resources: [],
        },
      ],
    });
  });

  it('throws EventPublishError naming the entries EventBridge rejected, with the reason it gave', async () => {
    // Prepare
    ebMock
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }] });

    // Act & Assess
    await expect(publisher.publish([{ type: 'Run Failed', detail: {} }])).rejects.toThrow(EventPublishError);
    await expect(publisher.publish([{ type: 'Run Failed', detail: {} }])).rejects.toThrow(
      'PutEvents failed for 1 entry: Run Failed (InternalFailure: boom)',
    );
  });
});

describe('Adapter: alert topic', () => {
  const topic = buildAlertTopic(
    new SNSClient({ region: 'eu-west-1' }),
    'arn:aws:sns:eu-west-1:111122223333:longshore-test-alerts',
  );

  it('publishes a final failure to the alert topic with filterable attributes', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    await topic.publish({
      subject: 'longshore dev: csv-ingest FAILED: exit 137',
      text: 'the text',
      attributes: { job: 'csv-ingest', status: 'FAILED' },
    });

    // Assess
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:longshore-test-alerts',
      Subject: 'longshore dev: csv-ingest FAILED: exit 137',
      Message: 'the text',
      MessageAttributes: expect.objectContaining({
        job: { DataType: 'String', StringValue: 'csv-ingest' },
        status: { DataType: 'String', StringValue: 'FAILED' },
      }),
    });
  });
});
