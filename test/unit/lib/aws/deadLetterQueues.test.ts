/**
 * The dead-letter queues adapter (lib/aws/sqs.ts buildDeadLetterQueues) over a mocked SQS: a listing
 * receives with a short visibility timeout, deletes nothing and makes every message visible again;
 * a redrive of the whole launch DLQ is SQS's message move task; chosen messages are sent back (or
 * invoked) first and deleted after, the others released; a failure leaves the message in the queue.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildDeadLetterQueues, PEEK_VISIBILITY_SECONDS, TAKE_VISIBILITY_SECONDS } from '../../../../lib/aws/sqs.ts';

const sqsMock = mockClient(SQSClient);
const URLS = {
  launchDlq: 'https://sqs.eu-west-1.amazonaws.com/111122223333/longshore-prod-launch-dlq',
  eventsDlq: 'https://sqs.eu-west-1.amazonaws.com/111122223333/longshore-prod-events-dlq',
  launchQueue: 'https://sqs.eu-west-1.amazonaws.com/111122223333/longshore-prod-launch',
};
const DLQ_ARN = 'arn:aws:sqs:eu-west-1:111122223333:longshore-prod-launch-dlq';
const RUN = 'csv-ingest-abcdefghijklmnopqrst';
const FN = 'arn:aws:lambda:eu-west-1:111122223333:function:longshore-prod-onUpload';

const launchMessage = (n: number) => ({
  MessageId: `m${n}`,
  ReceiptHandle: `rh${n}`,
  Body: JSON.stringify({ v: 1, runId: RUN, attempt: n }),
  Attributes: { SentTimestamp: String(Date.parse('2026-11-22T09:00:00Z') + n * 1000), ApproximateReceiveCount: '1' },
});

/** Answers the receives in turn, then nothing (an emptied queue). */
const receives = (...pages: ReturnType<typeof launchMessage>[][]) => {
  let chain = sqsMock.on(ReceiveMessageCommand);
  for (const page of pages) chain = chain.resolvesOnce({ Messages: page });
  chain.resolves({ Messages: [] });
};

const invoked: { fn: string; payload: unknown }[] = [];
let invokeFails = false;
const queues = () =>
  buildDeadLetterQueues(new SQSClient({ region: 'eu-west-1' }), URLS, async (fn, payload) => {
    if (invokeFails) throw new Error('Rate exceeded');
    invoked.push({ fn, payload });
  });

beforeEach(() => {
  sqsMock.reset();
  invoked.length = 0;
  invokeFails = false;
  sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: DLQ_ARN } });
  sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqsMock.on(DeleteMessageCommand).resolves({});
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'new' });
});

