/**
 * Schedule ticks in the three shapes that reach `onSchedule`:
 * 1. our own Scheduler target Input (no envelope): `{ longshore: 'schedule', job, trigger, scheduleArn, scheduledTime }`;
 * 2. EventBridge Scheduler's default payload: `source: aws.scheduler`, `detail` the *string* "{}";
 * 3. an EventBridge rule "Scheduled Event": `source: aws.events`, `detail` an object.
 * Shapes 2 and 3 name the job through the schedule or rule name `longshore-<stage>-<job>-cron<n>`.
 */
import { InvalidEventError } from '../errors.ts';
import { isoTime, jobNameField } from './common.ts';
import * as v from './schema.ts';

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
export const ownInput = v.looseObject({
  longshore: v.literal('schedule'),
  job: jobNameField,
  trigger: v.number().int().min(0).max(999),
  scheduleArn: v.string().max(2048).startsWith('arn:'),
  scheduledTime: isoTime,
});

const envelope = {
  'detail-type': v.literal('Scheduled Event'),
  time: isoTime,
  resources: v.array(v.string().max(2048).startsWith('arn:')).min(1),
};

export const schedulerDefault = v.looseObject({
  source: v.literal('aws.scheduler'),
  detail: v.union([v.string(), v.object({})]),
  ...envelope,
});
export const ruleScheduled = v.looseObject({
  source: v.literal('aws.events'),
  detail: v.looseObject({}),
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
  const own = ownInput.safeParse(event);
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
        ? v.problemSentences(own.error)
        : [
            "not a schedule tick: expected longshore's schedule input, an aws.scheduler event or an aws.events 'Scheduled Event'",
          ];
    throw new InvalidEventError('schedule event', problems);
  }
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidEventError('schedule event', v.problemSentences(parsed.error));
  const arn = parsed.data.resources[0] as string;
  const parts = scheduleNameParts(arn, stage);
  return { ...(parts ?? {}), schedule: arn, scheduledTime: parsed.data.time };
};
