/**
 * `longshore buckets enable-eventbridge`: S3 triggers fire only for buckets that send their
 * notifications to Amazon EventBridge, a bucket setting the stack cannot make (the buckets are not
 * its own). This turns it on for every bucket a job's s3 trigger names, keeping the buckets' other
 * notification configurations, and reports each bucket; a bucket it could not change makes it exit 5.
 */
import type { Command } from 'commander';
import { type TriggerBucket, triggerBuckets } from '../../domain/s3Match.ts';
import { BucketSettingError } from '../../errors.ts';
import { validateStage } from '../../infra/context.ts';
import type { BucketsPort, EventBridgeStatus } from '../../ports.ts';
import type { CommandContext } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import type { Output } from '../Output.ts';

export interface BucketReport {
  bucket: string;
  jobs: string[];
  status: EventBridgeStatus | 'failed';
  kept?: { topics: number; queues: number; lambdaFunctions: number };
  error?: { reason: BucketSettingError['reason']; message: string };
}

/** Each bucket in turn; one that fails is reported and the others still get done. */
export const enableEventBridgeOnBuckets = async (
  port: Pick<BucketsPort, 'enableEventBridge'>,
  buckets: readonly TriggerBucket[],
  dryRun: boolean,
): Promise<BucketReport[]> => {
  const reports: BucketReport[] = [];
  for (const { bucket, jobs } of buckets) {
    try {
      const { status, kept } = await port.enableEventBridge(bucket, { dryRun });
      reports.push({ bucket, jobs, status, kept });
    } catch (e) {
      if (!(e instanceof BucketSettingError)) throw e;
      reports.push({ bucket, jobs, status: 'failed', error: { reason: e.reason, message: e.message } });
    }
  }
  return reports;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const describeReport = (o: Output, r: BucketReport): string => {
  const kept = r.kept
    ? [
        r.kept.topics && plural(r.kept.topics, 'topic'),
        r.kept.queues && plural(r.kept.queues, 'queue'),
        r.kept.lambdaFunctions && plural(r.kept.lambdaFunctions, 'Lambda function'),
      ].filter(Boolean)
    : [];
  const keptText = kept.length > 0 ? ` (kept its ${kept.join(', ')})` : '';
  switch (r.status) {
    case 'already-on':
      return `${o.c.green('already on')}: sends notifications to EventBridge`;
    case 'enabled':
      return `${o.c.green('turned on')}: sends notifications to EventBridge now${keptText}`;
    case 'would-enable':
      return `${o.c.yellow('off')}: would turn it on${keptText}`;
    case 'failed':
      return `${o.c.red('FAILED')}: ${r.error?.message ?? 'unknown error'}`;
  }
};

export const registerBucketsCommand = (program: Command, deps: CommandContext): void => {
  program
    .command('buckets')
    .description("the S3 buckets of the catalog's s3 triggers")
    .command('enable-eventbridge')
    .description(
      'turn on "Send notifications to Amazon EventBridge" on every trigger bucket (S3 triggers fire only then), keeping its other notifications',
    )
    .option('--dry-run', 'only report which buckets have it on')
    .addHelpText(
      'after',
      '\nNeeds --stage (it changes real buckets) and credentials allowed s3:GetBucketNotification and s3:PutBucketNotification on each bucket.',
    )
    .action(async (opts: { dryRun?: boolean }, cmd: Command) => {
      const g = deps.globals(cmd);
      const o = deps.out(cmd);
      if (!g.stage)
        throw new CliError('buckets enable-eventbridge changes real buckets: give --stage <stage>', EXIT.invalid);
      const stage = validateStage(g.stage);
      const region = g.region ?? process.env.AWS_REGION ?? 'eu-west-1';
      const buckets = triggerBuckets(await deps.loadCatalog(g.catalog));
      const { buildBuckets, s3ClientFor } = await import('../../aws/s3.ts');
      const client = s3ClientFor(region);
      let reports: BucketReport[];
      try {
        reports = await enableEventBridgeOnBuckets(buildBuckets(client), buckets, opts.dryRun === true);
      } finally {
        client.destroy();
      }
      const failed = reports.filter((r) => r.status === 'failed');
      if (o.json) o.document({ stage, region, dryRun: opts.dryRun === true, buckets: reports });
      else if (reports.length === 0) o.line('No job has an s3 trigger: no bucket needs EventBridge notifications.');
      else {
        o.line(`S3 trigger buckets (stage ${stage}, ${region})${opts.dryRun ? ', dry run' : ''}:`);
        o.table(
          ['bucket', 'jobs', 'EventBridge notifications'],
          reports.map((r) => [r.bucket, r.jobs.join(', '), describeReport(o, r)]),
        );
      }
      if (failed.length > 0) {
        process.stderr.write(
          `longshore: ${failed.length} of ${reports.length} buckets could not be checked or changed; their S3 triggers will not fire\n`,
        );
        deps.setExit(EXIT.backend);
      }
    });
};