describe('Function: buildDeadLetterQueues', () => {
  it('lists without consuming: short visibility, long polling of 1 s, every message released, none deleted', async () => {
    // Prepare
    receives([launchMessage(1), launchMessage(2)], [launchMessage(3)]);

    // Act
    const listed = await queues().list('launch', 50);

    // Assess
    expect(listed.map((m) => m.messageId)).toEqual(['m1', 'm2', 'm3']);
    expect(listed[0]).toEqual({
      messageId: 'm1',
      body: JSON.stringify({ v: 1, runId: RUN, attempt: 1 }),
      sentAt: '2026-11-22T09:00:01.000Z',
      receiveCount: 1,
    });
    for (const call of sqsMock.commandCalls(ReceiveMessageCommand))
      expect(call.args[0].input).toMatchObject({
        QueueUrl: URLS.launchDlq,
        VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
        WaitTimeSeconds: 1,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      });
    const released = sqsMock
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ['rh1', 0],
      ['rh2', 0],
      ['rh3', 0],
    ]);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('redrives the whole launch DLQ with a message move task back to its source queue', async () => {
    // Prepare
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'th-1' });

    // Act
    const report = await queues().redrive('launch', 'all');

    // Assess: no destination: SQS moves them back to the queue whose redrive policy names this DLQ.
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input)).toEqual([
      { SourceArn: DLQ_ARN },
    ]);
    expect(report).toEqual({
      queue: 'launch',
      moveTask: { taskHandle: 'th-1', status: 'RUNNING' },
      redriven: [],
      notFound: [],
      failed: [],
    });
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it('reads the move tasks of a queue', async () => {
    // Prepare
    sqsMock.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'RUNNING',
          TaskHandle: 'th-1',
          ApproximateNumberOfMessagesMoved: 4,
          ApproximateNumberOfMessagesToMove: 9,
          StartedTimestamp: Date.parse('2026-11-22T09:00:00Z'),
        },
      ],
    });

    // Act
    const tasks = await queues().moveTasks('launch');

    // Assess
    expect(sqsMock.commandCalls(ListMessageMoveTasksCommand)[0]?.args[0].input).toEqual({
      SourceArn: DLQ_ARN,
      MaxResults: 10,
    });
    expect(tasks).toEqual([
      { status: 'RUNNING', taskHandle: 'th-1', moved: 4, toMove: 9, startedAt: '2026-11-22T09:00:00.000Z' },
    ]);
  });

  it('redrives chosen launch messages: SendMessage to the launch queue, then DeleteMessage; the others released', async () => {
    // Prepare
    receives([launchMessage(1), launchMessage(2), launchMessage(3)]);

    // Act
    const report = await queues().redrive('launch', ['m2', 'm9']);

    // Assess
    expect(report).toEqual({ queue: 'launch', redriven: ['m2'], notFound: ['m9'], failed: [] });
    expect(sqsMock.commandCalls(ReceiveMessageCommand)[0]?.args[0].input.VisibilityTimeout).toBe(
      TAKE_VISIBILITY_SECONDS,
    );
    expect(sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: URLS.launchQueue, MessageBody: JSON.stringify({ v: 1, runId: RUN, attempt: 2 }) },
    ]);
    expect(sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: URLS.launchDlq, ReceiptHandle: 'rh2' },
    ]);
    const released = sqsMock
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.map((e) => e.ReceiptHandle)).toEqual(['rh1', 'rh3']);
    // Sent before deleted: a crash between the two leaves a duplicate (the launcher's), never a loss.
    const order = sqsMock.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(order.indexOf('SendMessageCommand')).toBeLessThan(order.indexOf('DeleteMessageCommand'));
    expect(order.indexOf('SendMessageCommand')).toBeGreaterThan(-1);
  });

  it('redrives an events message by invoking its function with the original event, then deletes it', async () => {
    // Prepare
    const event = { 'detail-type': 'Object Created', detail: { bucket: { name: 'acme' } } };
    const record = {
      requestContext: { functionArn: `${FN}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event,
      responsePayload: { errorType: 'Error', errorMessage: 'boom' },
    };
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'e1', ReceiptHandle: 'rhe1', Body: JSON.stringify(record) }] })
      .resolves({ Messages: [] });

    // Act
    const report = await queues().redrive('events', 'all');

    // Assess
    expect(invoked).toEqual([{ fn: FN, payload: event }]);
    expect(sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: URLS.eventsDlq, ReceiptHandle: 'rhe1' },
    ]);
    expect(report).toEqual({ queue: 'events', redriven: ['e1'], notFound: [], failed: [] });
  });

  it('leaves a message whose redelivery failed in the queue, and says why', async () => {
    // Prepare
    invokeFails = true;
    const record = { requestContext: { functionArn: FN }, requestPayload: {}, responsePayload: {} };
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'e1', ReceiptHandle: 'rhe1', Body: JSON.stringify(record) }] })
      .resolves({ Messages: [] });

    // Act
    const report = await queues().redrive('events', ['e1']);

    // Assess
    expect(report.failed).toEqual([{ id: 'e1', error: 'Error: Rate exceeded' }]);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});
