/** The run events the `alert` and `onRunFinished` functions take from the service's bus, checked at the edge. */
import { AFTER_STATUSES, type AfterStatus, type RunTrigger } from '../domain/run.ts';
import { FINISHED_TYPES, RUN_EVENT_SOURCE } from '../domain/runEvents.ts';
import { InvalidEventError } from '../errors.ts';
import { isoTime, jobNameField, runIdField } from './common.ts';
import * as v from './schema.ts';

// What an alert's marker is keyed on must be there and well-formed: the run (and when it was
// created, for the marker's expiry), or for a missed tick the run it would have had and its time.
const runAlert = v.looseObject({
  source: v.literal(RUN_EVENT_SOURCE),
  'detail-type': v.oneOf(['Run Failed', 'Run Timed Out']),
  detail: v.looseObject({ job: v.string(), stage: v.string(), runId: runIdField, createdAt: isoTime }),
});
const missedAlert = v.looseObject({
  source: v.literal(RUN_EVENT_SOURCE),
  'detail-type': v.literal('Schedule Missed'),
  detail: v.looseObject({ job: v.string(), stage: v.string(), expectedRunId: runIdField, scheduledTime: isoTime }),
});

export const alertEvent = v.discriminatedUnion('detail-type', [runAlert, missedAlert]);

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
  const parsed = alertEvent.safeParse(event);
  if (!parsed.success) throw new InvalidEventError('run event for alerting', v.problemSentences(parsed.error));
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

/**
 * A finished run's event. Only what names the run is required (its id, job, stage): the use case
 * reads the run itself from the store, where its status and outcome are the truth; status and
 * trigger are checked loosely for `explain`, which has no store.
 */
export const finishedRunEvent = v.looseObject({
  source: v.literal(RUN_EVENT_SOURCE),
  'detail-type': v.oneOf(FINISHED_TYPES),
  detail: v.looseObject({
    stage: v.string(),
    runId: runIdField,
    job: jobNameField,
    status: v.oneOf(AFTER_STATUSES),
    trigger: v.looseObject({ type: v.oneOf(['s3', 'batch', 'schedule', 'manual', 'after', 'event', 'sqs', 'retry']) }),
    exitCode: v.number().int().optional(),
    finishedAt: isoTime.optional(),
    /** A SUCCEEDED run's result (its job's `result`), as a JSON value. */
    result: v.unknown().optional(),
  }),
});

export interface FinishedRun {
  type: (typeof FINISHED_TYPES)[number];
  stage: string;
  runId: string;
  job: string;
  status: AfterStatus;
  /** As the event carries it (checked only for its type): `explain` shows it, the use case reads the store. */
  trigger: RunTrigger;
  exitCode?: number;
  finishedAt?: string;
  /** The result's JSON text, as a downstream task gets it (LONGSHORE_UPSTREAM_RESULT): `explain` shows it. */
  result?: string;
}

export const parseFinishedRunEvent = (event: unknown): FinishedRun => {
  const parsed = finishedRunEvent.safeParse(event);
  if (!parsed.success) throw new InvalidEventError('finished run event', v.problemSentences(parsed.error));
  const d = parsed.data.detail;
  return {
    type: parsed.data['detail-type'],
    stage: d.stage,
    runId: d.runId,
    job: d.job,
    status: d.status,
    trigger: d.trigger as RunTrigger,
    ...(d.exitCode !== undefined ? { exitCode: d.exitCode } : {}),
    ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
    ...(d.result !== undefined ? { result: JSON.stringify(d.result) } : {}),
  };
};
