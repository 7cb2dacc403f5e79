/** The launch queue: the buffer between triggers and RunTask. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LaunchMessage } from '../contracts/launch.ts';
import { EnqueueError } from '../errors.ts';
import type { LaunchQueuePort } from '../ports.ts';

export const sqsClient = new SQSClient({ maxAttempts: 6 });

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
            `SQS rejected ${failed.size} launch message(s): ${(out.Failed ?? []).map((f) => f.Code).join(', ')}`,
          );
        }
        batch = batch.filter((b) => failed.has(b.Id));
      }
    }
  },
});
