/**
 * What the `event` and `sqs` triggers' functions take (issue 14, section 4), checked at the edge.
 *
 * An event trigger's rule sends `{ longshore: 'event', job, trigger, event }` (its input transformer
 * wraps the whole original event, `<aws.events.event.json>`), so the rule, not a second matcher,
 * decides which trigger an event is for. The sqs trigger's function gets the event source mapping's
 * batch; each record is checked on its own, so one bad message fails only itself.
 */
import * as z from 'zod';
import { InvalidEventError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';
import { jobNameField } from './common.ts';

export const eventDelivery = z.looseObject({
  longshore: z.literal('event'),
  job: jobNameField,
  trigger: z.number().int().min(0).max(99),
  event: z.looseObject({
    id: z.string().min(1).max(256),
    source: z.string().min(1).max(256),
    'detail-type': z.string().min(1).max(256),
  }),
});
export type EventDelivery = z.output<typeof eventDelivery>;

export const parseEventDelivery = (raw: unknown): EventDelivery => {
  const parsed = eventDelivery.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('event trigger delivery', issueSentences(parsed.error));
  return parsed.data;
};

/** One SQS record as the event source mapping delivers it (only what the trigger reads is required). */
export const queueRecord = z.looseObject({
  messageId: z.string().min(1).max(128),
  body: z.string(),
  eventSourceARN: z.string().min(1),
  attributes: z.record(z.string(), z.unknown()).optional(),
  messageAttributes: z.record(z.string(), z.unknown()).optional(),
});
export type QueueRecord = z.output<typeof queueRecord>;

/** The batch: its records stay unchecked here, so one malformed record cannot fail the others. */
export const queueBatch = z.looseObject({
  Records: z.array(z.looseObject({ messageId: z.string().min(1) })).min(1),
});
