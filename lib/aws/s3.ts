/**
 * S3 bucket notifications, translated: the one setting longshore's S3 triggers need, "Send
 * notifications to Amazon EventBridge for all events in this bucket". Without it the bucket never
 * sends "Object Created" to EventBridge and the stack's rules never fire (aws-facts §h).
 */
import {
  GetBucketNotificationConfigurationCommand,
  type GetBucketNotificationConfigurationCommandOutput,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { BucketSettingError } from '../errors.ts';

export type EventBridgeStatus = 'already-on' | 'enabled' | 'would-enable';

export interface EventBridgeResult {
  bucket: string;
  status: EventBridgeStatus;
  /** The bucket's other notification configurations, kept as they were. */
  kept: { topics: number; queues: number; lambdaFunctions: number };
}

export type BucketNotificationsPort = ReturnType<typeof buildBucketNotifications>;

/** One client per Region the CLI works in (S3 answers a bucket of another Region with a redirect). */
export const s3ClientFor = (region: string): S3Client => new S3Client({ region, maxAttempts: 4 });

const failure = (bucket: string, action: 'read' | 'write', e: unknown): BucketSettingError => {
  const err = e as Error & { $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const [operation, permission] =
    action === 'read'
      ? ['GetBucketNotificationConfiguration', 's3:GetBucketNotification']
      : ['PutBucketNotificationConfiguration', 's3:PutBucketNotification'];
  if (err.name === 'AccessDenied' || status === 403)
    return new BucketSettingError(
      bucket,
      'access-denied',
      `Bucket '${bucket}': access denied to ${operation}; your credentials need ${permission} on arn:aws:s3:::${bucket} (and the bucket policy must not deny it)`,
      { cause: e },
    );
  if (err.name === 'NoSuchBucket' || status === 404)
    return new BucketSettingError(
      bucket,
      'no-such-bucket',
      `Bucket '${bucket}' does not exist (a job's s3 trigger names it)`,
      {
        cause: e,
      },
    );
  if (err.name === 'PermanentRedirect' || err.name === 'AuthorizationHeaderMalformed' || status === 301)
    return new BucketSettingError(
      bucket,
      'wrong-region',
      `Bucket '${bucket}' is in another Region than this client's (S3 answered ${err.name}); pass --region with the bucket's Region`,
      { cause: e },
    );
  return new BucketSettingError(
    bucket,
    'other',
    `Bucket '${bucket}': ${operation} failed: ${err.name}: ${err.message}`,
    {
      cause: e,
    },
  );
};

/**
 * @example await buildBucketNotifications(s3ClientFor('eu-west-1')).enableEventBridge('acme-uploads', { dryRun: false })
 */
export const buildBucketNotifications = (client: S3Client) => ({
  /**
   * Turns EventBridge delivery on. PutBucketNotificationConfiguration replaces the whole
   * configuration, so the current one is read first and every topic, queue and Lambda
   * configuration is written back unchanged. Throws BucketSettingError.
   */
  enableEventBridge: async (bucket: string, opts: { dryRun: boolean }): Promise<EventBridgeResult> => {
    let current: GetBucketNotificationConfigurationCommandOutput;
    try {
      current = await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    } catch (e) {
      throw failure(bucket, 'read', e);
    }
    const { TopicConfigurations, QueueConfigurations, LambdaFunctionConfigurations } = current;
    const kept = {
      topics: TopicConfigurations?.length ?? 0,
      queues: QueueConfigurations?.length ?? 0,
      lambdaFunctions: LambdaFunctionConfigurations?.length ?? 0,
    };
    if (current.EventBridgeConfiguration) return { bucket, status: 'already-on', kept };
    if (opts.dryRun) return { bucket, status: 'would-enable', kept };
    try {
      await client.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            ...(TopicConfigurations?.length ? { TopicConfigurations } : {}),
            ...(QueueConfigurations?.length ? { QueueConfigurations } : {}),
            ...(LambdaFunctionConfigurations?.length ? { LambdaFunctionConfigurations } : {}),
            EventBridgeConfiguration: {},
          },
        }),
      );
    } catch (e) {
      throw failure(bucket, 'write', e);
    }
    return { bucket, status: 'enabled', kept };
  },
});
