import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildBuckets } from '../../../../lib/aws/s3.ts';
import { BucketSettingError } from '../../../../lib/errors.ts';

const s3 = mockClient(S3Client);
const buckets = buildBuckets(new S3Client({ region: 'eu-west-1' }));

const s3Error = (name: string, httpStatusCode: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });

const errorOf = async (p: Promise<unknown>): Promise<BucketSettingError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof BucketSettingError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

const queue = {
  Id: 'audit',
  QueueArn: 'arn:aws:sqs:eu-west-1:111122223333:audit',
  Events: ['s3:ObjectRemoved:*' as const],
};

beforeEach(() => {
  s3.reset();
  s3.on(PutBucketNotificationConfigurationCommand).resolves({});
});

describe('Function: enableEventBridge', () => {
  it('changes nothing when the bucket already sends notifications to EventBridge', async () => {
    // Prepare
    s3.on(GetBucketNotificationConfigurationCommand).resolves({ EventBridgeConfiguration: {} });

    // Act
    const result = await buckets.enableEventBridge('acme-uploads', { dryRun: false });

    // Assess
    expect(result).toEqual({
      bucket: 'acme-uploads',
      status: 'already-on',
      kept: { topics: 0, queues: 0, lambdaFunctions: 0 },
    });
    expect(s3).toHaveReceivedCommandWith(GetBucketNotificationConfigurationCommand, { Bucket: 'acme-uploads' });
    expect(s3).not.toHaveReceivedCommand(PutBucketNotificationConfigurationCommand);
  });

  it('turns EventBridge on and keeps the existing queue configuration', async () => {
    // Prepare
    s3.on(GetBucketNotificationConfigurationCommand).resolves({ QueueConfigurations: [queue] });

    // Act
    const result = await buckets.enableEventBridge('acme-uploads', { dryRun: false });

    // Assess
    expect(result.status).toBe('enabled');
    expect(result.kept).toEqual({ topics: 0, queues: 1, lambdaFunctions: 0 });
    expect(s3.commandCalls(PutBucketNotificationConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: 'acme-uploads',
        NotificationConfiguration: { QueueConfigurations: [queue], EventBridgeConfiguration: {} },
      },
    ]);
  });

  it('keeps topic and Lambda configurations too', async () => {
    // Prepare
    const topic = { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t', Events: ['s3:ObjectCreated:*' as const] };
    const fn = {
      LambdaFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:f',
      Events: ['s3:ObjectCreated:Put' as const],
    };
    s3.on(GetBucketNotificationConfigurationCommand).resolves({
      TopicConfigurations: [topic],
      LambdaFunctionConfigurations: [fn],
    });

    // Act
    await buckets.enableEventBridge('acme-uploads', { dryRun: false });

    // Assess
    expect(
      s3.commandCalls(PutBucketNotificationConfigurationCommand)[0]?.args[0].input.NotificationConfiguration,
    ).toEqual({ TopicConfigurations: [topic], LambdaFunctionConfigurations: [fn], EventBridgeConfiguration: {} });
  });

  it('only reports what it would do on a dry run', async () => {
    // Prepare
    s3.on(GetBucketNotificationConfigurationCommand).resolves({});

    // Act
    const result = await buckets.enableEventBridge('acme-uploads', { dryRun: true });

    // Assess
    expect(result.status).toBe('would-enable');
    expect(s3).not.toHaveReceivedCommand(PutBucketNotificationConfigurationCommand);
  });

  it('throws BucketSettingError naming the bucket and the permission when access is denied', async () => {
    // Prepare
    s3.on(GetBucketNotificationConfigurationCommand).resolves({});
    s3.on(PutBucketNotificationConfigurationCommand).rejects(s3Error('AccessDenied', 403));

    // Act
    const e = await errorOf(buckets.enableEventBridge('acme-uploads', { dryRun: false }));

    // Assess
    expect(e).toMatchObject({ bucket: 'acme-uploads', reason: 'access-denied', code: 'BUCKET_SETTING_FAILED' });
    expect(e.message).toBe(
      "Bucket 'acme-uploads': access denied to PutBucketNotificationConfiguration; your credentials need s3:PutBucketNotification on arn:aws:s3:::acme-uploads (and the bucket policy must not deny it)",
    );
  });

  it.each([
    ['NoSuchBucket', 404, 'no-such-bucket', "Bucket 'gone' does not exist"],
    ['PermanentRedirect', 301, 'wrong-region', "Bucket 'gone' is in another Region than this client's"],
    ['InternalError', 500, 'other', "Bucket 'gone': GetBucketNotificationConfiguration failed: InternalError"],
  ])('throws BucketSettingError when reading the configuration fails with %s', async (name, status, reason, text) => {
    // Prepare
    s3.on(GetBucketNotificationConfigurationCommand).rejects(s3Error(name, status));

    // Act
    const e = await errorOf(buckets.enableEventBridge('gone', { dryRun: false }));

    // Assess
    expect(e.reason).toBe(reason);
    expect(e.message).toContain(text);
    expect(s3).not.toHaveReceivedCommand(PutBucketNotificationConfigurationCommand);
  });
});
