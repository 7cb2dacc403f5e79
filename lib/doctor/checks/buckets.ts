/** Every trigger bucket exists, is this account's, and sends its events to EventBridge. */
import type { DoctorPorts } from '../../ports.ts';
import { add, type CheckContext, shellQuote } from '../context.ts';

export const checkBuckets = async (ctx: CheckContext, ports: Pick<DoctorPorts, 'buckets'>): Promise<string> => {
  const buckets = [
    ...new Set(ctx.input.catalog.jobs.flatMap((j) => j.triggers.flatMap((t) => (t.type === 's3' ? [t.bucket] : [])))),
  ].sort();
  if (buckets.length === 0) return 'no S3 triggers';
  for (const bucket of buckets) {
    const jobs = ctx.input.catalog.jobs
      .filter((j) => j.triggers.some((t) => t.type === 's3' && t.bucket === bucket))
      .map((j) => j.name);
    const state = await ports.buckets.state(bucket);
    if (state.exists === 'no') {
      add(ctx, {
        check: 'buckets',
        severity: 'blocking',
        subject: bucket,
        what: `bucket ${bucket} (triggers of ${jobs.join(', ')}) does not exist`,
        why: 'no upload can ever start these jobs',
        fix: `aws s3api create-bucket --bucket ${bucket} --region ${ctx.input.region}${ctx.input.region === 'us-east-1' ? '' : ` --create-bucket-configuration LocationConstraint=${ctx.input.region}`}  (or fix the bucket name in the catalog)`,
      });
      continue;
    }
    if (state.exists === 'forbidden') {
      add(ctx, {
        check: 'buckets',
        severity: 'warning',
        subject: bucket,
        what: `bucket ${bucket} exists but these credentials may not read it (403)`,
        why: "it may belong to another account: its events reach EventBridge in the bucket owner's account, not this stage's",
        fix: `aws s3api get-bucket-notification-configuration --bucket ${bucket}  (with the bucket owner's credentials)`,
      });
      continue;
    }
    if (!state.eventBridge) {
      const keep = { ...state.configuration, EventBridgeConfiguration: {} };
      add(ctx, {
        check: 'buckets',
        severity: 'blocking',
        subject: bucket,
        what: `bucket ${bucket} does not send its events to EventBridge`,
        why: `the S3 rule only sees "Object Created" from buckets with EventBridge notifications on: uploads would never start ${jobs.join(', ')}`,
        // PutBucketNotificationConfiguration replaces the whole configuration: the command keeps what is there.
        fix: `aws s3api put-bucket-notification-configuration --bucket ${bucket} --notification-configuration ${shellQuote(JSON.stringify(keep))}`,
      });
    }
  }
  return `${buckets.length} buckets`;
};
