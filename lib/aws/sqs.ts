/** The launch queue: the buffer between triggers and RunTask. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LaunchMessage } from '../contracts/launch.ts';
import { AppError } from '../errors.ts';

export const sqsClient = new SQSClient({ maxAttempts: 6 });

/** SQS delays a message at most 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

export interface LaunchEnqueue {
  runId: string;
  attempt: number;
  delaySeconds?: number;
}

export class EnqueueError extends AppError {
  override readonly name = 'EnqueueError';
  readonly code = 'ENQUEUE_FAILED';
  override readonly retryable = true;
}

export type LaunchQueuePort = ReturnType<typeof buildLaunchQueue>;

export const buildLaunchQueue = (client: SQSClient, queueUrl: string) => ({
  /** Sends launch messages in batches of 10; entries SQS rejects are sent once more, then it throws. */
  enqueue: async (messages: LaunchEnqueue[]): Promise<void> => {
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
