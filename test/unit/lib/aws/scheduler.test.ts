/**
 * The Scheduler adapter: a schedule's state changed by GetSchedule then UpdateSchedule with every
 * field it had (UpdateSchedule resets whatever it is not sent), nothing sent when the state is
 * right already, a schedule that does not exist reported as missing, other errors thrown.
 */
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildSchedules } from '../../../../lib/aws/scheduler.ts';

const schedulerMock = mockClient(SchedulerClient);
const schedules = buildSchedules(new SchedulerClient({ region: 'eu-west-1' }));
const GROUP = 'longshore-prod';
const NAME = 'longshore-prod-nightly-report-cron0';

/** A schedule as GetSchedule describes one the stack deployed (read-only fields included). */
const deployed = {
  Arn: `arn:aws:scheduler:eu-west-1:111122223333:schedule/${GROUP}/${NAME}`,
  GroupName: GROUP,
  Name: NAME,
  ScheduleExpression: 'cron(0 2 * * ? *)',
  ScheduleExpressionTimezone: 'Europe/Paris',
  Description: 'nightly-report: cron(0 2 * * ? *) (Europe/Paris), overlap forbid',
  State: 'ENABLED' as const,
  FlexibleTimeWindow: { Mode: 'OFF' as const },
  CreationDate: new Date('2026-11-01T00:00:00Z'),
  LastModificationDate: new Date('2026-11-02T00:00:00Z'),
  Target: {
    Arn: 'arn:aws:lambda:eu-west-1:111122223333:function:longshore-prod-onSchedule',
    RoleArn: 'arn:aws:iam::111122223333:role/longshore-prod-scheduler-eu-west-1',
    Input: '{"longshore":"schedule","job":"nightly-report","trigger":0}',
    RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:111122223333:longshore-prod-events-dlq' },
  },
};

beforeEach(() => {
  schedulerMock.reset();
});

describe('Function: buildSchedules', () => {
  it('disables a schedule with every field GetSchedule returned, only the state changed', async () => {
    // Prepare
    schedulerMock.on(GetScheduleCommand).resolves(deployed);
    schedulerMock.on(UpdateScheduleCommand).resolves({ ScheduleArn: deployed.Arn });

    // Act
    const result = await schedules.setEnabled(GROUP, NAME, false);

    // Assess
    expect(result).toBe('changed');
    expect(schedulerMock).toHaveReceivedCommandWith(GetScheduleCommand, { GroupName: GROUP, Name: NAME });
    const sent = schedulerMock.commandCalls(UpdateScheduleCommand)[0]?.args[0].input;
    expect(sent).toEqual({
      Name: NAME,
      GroupName: GROUP,
      ScheduleExpression: deployed.ScheduleExpression,
      ScheduleExpressionTimezone: deployed.ScheduleExpressionTimezone,
      Description: deployed.Description,
      FlexibleTimeWindow: deployed.FlexibleTimeWindow,
      Target: deployed.Target,
      State: 'DISABLED',
    });
  });

  it('sends no update when the schedule is in that state already', async () => {
    // Prepare
    schedulerMock.on(GetScheduleCommand).resolves({ ...deployed, State: 'DISABLED' });

    // Act
    const result = await schedules.setEnabled(GROUP, NAME, false);

    // Assess
    expect(result).toBe('unchanged');
    expect(schedulerMock).not.toHaveReceivedCommand(UpdateScheduleCommand);
  });

  it.each([['GetSchedule'], ['UpdateSchedule']] as const)(
    'answers missing when %s says the schedule does not exist',
    async (which) => {
      // Prepare
      const notFound = Object.assign(new Error('Schedule not found'), { name: 'ResourceNotFoundException' });
      if (which === 'GetSchedule') schedulerMock.on(GetScheduleCommand).rejects(notFound);
      else {
        schedulerMock.on(GetScheduleCommand).resolves({ ...deployed, State: 'DISABLED' });
        schedulerMock.on(UpdateScheduleCommand).rejects(notFound);
      }

      // Act
      const result = await schedules.setEnabled(GROUP, NAME, true);

      // Assess
      expect(result).toBe('missing');
    },
  );

  it('throws any other error (access denied, throttling) so the command can be asked again', async () => {
    // Prepare
    schedulerMock
      .on(GetScheduleCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    // Act & Assess
    await expect(schedules.setEnabled(GROUP, NAME, true)).rejects.toThrow('not authorized');
  });
});
