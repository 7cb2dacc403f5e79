/**
 * Any event as a trigger (issue 14, section 4): an EventBridge event or an SQS message becomes a
 * run through the same accept -> launch path as every other trigger (acceptRuns: a conditional
 * create keyed by the run id, then the launch queue), so the exactly-once and concurrency rules are
 * the same. The run id derives from the values at the trigger's identity paths: a redelivered
 * event (same event id) or a message received again (same message id) names the run that exists.
 */
import { type AcceptedRun, acceptRuns } from './acceptRuns.ts';
import { type EventDelivery, queueRecord } from './contracts/customEvents.ts';
import { problemSentences } from './contracts/schema.ts';
import { eventRunTrigger, eventTriggerAt, extract, messageRequests } from './domain/eventTrigger.ts';
import { faultKind, RequestRejectedError } from './errors.ts';
import { logger } from './logger.ts';
import type { CoreDeps } from './ports.ts';

/**
 * One event an event trigger's rule delivered: its run, created once. An event that cannot become a
 * run (a trigger the catalog no longer has, a path missing in the event, a value too long) is
 * rejected: Lambda retries it, then keeps it in the events dead-letter queue with the reason.
 *
 * @example await acceptEvent(deps, parseEventDelivery(raw))
 */
export const acceptEvent = async (deps: CoreDeps, delivery: EventDelivery): Promise<AcceptedRun> => {
  const job = deps.catalog().jobs.find((j) => j.name === delivery.job);
  const trigger = job ? eventTriggerAt(job, delivery.trigger) : undefined;
  if (!job || !trigger)
    throw new RequestRejectedError(
      `job ${delivery.job} has no event trigger #${delivery.trigger} in this catalog (a rule of an earlier deploy?)`,
    );
  const taken = extract(trigger, delivery.event);
  if (!taken.ok)
    throw new RequestRejectedError(`event ${delivery.event.id} cannot start ${job.name}: ${taken.problems.join('; ')}`);
  const [run] = await acceptRuns(deps, [{ job, trigger: eventRunTrigger(delivery.trigger, delivery.event, taken) }]);
  return run as AcceptedRun;
};

export interface MessageBatchResult {
  /** The SQS partial batch response: these messages are received again, then dead-lettered by the queue's redrive policy. */
  batchItemFailures: { itemIdentifier: string }[];
  runs: AcceptedRun[];
}

/**
 * A batch from an sqs trigger's queue. Each message on its own: one that cannot become a run (not
 * JSON, a missing path, a store or queue failure) is a batch item failure and the others go on;
 * all of a message's runs are created before it counts as done, so a receive after a crash creates
 * only what is missing.
 *
 * @example await acceptMessages(deps, event.Records, (arn) => arn)
 */
export const acceptMessages = async (
  deps: CoreDeps,
  records: readonly unknown[],
  queueKeyOf: (arn: string) => string | undefined,
): Promise<MessageBatchResult> => {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  const runs: AcceptedRun[] = [];
  for (const raw of records) {
    const id = String((raw as { messageId?: unknown })?.messageId ?? '');
    try {
      const parsed = queueRecord.safeParse(raw);
      if (!parsed.success)
        throw new RequestRejectedError(
          `message ${id}: not an SQS record (${problemSentences(parsed.error).join('; ')})`,
        );
      runs.push(...(await acceptRuns(deps, messageRequests(deps.catalog(), parsed.data, queueKeyOf))));
    } catch (e) {
      deps.metrics.fault(faultKind(e));
      logger.error('Message cannot become a run; it is received again, then dead-lettered by the queue', {
        messageId: id,
        error: e as Error,
      });
      batchItemFailures.push({ itemIdentifier: id });
    }
  }
  return { batchItemFailures, runs };
};
