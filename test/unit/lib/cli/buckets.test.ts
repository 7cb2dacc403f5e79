import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { functions } from '../../../../functions/index.ts';
import { EXIT } from '../../../../lib/cli/exitCodes.ts';
import { formatPlan, planSummary } from '../../../../lib/cli/planSummary.ts';
import { triggerBuckets } from '../../../../lib/domain/s3Match.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';
import { runMain } from '../../../helpers/cliInProcess.ts';

const s3 = mockClient(S3Client);

const cli = (...args: string[]) => runMain(args);

beforeEach(() => {
  s3.reset();
  s3.on(PutBucketNotificationConfigurationCommand).resolves({});
});

describe('Function: triggerBuckets', () => {
  it('lists each bucket an s3 trigger names once, with the jobs it starts', () => {
    // Act & Assess
    expect(triggerBuckets(exampleCatalog())).toEqual([
      { bucket: 'acme-media-uploads', jobs: ['thumbnails'] },
      { bucket: 'acme-partner-drop', jobs: ['csv-ingest'] },
    ]);
  });
});

describe('Command: plan', () => {
  it('lists the buckets that must send notifications to EventBridge, and the command that does it', () => {
    // Act
    const plan = planSummary(exampleCatalog(), 'prod', functions);

    // Assess
    expect(plan.eventBridgeBuckets.map((b) => b.bucket)).toEqual(['acme-media-uploads', 'acme-partner-drop']);
    expect(formatPlan(plan)).toContain('npx longshore buckets enable-eventbridge --stage prod');
  });
});

describe('Command: buckets enable-eventbridge', () => {
  it('turns EventBridge on for every trigger bucket that has it off and reports each one', async () => {
    // Prepare
    s3.on(GetBucketNotificationConfigurationCommand, { Bucket: 'acme-media-uploads' }).resolves({
      EventBridgeConfiguration: {},
    });
    s3.on(GetBucketNotificationConfigurationCommand, { Bucket: 'acme-partner-drop' }).resolves({});

    // Act
    const r = await cli('buckets', 'enable-eventbridge', '--stage', 'prod', '--region', 'eu-west-1', '--json');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.out)).toMatchObject({
      stage: 'prod',
      region: 'eu-west-1',
      dryRun: false,
      buckets: [
        { bucket: 'acme-media-uploads', jobs: ['thumbnails'], status: 'already-on' },
        { bucket: 'acme-partner-drop', jobs: ['csv-ingest'], status: 'enabled' },
      ],
    });
    expect(s3.commandCalls(PutBucketNotificationConfigurationCommand).map((c) => c.args[0].input.Bucket)).toEqual([
      'acme-partner-drop',
    ]);
  });

  it('reports a bucket it may not change, still does the others, and exits 5', async () => {
    // Prepare
    s3.on(GetBucketNotificationConfigurationCommand).resolves({});
    s3.on(PutBucketNotificationConfigurationCommand, { Bucket: 'acme-media-uploads' }).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      }),
    );

    // Act
    const r = await cli('buckets', 'enable-eventbridge', '--stage', 'prod');

    // Assess
    expect(r.code).toBe(EXIT.backend);
    expect(r.out).toMatch(/acme-media-uploads\s+thumbnails\s+FAILED: Bucket 'acme-media-uploads': access denied/);
    expect(r.out).toMatch(/acme-partner-drop\s+csv-ingest\s+turned on/);
    expect(r.err).toContain('1 of 2 buckets could not be checked or changed');
  });

  it('changes nothing on a dry run', async () => {
    // Prepare
    s3.on(GetBucketNotificationConfigurationCommand).resolves({});

    // Act
    const r = await cli('buckets', 'enable-eventbridge', '--stage', 'prod', '--dry-run', '--json');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.out).buckets.map((b: { status: string }) => b.status)).toEqual([
      'would-enable',
      'would-enable',
    ]);
    expect(s3).not.toHaveReceivedCommand(PutBucketNotificationConfigurationCommand);
  });

  it('refuses to run without --stage, since it changes real buckets', async () => {
    // Act
    const r = await cli('buckets', 'enable-eventbridge');

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain('give --stage <stage>');
    expect(s3.calls()).toHaveLength(0);
  });
});
