/** The run events the `alert` and `onRunFinished` functions take from the service's bus, checked at the edge. */
import * as z from 'zod';
import { AFTER_STATUSES, type AfterStatus, type RunTrigger } from '../domain/run.ts';
import { ALERT_TYPES, FINISHED_TYPES, RUN_EVENT_SOURCE } from '../domain/runEvents.ts';
import { InvalidEventError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';
import { isoTime, jobNameField, runIdField } from './common.ts';

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

/**
 * A finished run's event. Only what names the run is required (its id, job, stage): the use case
 * reads the run itself from the store, where its status and outcome are the truth; status and
 * trigger are checked loosely for `explain`, which has no store.
 */
export const finishedRunEvent = z.looseObject({
  source: z.literal(RUN_EVENT_SOURCE),
  'detail-type': z.enum(FINISHED_TYPES),
  detail: z.looseObject({
    stage: z.string(),
    runId: runIdField,
    job: jobNameField,
    status: z.enum(AFTER_STATUSES),
    trigger: z.looseObject({ type: z.enum(['s3', 'schedule', 'manual', 'after', 'retry']) }),
    exitCode: z.number().int().optional(),
    finishedAt: isoTime.optional(),
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
}

export const parseFinishedRunEvent = (event: unknown): FinishedRun => {
  const parsed = finishedRunEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('finished run event', issueSentences(parsed.error));
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
  };
};
