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
      overrides: {
        environment: [
          { name: 'BATCH_ROWS', value: '10000' },
          { name: 'SOURCE_DATE', value: '2026-11-20' },
        ],
        cpu: 2048,
        memory: 8192,
      },
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

  it('triggers with environment names that are JavaScript object keys, stored as names', async () => {
    // Prepare: the request as the Lambda runtime hands it over, parsed from JSON text.
    const request = JSON.parse(
      '{"action":"trigger","job":"csv-ingest","clientToken":"js-keys","overrides":{"environment":{"constructor":"a","__proto__":"b","toString":"c"}}}',
    );

    // Act
    const out = await handler(request, ctx);

    // Assess
    expect(out).toMatchObject({ ok: true, action: 'trigger', created: true });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item?.overrides).toEqual({
      environment: [
        { name: 'constructor', value: 'a' },
        { name: '__proto__', value: 'b' },
        { name: 'toString', value: 'c' },
      ],
    });
  });

  it.each([
    [
      'a NUL in a command argument',
      { action: 'trigger', job: 'csv-ingest', overrides: { command: ['python', 'a\u0000b'] } },
      'overrides.command[1]: no control characters',
    ],
    [
      'a BEL in an environment value',
      { action: 'trigger', job: 'csv-ingest', overrides: { environment: { MODE: 'x\u0007' } } },
      'overrides.environment.MODE: no control characters',
    ],
    ['a 3,000-character run id', { action: 'retry', runId: 'x'.repeat(3000) }, 'runId: at most 45 characters'],
    ['a run id of the wrong shape', { action: 'cancel', runId: 'csv-ingest-1' }, 'runId: not a longshore run id'],
    ['a 300-character job name', { action: 'trigger', job: 'j'.repeat(300) }, 'job: at most 24 characters'],
    [
      'an escape sequence in a cancel reason',
      { action: 'cancel', runId: 'csv-ingest-aaaaaaaaaaaaaaaaaaaa', reason: 'x\u001b[2J' },
      'reason: no control characters',
    ],
  ])('refuses %s at the edge, naming the field', async (_label, request, message) => {
    // Act
    const out = await handler(request, ctx);

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'EVENT_INVALID' } });
    expect(out.ok ? '' : out.error.message).toContain(message);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('refuses overrides that fit attempt 1 but not a later attempt, before creating the run', async () => {
    // Prepare: a value sized so that attempt 1 fits and a retry-bigger (cpu/memory added) would not.
    const value = 'x'.repeat(7950);

    // Act
    const out = await handler(
      { action: 'trigger', job: 'csv-ingest', overrides: { environment: { PAYLOAD: value } } },
      ctx,
    );

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'OVERRIDES_TOO_LARGE' } });
    expect(out.ok ? '' : out.error.message).toMatch(/would reach \d+ characters on a retry; ECS allows 8192/);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
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

  it('cancels a running run: CANCELLING, task stopped with the reason', async () => {
    // Prepare
    const running = runItem('csv-ingest', { type: 'manual', token: 't' }, { status: 'RUNNING', taskArn: 'arn:task/9' });
    ddb.on(GetCommand, { Key: { pk: running.pk, sk: 'RUN' } }).resolves({ Item: running });
    ddb
      .on(GetCommand, { Key: { pk: running.pk, sk: 'ATTEMPT#0001' } })
      .resolves({ Item: attemptItem(running, { status: 'RUNNING', taskArn: 'arn:task/9' }) });
    const cancelling = { ...running, status: 'CANCELLING', reason: 'partner re-sent the file (bob@acme.example)' };
    ddb.on(UpdateCommand).resolves({ Attributes: cancelling });
    ddb
      .on(GetCommand, { Key: { pk: running.pk, sk: 'RUN' } })
      .resolvesOnce({ Item: running })
      .resolves({ Item: cancelling });
    ecs.on(StopTaskCommand).resolves({});

    // Act
    const out = await handler({ ...loadEvent<Record<string, unknown>>('control-cancel'), runId: running.runId }, ctx);

    // Assess
    expect(out).toEqual({ ok: true, action: 'cancel', runId: running.runId, status: 'CANCELLING', created: false });
    expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, {
      task: 'arn:task/9',
      reason: 'longshore: cancelled: partner re-sent the file (bob@acme.example)',
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
