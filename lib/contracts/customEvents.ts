/**
 * What the `event` and `sqs` triggers' functions take (issue 14, section 4), checked at the edge.
 *
 * An event trigger's rule sends `{ longshore: 'event', job, trigger, event }` (its input transformer
 * wraps the whole original event, `<aws.events.event.json>`), so the rule, not a second matcher,
 * decides which trigger an event is for. The sqs trigger's function gets the event source mapping's
 * batch; each record is checked on its own, so one bad message fails only itself.
 */
import { InvalidEventError } from '../errors.ts';
import { jobNameField } from './common.ts';
import * as v from './schema.ts';

export const eventDelivery = v.looseObject({
  longshore: v.literal('event'),
  job: jobNameField,
  trigger: v.number().int().min(0).max(99),
  event: v.looseObject({
    id: v.string().min(1).max(256),
    source: v.string().min(1).max(256),
    'detail-type': v.string().min(1).max(256),
  }),
});
export type EventDelivery = v.Output<typeof eventDelivery>;

export const parseEventDelivery = (raw: unknown): EventDelivery => {
  const parsed = eventDelivery.safeParse(raw);
  if (!parsed.success) throw new InvalidEventError('event trigger delivery', v.problemSentences(parsed.error));
  return parsed.data;
};

/** One SQS record as the event source mapping delivers it (only what the trigger reads is required). */
export const queueRecord = v.looseObject({
  messageId: v.string().min(1).max(128),
  body: v.string(),
  eventSourceARN: v.string().min(1),
  attributes: v.record(v.unknown()).optional(),
  messageAttributes: v.record(v.unknown()).optional(),
});
export type QueueRecord = v.Output<typeof queueRecord>;

/** The batch: its records stay unchecked here, so one malformed record cannot fail the others. */
export const queueBatch = v.looseObject({
  Records: v.array(v.looseObject({ messageId: v.string().min(1) })).min(1),
});
