import { describe, expect, it } from 'vitest';
import { parseScheduleTick, scheduleNameParts } from '../../../../lib/contracts/schedule.ts';
import { loadEvent } from '../../../helpers/events.ts';

describe('Function: parseScheduleTick', () => {
  it('reads our own Scheduler input, which names job, trigger and scheduled time', () => {
    // Act & Assess
    expect(parseScheduleTick(loadEvent('schedule-scheduler-input'), 'dev')).toEqual({
      job: 'nightly-report',
      triggerIndex: 0,
      schedule: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/longshore-dev/longshore-dev-nightly-report-cron0',
      scheduledTime: '2026-11-22T01:00:00Z',
    });
  });

  it('reads the Scheduler default payload, whose detail is the string "{}", resolving the job from the schedule name', () => {
    // Act & Assess
    expect(parseScheduleTick(loadEvent('schedule-scheduler-default'), 'dev')).toMatchObject({
      job: 'nightly-report',
      triggerIndex: 0,
      scheduledTime: '2026-11-22T01:00:00Z',
    });
  });

  it('reads an EventBridge rule Scheduled Event (detail an object)', () => {
    // Act & Assess
    expect(parseScheduleTick(loadEvent('schedule-rule'), 'dev')).toMatchObject({
      job: 'nightly-report',
      schedule: 'arn:aws:events:eu-west-1:123456789012:rule/longshore-dev-nightly-report-cron0',
    });
  });

  it('reads the AWS samples too, leaving the job unknown when the name is not ours', () => {
    // Act
    const scheduler = parseScheduleTick(loadEvent('scheduler-default-payload'), 'dev');
    const rule = parseScheduleTick(loadEvent('eventbridge-scheduled-event'), 'dev');

    // Assess
    expect(scheduler).toEqual({
      schedule: 'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/test-schedule',
      scheduledTime: '2024-11-07T22:05:00Z',
    });
    expect(rule.job).toBeUndefined();
  });

  it("tolerates Scheduler's own context attributes and unknown keys in our Input, and keeps the identity", () => {
    // Prepare: AWS documents adding <aws.scheduler.execution-id> and <aws.scheduler.attempt-number>.
    const base = loadEvent<Record<string, unknown>>('schedule-scheduler-input');
    const withAttributes = {
      ...base,
      executionId: 'b4e1f2c3-5d6e-4f70-8a9b-0c1d2e3f4a5b',
      attemptNumber: '2',
      addedByOps: { ticket: 'OPS-12' },
    };

    // Act
    const tick = parseScheduleTick(withAttributes, 'dev');

    // Assess
    expect(tick).toEqual(parseScheduleTick(base, 'dev'));
  });

  it.each([['1'], ['2026-11-22'], ['22/11/2026 01:00'], ['2026-11-22T01:00:00']])(
    'refuses the scheduled time %j, which is not an ISO 8601 time with a zone',
    (scheduledTime) => {
      // Prepare
      const event = { ...loadEvent<Record<string, unknown>>('schedule-scheduler-input'), scheduledTime };

      // Act & Assess
      expect(() => parseScheduleTick(event, 'dev')).toThrowError(
        'scheduledTime: must be an ISO 8601 time with a zone, like 2026-11-22T09:00:00Z',
      );
    },
  );

  it.each([
    [{ longshore: 'schedule', job: 'x', trigger: 0, scheduledTime: 'soon' }, 'scheduleArn: is required'],
    [
      { longshore: 'schedule', job: 'x', trigger: 0, scheduleArn: 'arn:aws:scheduler:x', scheduledTime: 'soon' },
      'scheduledTime: must be an ISO 8601 time',
    ],
    [
      { source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: '2026-01-01T00:00:00Z', resources: [] },
      'resources: Too small',
    ],
    [{ source: 'aws.s3' }, 'not a schedule tick'],
  ])('rejects %o naming the problem', (event, message) => {
    // Act & Assess
    expect(() => parseScheduleTick(event, 'dev')).toThrowError(message);
  });
});

describe('Function: scheduleNameParts', () => {
  it.each([
    [
      'arn:aws:scheduler:eu-west-1:1:schedule/longshore-dev/longshore-dev-csv-ingest-cron2',
      'dev',
      { job: 'csv-ingest', triggerIndex: 2 },
    ],
    ['arn:aws:events:eu-west-1:1:rule/longshore-prod-report-cron0', 'prod', { job: 'report', triggerIndex: 0 }],
    ['arn:aws:events:eu-west-1:1:rule/longshore-prod-report-cron0', 'dev', undefined],
    ['arn:aws:scheduler:eu-west-1:1:schedule/default/test', 'dev', undefined],
  ])('reads %s in stage %s', (arn, stage, parts) => {
    // Act & Assess
    expect(scheduleNameParts(arn, stage)).toEqual(parts);
  });
});
