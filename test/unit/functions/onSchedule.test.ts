import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/onSchedule/handler.ts';
import { loadEvent } from '../../helpers/events.ts';
import { runItem } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const eb = mockClient(EventBridgeClient);
const ecs = mockClient(ECSClient);
const ctx = lambdaContext('longshore-test-onSchedule');

/** Our Scheduler input for the nightly report (overlap: forbid), in the test stage. */
const tick = (time = '2026-11-22T01:00:00Z') => ({
  ...loadEvent('schedule-scheduler-input'),
  scheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/longshore-test/longshore-test-nightly-report-cron0',
  scheduledTime: time,
});

beforeEach(() => {
  ddb.reset();
  sqs.reset();
  eb.reset();
  ecs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
});

describe('Handler: onSchedule', () => {
  it('turns a tick into a run of its job, identified by schedule ARN and scheduled time', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const out = await handler(tick(), ctx);

    // Assess
    expect(out).toMatchObject({ job: 'nightly-report', created: true, status: 'QUEUED', queued: true });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item?.trigger).toEqual({
      type: 'schedule',
      schedule: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/longshore-test/longshore-test-nightly-report-cron0',
      scheduledTime: '2026-11-22T01:00:00.000Z',
      triggerIndex: 0,
    });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
  });

  it('records a SKIPPED run and publishes Run Skipped when overlap is forbidden and a run is active', async () => {
    // Prepare
    const active = runItem(
      'nightly-report',
      { type: 'schedule', schedule: 'arn:s', scheduledTime: '2026-11-21T01:00:00.000Z' },
      { status: 'RUNNING' },
    );
    ddb.on(QueryCommand).resolves({ Items: [active] });

    // Act
    const out = await handler(tick(), ctx);

    // Assess
    expect(out).toMatchObject({ status: 'SKIPPED', created: true, queued: false });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      status: 'SKIPPED',
      reason: `overlap forbidden: run ${active.runId} is still RUNNING`,
    });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).not.toHaveProperty('gsi2pk');
    expect(eb).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ DetailType: 'Run Skipped' })],
    });
    expect(sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? [])).toHaveLength(0);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('does not re-decide the overlap for a duplicate tick: the run exists', async () => {
    // Prepare
    const existing = runItem(
      'nightly-report',
      { type: 'schedule', schedule: 'x', scheduledTime: '2026-11-22T01:00:00.000Z' },
      { status: 'RUNNING' },
    );
    ddb.on(GetCommand).resolves({ Item: existing });
    ddb
      .on(PutCommand)
      .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));

    // Act
    const out = await handler(tick(), ctx);

    // Assess
    expect(out).toMatchObject({ created: false, status: 'RUNNING' });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('accepts the Scheduler default payload and a rule Scheduled Event for our schedule names', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });
    const named = (name: string) => {
      const e = loadEvent<{ resources: string[] }>(name);
      e.resources = [e.resources[0]?.replace(/longshore-dev/g, 'longshore-test') ?? ''];
      return e;
    };

    // Act
    const a = await handler(named('schedule-scheduler-default'), ctx);
    const b = await handler(named('schedule-rule'), ctx);

    // Assess
    expect([a.job, b.job]).toEqual(['nightly-report', 'nightly-report']);
    expect(a.runId).not.toBe(b.runId);
  });

  it('rejects a tick from a schedule that is not ours, naming the expected form', async () => {
    // Act & Assess
    await expect(handler(loadEvent('scheduler-default-payload'), ctx)).rejects.toThrow(
      "'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/test-schedule' is not a longshore schedule of stage 'test'",
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects a tick for a job the catalog does not have', async () => {
    // Act & Assess
    await expect(handler({ ...tick(), job: 'payroll' }, ctx)).rejects.toThrow("Unknown job 'payroll'");
  });

  it('cancels the active run (CANCELLING until its task stops) and stops its task when overlap is replace', async () => {
    // Prepare: thumbnails has no schedule; use a job view where nightly-report replaces.
    const { useCatalog, activeCatalog } = await import('../../../lib/catalog/active.ts');
    const original = activeCatalog();
    const replacing = structuredClone(original);
    const job = replacing.jobs.find((j) => j.name === 'nightly-report');
    if (job?.triggers[0]?.type === 'schedule') job.triggers[0].overlap = 'replace';
    useCatalog(replacing);
    const active = runItem(
      'nightly-report',
      { type: 'schedule', schedule: 's', scheduledTime: '2026-11-21T01:00:00.000Z' },
      { status: 'RUNNING', taskArn: 'arn:task/old' },
    );
    ddb.on(QueryCommand).resolves({ Items: [active] });
    ddb.on(GetCommand, { Key: { pk: active.pk, sk: 'RUN' } }).resolves({ Item: active });
    ddb.on(UpdateCommand).resolves({
      Attributes: {
        ...active,
        status: 'CANCELLING',
        reason: 'replaced by the schedule tick of 2026-11-22T01:00:00.000Z',
      },
    });
    ecs.on(StopTaskCommand).resolves({});

    // Act
    try {
      const out = await handler(tick(), ctx);

      // Assess
      expect(out).toMatchObject({ status: 'QUEUED', created: true });
      expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, {
        task: 'arn:task/old',
        reason: 'longshore: cancelled: replaced by the schedule tick of 2026-11-22T01:00:00.000Z',
      });
      // Run Cancelled goes out when the old task's STOPPED event closes it, not before.
      expect(eb).not.toHaveReceivedCommandWith(PutEventsCommand, {
        Entries: [expect.objectContaining({ DetailType: 'Run Cancelled' })],
      });
    } finally {
      useCatalog(original);
    }
  });
});
