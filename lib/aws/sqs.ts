/** The launch queue: the buffer between triggers and RunTask; and the dead-letter queues, for the CLI. */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { LaunchMessage } from '../contracts/launch.ts';
import { type DeadLetterQueue, describeDeadLetter, type RawDeadLetter } from '../domain/deadLetter.ts';
import { EnqueueError } from '../errors.ts';
import {
  type DeadLetterQueuesPort,
  type LaunchQueuePort,
  MAX_DEAD_LETTERS,
  type QueueInspectorPort,
  type RedriveReport,
} from '../ports.ts';

export const sqsClient = /* @__PURE__ */ new SQSClient({ maxAttempts: 6 });

/** SQS delays a message at most 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

export const buildLaunchQueue = (client: SQSClient, queueUrl: string): LaunchQueuePort => ({
  /** Sends launch messages in batches of 10; entries SQS rejects are sent once more, then it throws. */
  enqueue: async (messages) => {
    for (let i = 0; i < messages.length; i += 10) {
      let batch = messages.slice(i, i + 10).map((m, j) => ({
        Id: String(j),
        MessageBody: JSON.stringify({ v: 1, runId: m.runId, attempt: m.attempt } satisfies LaunchMessage),
        ...(m.delaySeconds
          ? { DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(m.delaySeconds))) }
          : {}),
      }));
      for (let tries = 0; batch.length > 0; tries++) {
        const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        if (failed.size === 0) break;
        if (tries >= 1) {
          throw new EnqueueError(
            `SQS rejected ${failed.size} launch message(s): ${(out.Failed ?? []).map((f) => `${f.Code}${f.Message ? ` (${f.Message})` : ''}`).join(', ')}`,
          );
        }
        batch = batch.filter((b) => failed.has(b.Id));
      }
    }
  },
});

// -- The dead-letter queues, for the CLI (`longshore dlq`) -------------------------------------

/**
 * How long a listing holds the messages it has seen: long enough that the next ReceiveMessage of
 * the walk returns other messages (with 0 it may return the same first ones again and never reach
 * the rest), short enough that a crashed CLI hides nothing for long. The walk then makes them
 * visible again at once (ChangeMessageVisibility 0). Nothing is deleted: listing consumes nothing.
 */
export const PEEK_VISIBILITY_SECONDS = 20;
/** A redrive of chosen messages holds them this long between its SendMessage/Invoke and its DeleteMessage. */
export const TAKE_VISIBILITY_SECONDS = 120;

interface Held {
  message: RawDeadLetter;
  receipt: string;
}

const toRaw = (m: Message): RawDeadLetter => {
  const attributes = Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).flatMap(([k, v]) =>
      v.StringValue !== undefined ? [[k, v.StringValue]] : [],
    ),
  );
  const sent = Number(m.Attributes?.SentTimestamp);
  const receives = Number(m.Attributes?.ApproximateReceiveCount);
  return {
    messageId: m.MessageId ?? '',
    body: m.Body ?? '',
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(Number.isFinite(receives) && receives > 0 ? { receiveCount: receives } : {}),
  };
};

/** Receives until `enough` says stop or the queue has nothing more to give (long polling of 1 s asks every server). */
const receiveAll = async (
  client: SQSClient,
  queueUrl: string,
  visibility: number,
  enough: (held: Map<string, Held>) => boolean,
  maxRounds: number,
): Promise<Map<string, Held>> => {
  const held = new Map<string, Held>();
  for (let round = 0; round < maxRounds && !enough(held); round++) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibility,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages)
      if (m.MessageId && m.ReceiptHandle) held.set(m.MessageId, { message: toRaw(m), receipt: m.ReceiptHandle });
  }
  return held;
};

/** Makes held messages visible again now (ChangeMessageVisibilityBatch, 10 at a time). */
const release = async (client: SQSClient, queueUrl: string, held: Held[]): Promise<void> => {
  for (let i = 0; i < held.length; i += 10) {
    await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: held
          .slice(i, i + 10)
          .map((h, j) => ({ Id: String(j), ReceiptHandle: h.receipt, VisibilityTimeout: 0 })),
      }),
    );
  }
};

export interface DeadLetterQueueUrls {
  launchDlq: string;
  eventsDlq: string;
  /** Where a launch message goes back to (the launch DLQ's source). */
  launchQueue: string;
}

/**
 * The stage's dead-letter queues (lib/ports.ts DeadLetterQueuesPort). `invokeAsync` re-delivers an
 * events message to its function (Lambda's asynchronous Invoke, by the Lambda adapter).
 * A redrive sends (or invokes) first and deletes after: a crash between the two leaves the message
 * in the dead-letter queue and delivered, which the handlers take as the duplicate it is
 * (invariants 1 and 2); deleting first could lose it.
 */
