/** The run events the `alert` function takes from the service's bus, checked at the edge. */
import * as z from 'zod';
import { RUN_EVENT_SOURCE } from '../domain/runEvents.ts';
import { InvalidEventError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';
import { isoTime, runIdField } from './common.ts';

// What an alert's marker is keyed on must be there and well-formed: the run (and when it was
// created, for the marker's expiry), or for a missed tick the run it would have had and its time.
const runAlert = z.looseObject({
  source: z.literal(RUN_EVENT_SOURCE),
  'detail-type': z.enum(['Run Failed', 'Run Timed Out']),
  detail: z.looseObject({ job: z.string(), stage: z.string(), runId: runIdField, createdAt: isoTime }),
});
const missedAlert = z.looseObject({
  source: z.literal(RUN_EVENT_SOURCE),
  'detail-type': z.literal('Schedule Missed'),
  detail: z.looseObject({ job: z.string(), stage: z.string(), expectedRunId: runIdField, scheduledTime: isoTime }),
});

export const alertEvent = z.discriminatedUnion('detail-type', [runAlert, missedAlert]);

/** An alert event as the alert function uses it: its type and its detail (every field kept). */
export type AlertEvent =
  | {
      type: 'Run Failed' | 'Run Timed Out';
      detail: Record<string, unknown> & { job: string; stage: string; runId: string; createdAt: string };
    }
  | {
      type: 'Schedule Missed';
      detail: Record<string, unknown> & { job: string; stage: string; expectedRunId: string; scheduledTime: string };
    };

export const parseAlertEvent = (event: unknown): AlertEvent => {
  const parsed = alertEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('run event for alerting', issueSentences(parsed.error));
  return parsed.data['detail-type'] === 'Schedule Missed'
    ? {
        type: 'Schedule Missed',
        detail: parsed.data.detail as Extract<AlertEvent, { type: 'Schedule Missed' }>['detail'],
      }
    : {
        type: parsed.data['detail-type'],
        detail: parsed.data.detail as Extract<AlertEvent, { type: 'Run Failed' }>['detail'],
      };
};
