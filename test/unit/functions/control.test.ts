import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/control/handler.ts';
import { loadEvent } from '../../helpers/events.ts';
import { attemptItem, runItem } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const eb = mockClient(EventBridgeClient);
const ecs = mockClient(ECSClient);
const ctx = lambdaContext('longshore-test-control');

beforeEach(() => {
  ddb.reset();
  sqs.reset();
  eb.reset();
  ecs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
  ddb.on(PutCommand).resolves({});
});

describe('Handler: control', () => {
  it('triggers a job with overrides and answers with the run', async () => {
    // Act
    const out = await handler(loadEvent('control-trigger'), ctx);

    // Assess
    expect(out).toEqual({
      ok: true,
      action: 'trigger',
      runId: expect.stringMatching(/^csv-ingest-/),
      status: 'QUEUED',
      created: true,
    });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      size: { cpu: 2048, memory: 8192 },
      overrides: { environment: { BATCH_ROWS: '10000', SOURCE_DATE: '2026-11-20' }, cpu: 2048, memory: 8192 },
      trigger: { type: 'manual', token: 'cli-6f1c2e9a-backfill-2026-11-20', requestedBy: 'alice@acme.example' },
    });
  });

  it.each([
    [
      { action: 'trigger', job: 'payroll' },
      'JOB_UNKNOWN',
      "Unknown job 'payroll'; the catalog has 'thumbnails', 'nightly-report', 'csv-ingest'",
    ],
    [
      { action: 'trigger', job: 'csv-ingest', overrides: { memory: 3000 } },
      'REQUEST_REJECTED',
      'memory 3000 is not valid with cpu 1024',
    ],
    [
      { action: 'trigger', job: 'csv-ingest', overrides: { environment: { BIG: 'x'.repeat(9000) } } },
      'OVERRIDES_TOO_LARGE',
      'ECS allows 8192',
    ],
    [{ action: 'explode' }, 'EVENT_INVALID', 'Invalid control request: action: must be "trigger", "retry" or "cancel"'],
    [
      { action: 'retry', runId: 'csv-ingest-aaaaaaaaaaaaaaaaaaaa' },
      'RUN_NOT_FOUND',
      "Run 'csv-ingest-aaaaaaaaaaaaaaaaaaaa' does not exist",
    ],
  ])('answers %o with ok: false and code %s', async (request, code, message) => {
    // Prepare
    ddb.on(GetCommand).resolves({});

    // Act
    const out = await handler(request, ctx);

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code } });
    expect(out.ok ? '' : out.error.message).toContain(message);
  });

  it('retries a failed run as a new run carrying the original trigger', async () => {
    // Prepare
    const failed = runItem(
      'csv-ingest',
      { type: 's3', bucket: 'acme-partner-drop', key: 'incoming/a.csv', versionId: 'v1' },
      { status: 'FAILED' },
    );
    ddb.on(GetCommand).resolves({ Item: failed });

    // Act
    const out = await handler({ ...loadEvent<Record<string, unknown>>('control-retry'), runId: failed.runId }, ctx);

    // Assess
    expect(out).toMatchObject({ ok: true, action: 'retry', created: true });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item?.trigger).toEqual({
      type: 'retry',
      of: failed.runId,
      token: 'cli-retry-1',
      original: { type: 's3', bucket: 'acme-partner-drop', key: 'incoming/a.csv', versionId: 'v1' },
      requestedBy: 'alice@acme.example',
    });
  });

  it('cancels a running run: CANCELLED, task stopped with the reason, Run Cancelled published', async () => {
    // Prepare
    const running = runItem('csv-ingest', { type: 'manual', token: 't' }, { status: 'RUNNING', taskArn: 'arn:task/9' });
    ddb.on(GetCommand, { Key: { pk: running.pk, sk: 'RUN' } }).resolves({ Item: running });
    ddb
      .on(GetCommand, { Key: { pk: running.pk, sk: 'ATTEMPT#0001' } })
      .resolves({ Item: attemptItem(running, { status: 'RUNNING', taskArn: 'arn:task/9' }) });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...running, status: 'CANCELLED' } });
    ecs.on(StopTaskCommand).resolves({});

    // Act
    const out = await handler({ ...loadEvent<Record<string, unknown>>('control-cancel'), runId: running.runId }, ctx);

    // Assess
    expect(out).toEqual({ ok: true, action: 'cancel', runId: running.runId, status: 'CANCELLED', created: false });
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, {
      task: 'arn:task/9',
      reason: 'longshore: cancelled: partner re-sent the file (bob@acme.example)',
    });
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      ConditionExpression: '#status IN (:from0, :from1, :from2)',
    });
  });

  it('throws (so the CLI can retry) when AWS fails', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(new Error('InternalServerError'));

    // Act & Assess
    await expect(handler({ action: 'trigger', job: 'csv-ingest', clientToken: 'x' }, ctx)).rejects.toThrow(
      'InternalServerError',
    );
  });
});
