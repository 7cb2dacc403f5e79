/**
 * S3, read-only, for `longshore doctor`: whether a trigger bucket exists and sends its events to
 * EventBridge. (The doctor's side; `s3.ts`, which changes notification settings, is another
 * adapter of the same service: to be unified.)
 */
import { GetBucketNotificationConfigurationCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { awsCheck } from '../errors.ts';

export type BucketState =
  | { exists: 'no' }
  | { exists: 'forbidden' }
  | { exists: 'yes'; eventBridge: boolean; configuration: Record<string, unknown> };

export type BucketsPort = ReturnType<typeof buildBucketInspector>;

export const buildBucketInspector = (s3: S3Client) => ({
  state: async (bucket: string): Promise<BucketState> => {
    try {
      await awsCheck('s3:HeadBucket', () => s3.send(new HeadBucketCommand({ Bucket: bucket })));
    } catch (e) {
      const cause = (e as { cause?: { name?: string; $metadata?: { httpStatusCode?: number } } }).cause;
      if (cause?.name === 'NotFound' || cause?.$metadata?.httpStatusCode === 404) return { exists: 'no' };
      if (cause?.name === 'Forbidden' || cause?.$metadata?.httpStatusCode === 403) return { exists: 'forbidden' };
      throw e;
    }
    const out = await awsCheck('s3:GetBucketNotificationConfiguration', () =>
      s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket })),
    );
    const { $metadata: _, ...configuration } = out;
    return { exists: 'yes', eventBridge: out.EventBridgeConfiguration !== undefined, configuration };
  },
});

// A bucket in another Region answers HeadBucket with a redirect: follow it.
export const bucketInspector = (region: string) =>
  buildBucketInspector(new S3Client({ region, followRegionRedirects: true }));
