/**
 * S3 bucket notifications, translated: the one setting longshore's S3 triggers need, "Send
 * notifications to Amazon EventBridge for all events in this bucket". Without it the bucket never
 * sends "Object Created" to EventBridge and the stack's rules never fire (aws-facts §h). Read by
 * `longshore doctor` (`state`, failing as AwsCheckError) and turned on by `buckets enable-eventbridge`
 * (`enableEventBridge`, failing as BucketSettingError), both through one reader.
 */
import {
  GetBucketNotificationConfigurationCommand,
  type GetBucketNotificationConfigurationCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { awsCheck, BucketSettingError } from '../errors.ts';
import type { BucketsPort, ManifestPort, ObjectFacts } from '../ports.ts';

/**
 * One client per Region the CLI works in (S3 answers a bucket of another Region with a redirect,
 * which `enableEventBridge` reports as `wrong-region`; the doctor's client follows it instead).
 */
export const s3ClientFor = (region: string): S3Client => new S3Client({ region, maxAttempts: 4 });

/** The bucket's notification configuration as S3 keeps it (the response without its metadata). */
type Notifications = Omit<GetBucketNotificationConfigurationCommandOutput, '$metadata'>;

const readNotifications = async (client: S3Client, bucket: string): Promise<Notifications> => {
  const { $metadata: _, ...configuration } = await client.send(
    new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
  );
  return configuration;
};

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
 * @example await buildBuckets(s3ClientFor('eu-west-1')).enableEventBridge('acme-uploads', { dryRun: false })
 */
export const buildBuckets = (client: S3Client): BucketsPort => ({
  /** HeadBucket first: a missing bucket and one of another account (403) are answers, not failures. */
  state: async (bucket) => {
    try {
      await awsCheck('s3:HeadBucket', () => client.send(new HeadBucketCommand({ Bucket: bucket })));
    } catch (e) {
      const cause = (e as { cause?: { name?: string; $metadata?: { httpStatusCode?: number } } }).cause;
      if (cause?.name === 'NotFound' || cause?.$metadata?.httpStatusCode === 404) return { exists: 'no' };
      if (cause?.name === 'Forbidden' || cause?.$metadata?.httpStatusCode === 403) return { exists: 'forbidden' };
      throw e;
    }
    const configuration = await awsCheck('s3:GetBucketNotificationConfiguration', () =>
      readNotifications(client, bucket),
    );
    return { exists: 'yes', eventBridge: configuration.EventBridgeConfiguration !== undefined, configuration };
  },

  /**
   * Turns EventBridge delivery on. PutBucketNotificationConfiguration replaces the whole
   * configuration, so the current one is read first and every topic, queue and Lambda
   * configuration is written back unchanged. Throws BucketSettingError.
   */
  enableEventBridge: async (bucket, opts) => {
    let current: Notifications;
    try {
      current = await readNotifications(client, bucket);
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

/**
 * What S3 says of one object (HeadObject): its version id (a versioned bucket), ETag (without the
 * quotes S3 puts around it) and size; undefined when there is no such object (HeadObject answers
 * 404 `NotFound`: a HEAD response has no error body).
 */
export const objectFacts = async (client: S3Client, bucket: string, key: string): Promise<ObjectFacts | undefined> => {
  try {
    const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const etag = out.ETag?.replace(/^"|"$/g, '');
    return {
      ...(out.VersionId && out.VersionId !== 'null' ? { versionId: out.VersionId } : {}),
      ...(etag ? { etag } : {}),
      ...(out.ContentLength !== undefined ? { size: out.ContentLength } : {}),
    };
  } catch (e) {
    if ((e as { name?: string }).name === 'NotFound') return undefined;
    throw e;
  }
};

/**
 * Batch manifests in the stack's manifest bucket (lib/infra/manifests.ts): a PutObject of the JSON
 * text; a second write of one batch's manifest is the same key and text, so it changes nothing.
 *
 * @example await buildManifestWriter(new S3Client({}), bucket).write('batches/csv-batch/run.json', '[]')
 */
export const buildManifestWriter = (client: S3Client, bucket: string): ManifestPort => ({
  write: async (key, body) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    return `s3://${bucket}/${key}`;
  },
});