export const buildDeadLetterQueues = (
  client: SQSClient,
  urls: DeadLetterQueueUrls,
  invokeAsync: (functionName: string, payload: unknown) => Promise<void>,
): DeadLetterQueuesPort => {
  const urlOf = (queue: DeadLetterQueue) => (queue === 'launch' ? urls.launchDlq : urls.eventsDlq);
  const arnOf = async (url: string): Promise<string> => {
    const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    const arn = out.Attributes?.QueueArn;
    if (!arn) throw new EnqueueError(`SQS gave no QueueArn for ${url}`);
    return arn;
  };
  /** Holds the messages with these ids (or all of them), releasing the others at once. */
  const take = async (queue: DeadLetterQueue, ids: string[] | 'all'): Promise<Held[]> => {
    const url = urlOf(queue);
    const wanted = ids === 'all' ? undefined : new Set(ids);
    const held = await receiveAll(
      client,
      url,
      TAKE_VISIBILITY_SECONDS,
      (h) => wanted !== undefined && [...wanted].every((id) => h.has(id)),
      MAX_DEAD_LETTERS / 10,
    );
    const chosen = [...held.values()].filter((h) => !wanted || wanted.has(h.message.messageId));
    await release(
      client,
      url,
      [...held.values()].filter((h) => !chosen.includes(h)),
    );
    return chosen;
  };
  return {
    list: async (queue, limit) => {
      const url = urlOf(queue);
      const held = await receiveAll(
        client,
        url,
        PEEK_VISIBILITY_SECONDS,
        (h) => h.size >= limit,
        Math.ceil(limit / 10) + 1,
      );
      await release(client, url, [...held.values()]);
      return [...held.values()].map((h) => h.message).slice(0, limit);
    },
    moveTasks: async (queue) => {
      const out = await client.send(
        new ListMessageMoveTasksCommand({ SourceArn: await arnOf(urlOf(queue)), MaxResults: 10 }),
      );
      return (out.Results ?? []).map((t) => ({
        status: t.Status ?? 'UNKNOWN',
        ...(t.TaskHandle ? { taskHandle: t.TaskHandle } : {}),
        ...(t.ApproximateNumberOfMessagesMoved !== undefined ? { moved: t.ApproximateNumberOfMessagesMoved } : {}),
        ...(t.ApproximateNumberOfMessagesToMove !== undefined ? { toMove: t.ApproximateNumberOfMessagesToMove } : {}),
        ...(t.StartedTimestamp ? { startedAt: new Date(t.StartedTimestamp).toISOString() } : {}),
        ...(t.FailureReason ? { failureReason: t.FailureReason } : {}),
      }));
    },
    redrive: async (queue, ids) => {
      // All of the launch DLQ: SQS's own move task, back to the queue whose redrive policy names it.
      if (queue === 'launch' && ids === 'all') {
        const out = await client.send(new StartMessageMoveTaskCommand({ SourceArn: await arnOf(urls.launchDlq) }));
        return {
          queue,
          moveTask: { taskHandle: out.TaskHandle ?? '', status: 'RUNNING' },
          redriven: [],
          notFound: [],
          failed: [],
        };
      }
      // Chosen messages (a move task moves a whole queue), or the events DLQ (whose messages go back
      // to functions, not to a queue): each one sent back, then deleted.
      const chosen = await take(queue, ids);
      const found = new Set(chosen.map((h) => h.message.messageId));
      const report: RedriveReport = {
        queue,
        redriven: [],
        notFound: ids === 'all' ? [] : ids.filter((id) => !found.has(id)),
        failed: [],
      };
      for (const h of chosen) {
        try {
          if (queue === 'launch')
            await client.send(new SendMessageCommand({ QueueUrl: urls.launchQueue, MessageBody: h.message.body }));
          else {
            const letter = describeDeadLetter(queue, h.message);
            if (!letter.target) throw new Error(`it names no function to deliver it to (${letter.kind})`);
            await invokeAsync(letter.target, letter.payload);
          }
          await client.send(new DeleteMessageCommand({ QueueUrl: urlOf(queue), ReceiptHandle: h.receipt }));
          report.redriven.push(h.message.messageId);
        } catch (e) {
          report.failed.push({ id: h.message.messageId, error: `${(e as Error).name}: ${(e as Error).message}` });
        }
      }
      return report;
    },
  };
};

// -- The trigger queues, for `longshore doctor` ------------------------------------------------

/**
 * What the doctor reads of a user's queue: whether it exists (GetQueueUrl by name and owner), its
 * visibility timeout and its KMS key (GetQueueAttributes). Read only.
 */
export const buildQueueInspector = (client: SQSClient): QueueInspectorPort => ({
  state: async (arn) => {
    const [, , , region, account, name] = arn.split(':');
    if (!region || !account || !name) return { exists: 'no' };
    let url: string | undefined;
    try {
      url = (await client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))).QueueUrl;
    } catch (e) {
      const error = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      // SQS's JSON protocol names it QueueDoesNotExist; its query-protocol code was AWS.SimpleQueueService.NonExistentQueue.
      if (error.name === 'QueueDoesNotExist' || error.name === 'AWS.SimpleQueueService.NonExistentQueue')
        return { exists: 'no' };
      if (
        error.name === 'AccessDenied' ||
        error.name === 'AccessDeniedException' ||
        error.$metadata?.httpStatusCode === 403
      )
        return { exists: 'forbidden' };
      throw e;
    }
    if (!url) return { exists: 'no' };
    const out = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'KmsMasterKeyId'] }),
    );
    const visibility = Number(out.Attributes?.VisibilityTimeout);
    const key = out.Attributes?.KmsMasterKeyId;
    return {
      exists: 'yes',
      ...(Number.isInteger(visibility) ? { visibilityTimeoutSeconds: visibility } : {}),
      ...(key ? { kmsKeyId: key } : {}),
    };
  },
});
