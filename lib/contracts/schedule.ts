/**
 * Schedule ticks in the three shapes that reach `onSchedule`:
 * 1. our own Scheduler target Input (no envelope): `{ longshore: 'schedule', job, trigger, scheduleArn, scheduledTime }`;
 * 2. EventBridge Scheduler's default payload: `source: aws.scheduler`, `detail` the *string* "{}";
 * 3. an EventBridge rule "Scheduled Event": `source: aws.events`, `detail` an object.
 * Shapes 2 and 3 name the job through the schedule or rule name `longshore-<stage>-<job>-cron<n>`.
 */
import * as z from 'zod';
import { InvalidEventError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';
import { isoTime, jobNameField } from './common.ts';

export interface ScheduleTick {
  /** The job, when the payload names it; else resolved from the schedule name. */
  job?: string;
  triggerIndex?: number;
  /** Schedule ARN (Scheduler) or rule ARN (rules): half of the run's identity. */
  schedule: string;
  /** When the tick was due (ISO 8601): the other half. Never the execution id. */
  scheduledTime: string;
}

/**
 * Our own Input. Loose on purpose: AWS documents adding Scheduler's context attributes
 * (`<aws.scheduler.execution-id>`, `<aws.scheduler.attempt-number>`) to a target's Input, and a
 * user may have; extra keys are tolerated and ignored. Strict where it protects us: the fields the
 * run's identity comes from (schedule ARN + scheduled time, never the execution id).
 */
export const ownInput = z.looseObject({
  longshore: z.literal('schedule'),
  job: jobNameField,
  trigger: z.number().int().min(0).max(999),
  scheduleArn: z.string().max(2048).startsWith('arn:'),
  scheduledTime: isoTime,
});

const envelope = {
  'detail-type': z.literal('Scheduled Event'),
  time: isoTime,
  resources: z.array(z.string().max(2048).startsWith('arn:')).min(1),
};

export const schedulerDefault = z.looseObject({
  source: z.literal('aws.scheduler'),
  detail: z.union([z.string(), z.object({})]),
  ...envelope,
});
export const ruleScheduled = z.looseObject({
  source: z.literal('aws.events'),
  detail: z.object({}).loose(),
  ...envelope,
});

/** `longshore-<stage>-<job>-cron<n>` from a schedule or rule ARN. */
export const scheduleNameParts = (arn: string, stage: string): { job: string; triggerIndex: number } | undefined => {
  const name = arn.split('/').pop() ?? '';
  const m = new RegExp(`^longshore-${stage}-([a-z][a-z0-9-]*)-cron(\\d+)$`).exec(name);
  return m ? { job: m[1] as string, triggerIndex: Number(m[2]) } : undefined;
};

/**
 * Parses any of the three shapes; throws InvalidEventError naming what is wrong.
 *
 * @example parseScheduleTick(input, 'dev').scheduledTime
 */
export const parseScheduleTick = (event: unknown, stage: string): ScheduleTick => {
  const own = ownInput.safeParse(event, { reportInput: true });
  if (own.success) {
    return {
      job: own.data.job,
      triggerIndex: own.data.trigger,
      schedule: own.data.scheduleArn,
      scheduledTime: own.data.scheduledTime,
    };
  }
  const source = typeof event === 'object' && event !== null ? (event as { source?: unknown }).source : undefined;
  const schema = source === 'aws.scheduler' ? schedulerDefault : source === 'aws.events' ? ruleScheduled : undefined;
  if (!schema) {
    const problems =
      typeof event === 'object' && event !== null && 'longshore' in event
        ? issueSentences(own.error)
        : [
            "not a schedule tick: expected longshore's schedule input, an aws.scheduler event or an aws.events 'Scheduled Event'",
          ];
    throw new InvalidEventError('schedule event', problems);
  }
  const parsed = schema.safeParse(event, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('schedule event', issueSentences(parsed.error));
  const arn = parsed.data.resources[0] as string;
  const parts = scheduleNameParts(arn, stage);
  return { ...(parts ?? {}), schedule: arn, scheduledTime: parsed.data.time };
};
