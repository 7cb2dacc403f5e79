import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../functions/alert/handler.ts';
import { composeAlert } from '../../../lib/alert.ts';
import { logger } from '../../../lib/logger.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const ctx = lambdaContext('longshore-test-alert');
const WEBHOOK = 'https://hooks.example.com/services/T000/B000/very-secret-token';

const failed = {
  stage: 'dev',
  runId: 'csv-ingest-ka7nq3xv2mwe5rtb4yhc',
  job: 'csv-ingest',
  status: 'FAILED',
  attempt: 3,
  triggerSummary: 's3://acme-partner-drop/incoming/globex/2026-11-21.csv (version 3HL4kqtJ)',
  capacity: 'FARGATE',
  cpu: 1024,
  memory: 8192,
  exitCode: 137,
  stopCode: 'EssentialContainerExited',
  decision: {
    action: 'fail',
    rule: 'out-of-memory',
    diagnosis: "exit 137: container 'main' used more than its 8 GB and was killed (OutOfMemoryError)",
    next: 'giving up: 8 GB is already the most this job may use (policy.maxMemory 8 GB)',
  },
  durationSeconds: 756,
  logLink: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/x',
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/longshore-dev/c3e5a7b9',
};
const event = (type: string, detail: Record<string, unknown>) => ({
  version: '0',
  source: 'longshore',
  'detail-type': type,
  detail,
});

beforeEach(() => {
  sns.reset();
  secrets.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});
afterEach(() => {
  clearCaches();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('Function: composeAlert', () => {
  it('says what on-call needs: job, run, attempt, trigger, codes, diagnosis, duration, next step, log link', () => {
    // Act
    const m = composeAlert('Run Failed', failed);

    // Assess
    expect(m.subject).toBe(
      "longshore dev: csv-ingest FAILED: exit 137: container 'main' used more than its 8 GB and was killed (OutOfMemoryError)".slice(
        0,
        99,
      ),
    );
    expect(m.text).toBe(
      [
        'longshore dev: csv-ingest run FAILED',
        '',
        'Run:        csv-ingest-ka7nq3xv2mwe5rtb4yhc (attempt 3 of 3, the last)',
        'Trigger:    s3://acme-partner-drop/incoming/globex/2026-11-21.csv (version 3HL4kqtJ)',
        'Result:     exit 137, stop code EssentialContainerExited',
        "Diagnosis:  exit 137: container 'main' used more than its 8 GB and was killed (OutOfMemoryError) [rule out-of-memory]",
        'Size:       1 vCPU, 8 GB on FARGATE',
        'Duration:   12m36s',
        'Next:       giving up: 8 GB is already the most this job may use (policy.maxMemory 8 GB). Retry with: npx longshore runs retry csv-ingest-ka7nq3xv2mwe5rtb4yhc --stage dev',
        `Logs:       ${failed.logLink}`,
        `Task:       ${failed.taskArn}`,
      ].join('\n'),
    );
    expect(m.attributes).toEqual({ stage: 'dev', job: 'csv-ingest', status: 'FAILED', runId: failed.runId });
  });

  it('keeps SNS subjects ASCII and under 100 characters', () => {
    // Act
    const m = composeAlert('Run Timed Out', {
      ...failed,
      job: 'j',
      decision: { diagnosis: `ünïcödé ${'x'.repeat(200)}` },
    });

    // Assess
    expect(m.subject.length).toBeLessThan(100);
    expect(m.subject).toMatch(/^[\x20-\x7E]+$/);
  });
});

describe('Handler: alert', () => {
  it('publishes a final failure to the alert topic with filterable attributes', async () => {
    // Act
    const out = await handler(event('Run Failed', failed), ctx);

    // Assess
    expect(out).toEqual({ sent: ['sns'] });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:longshore-test-alerts',
      MessageAttributes: expect.objectContaining({
        job: { DataType: 'String', StringValue: 'csv-ingest' },
        status: { DataType: 'String', StringValue: 'FAILED' },
      }),
    });
  });

  it('posts to the route webhook read from Secrets Manager once per 5 minutes, and never logs the URL', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    const fetchMock = vi.fn(async () => new Response('ok', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    logger.setLogLevel('DEBUG');

    // Act
    const a = await handler(event('Run Failed', { ...failed, job: 'nightly-report' }), ctx);
    await handler(event('Run Timed Out', { ...failed, job: 'nightly-report' }), ctx);
    logger.setLogLevel('SILENT');

    // Assess
    expect(a).toEqual({ sent: ['sns', 'webhook'] });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'longshore/reporting-webhook' });
    expect(fetchMock).toHaveBeenCalledTimes(2);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(WEBHOOK);
    expect(JSON.parse(String(init.body))).toMatchObject({
      type: 'Run Failed',
      job: 'nightly-report',
      text: expect.stringContaining('nightly-report run FAILED'),
    });
    expect(lines.join('')).not.toContain('very-secret-token');
  });

  it('fails without the URL in the error when the webhook refuses', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('no', { status: 500 })),
    );

    // Act & Assess
    await expect(handler(event('Run Failed', { ...failed, job: 'nightly-report' }), ctx)).rejects.toThrow(
      'Webhook answered HTTP 500',
    );
  });

  it('alerts on a missed schedule tick with what to check', async () => {
    // Act
    await handler(
      event('Schedule Missed', {
        stage: 'dev',
        job: 'nightly-report',
        schedule: 'arn:aws:scheduler:eu-west-1:1:schedule/longshore-dev/longshore-dev-nightly-report-cron0',
        expression: 'cron(0 2 * * ? *)',
        timezone: 'Europe/Paris',
        scheduledTime: '2026-11-21T01:00:00.000Z',
        expectedRunId: 'nightly-report-aaaaaaaaaaaaaaaaaaaa',
      }),
      ctx,
    ).catch(() => undefined);

    // Assess
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toBe('longshore dev: nightly-report missed its 2026-11-21T01:00:00.000Z tick');
    expect(input?.Message).toContain('Due at:     2026-11-21T01:00:00.000Z');
  });

  it('rejects an event that is not an alerting run event', async () => {
    // Act & Assess
    await expect(handler(event('Run Succeeded', failed), ctx)).rejects.toThrow(
      'detail-type: must be "Run Failed", "Run Timed Out" or "Schedule Missed"',
    );
    expect(sns.calls()).toHaveLength(0);
  });
});
