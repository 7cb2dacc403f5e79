/**
 * EventBridge Scheduler: a job's schedules disabled by `jobs pause` and enabled by `jobs resume`.
 * UpdateSchedule replaces the whole schedule: "EventBridge Scheduler uses all values, including
 * empty values, specified in the request and overrides the existing schedule ... if you do not set
 * an optional field in your request, that field will be set to its system-default value"; the API
 * reference recommends GetSchedule first (Scheduler API reference, UpdateSchedule). So the update
 * sends back every field GetSchedule returned, with only `State` changed. UpdateSchedule passes the
 * target's role again: the caller needs iam:PassRole on the scheduler's role (lib/infra).
 */
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  SchedulerClient,
  UpdateScheduleCommand,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import type { SchedulesPort } from '../ports.ts';

export const schedulerClient = (region?: string): SchedulerClient =>
  new SchedulerClient({ maxAttempts: 6, ...(region ? { region } : {}) });

const absent = (e: unknown): boolean => (e as { name?: string }).name === 'ResourceNotFoundException';

/**
 * The UpdateSchedule request that keeps a schedule as GetSchedule described it, in `state`. The
 * read-only fields (Arn, CreationDate, LastModificationDate) are not part of an update.
 */
export const updateKeeping = (
  found: GetScheduleCommandOutput,
  group: string,
  name: string,
  state: 'ENABLED' | 'DISABLED',
): UpdateScheduleCommandInput => {
  if (!found.ScheduleExpression || !found.Target || !found.FlexibleTimeWindow)
    throw new Error(`GetSchedule of ${group}/${name} returned no expression, target or time window`);
  return {
    Name: name,
    GroupName: group,
    ScheduleExpression: found.ScheduleExpression,
    FlexibleTimeWindow: found.FlexibleTimeWindow,
    Target: found.Target,
    State: state,
    ...(found.ScheduleExpressionTimezone ? { ScheduleExpressionTimezone: found.ScheduleExpressionTimezone } : {}),
    ...(found.Description !== undefined ? { Description: found.Description } : {}),
    ...(found.StartDate ? { StartDate: found.StartDate } : {}),
    ...(found.EndDate ? { EndDate: found.EndDate } : {}),
    ...(found.KmsKeyArn ? { KmsKeyArn: found.KmsKeyArn } : {}),
    ...(found.ActionAfterCompletion ? { ActionAfterCompletion: found.ActionAfterCompletion } : {}),
  };
};

/**
 * @example await buildSchedules(schedulerClient()).setEnabled('longshore-prod', 'longshore-prod-nightly-report-cron0', false)
 */
export const buildSchedules = (client: SchedulerClient): SchedulesPort => ({
  setEnabled: async (group, name, enabled) => {
    const state = enabled ? 'ENABLED' : 'DISABLED';
    let found: GetScheduleCommandOutput;
    try {
      found = await client.send(new GetScheduleCommand({ GroupName: group, Name: name }));
    } catch (e) {
      if (absent(e)) return 'missing';
      throw e;
    }
    if (found.State === state) return 'unchanged';
    try {
      await client.send(new UpdateScheduleCommand(updateKeeping(found, group, name, state)));
    } catch (e) {
      // Deleted between the two calls (a deploy that removed the trigger): nothing left to change.
      if (absent(e)) return 'missing';
      throw e;
    }
    return 'changed';
  },
});
