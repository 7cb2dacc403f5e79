/**
 * The launcher's batch: the SQS messages one invocation gets, each parsed (a malformed one is a
 * batch item failure: it goes to the dead-letter queue after its receives), the same attempt once,
 * four launches at a time; the messages to retry come back as the partial batch response.
 */
import type { LaunchMessage } from './contracts/launch.ts';
import { type LaunchResult, launchOne } from './launch.ts';
import { logger } from './logger.ts';
import type { LaunchDeps } from './ports.ts';

export interface QueueRecord {
  messageId: string;
  body: string;
}

/**
 * How many launches one invocation runs at once; the pacer bounds the rate (the event source mapping's
 * `maximumConcurrency`, LAUNCHER_CONCURRENCY in functions/launcher/config.ts, bounds the invocations).
 */
const WORKERS_PER_INVOCATION = 4;

/**
 * Launches a batch from the queue; returns the message ids to retry (SQS partial batch response).
 * Messages for the same attempt are processed once.
 */
export const launchBatch = async (
  deps: LaunchDeps,
  records: QueueRecord[],
  parse: (body: string) => LaunchMessage,
): Promise<{ batchItemFailures: { itemIdentifier: string }[]; outcomes: Record<string, LaunchResult> }> => {
  const failures: string[] = [];
  const outcomes: Record<string, LaunchResult> = {};
  const seen = new Set<string>();
  const work: { id: string; message: LaunchMessage }[] = [];
  for (const r of records) {
    try {
      const message = parse(r.body);
      const key = `${message.runId}#${message.attempt}`;
      if (seen.has(key)) {
        outcomes[r.messageId] = 'skipped';
        continue;
      }
      seen.add(key);
      work.push({ id: r.messageId, message });
    } catch (e) {
      logger.error('Launch message is malformed; it goes to the dead-letter queue after its retries', {
        messageId: r.messageId,
        error: e as Error,
      });
      failures.push(r.messageId);
    }
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < work.length) {
      const item = work[next++] as (typeof work)[number];
      try {
        const outcome = await launchOne(deps, item.message);
        outcomes[item.id] = outcome;
        if (outcome === 'busy') failures.push(item.id);
      } catch (e) {
        logger.error('Launch attempt failed unexpectedly; the message will be retried', {
          runId: item.message.runId,
          error: e as Error,
        });
        failures.push(item.id);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WORKERS_PER_INVOCATION, work.length) }, worker));
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })), outcomes };
};
