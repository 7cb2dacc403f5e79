/** The run events the `alert` function takes from the service's bus, checked at the edge. */
import * as z from 'zod';
import { ALERT_TYPES, RUN_EVENT_SOURCE } from '../domain/runEvents.ts';
import { InvalidEventError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';

export const alertEvent = z.looseObject({
  source: z.literal(RUN_EVENT_SOURCE),
  'detail-type': z.enum(ALERT_TYPES),
  detail: z.looseObject({ job: z.string(), stage: z.string() }),
});

export const parseAlertEvent = (event: unknown) => {
  const parsed = alertEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('run event for alerting', issueSentences(parsed.error));
  return {
    type: parsed.data['detail-type'],
    detail: parsed.data.detail as Record<string, unknown> & { job: string; stage: string },
  };
};
