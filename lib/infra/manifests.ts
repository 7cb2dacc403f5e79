/**
 * The manifest bucket (issue 14, section 2; docs/decisions.md, "Batches of small uploads"): where
 * longshore writes a batch run's manifest when it is too large to go inline, one per stage, created
 * only when the catalog has a batched trigger. Private (public access blocked, owner-enforced, TLS
 * only, SSE-S3), expiring with the run history. Written under `batches/<job>/` by the functions
 * that close batches; each job's task role reads only its own prefix.
 */
import type { Catalog } from '../catalog/schema.ts';
import { batchStreams, manifestPrefix } from '../domain/batch.ts';
import { RETENTION_DAYS } from '../domain/run.ts';
import { allow, type CfnValue, getAtt, type Resources, ref, type Statement, sub } from './cfn.ts';
import type { BuildContext } from './context.ts';

export const MANIFEST_BUCKET_ID = 'ManifestBucket';
const POLICY_ID = 'ManifestBucketPolicy';

export const hasBatches = (catalog: Catalog): boolean => batchStreams(catalog).length > 0;

export const manifestBucketResources = (ctx: BuildContext): Resources =>
  hasBatches(ctx.catalog)
    ? {
        [MANIFEST_BUCKET_ID]: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            // No BucketName: S3 names are global, CloudFormation makes one unique to this stack.
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              BlockPublicPolicy: true,
              IgnorePublicAcls: true,
              RestrictPublicBuckets: true,
            },
            OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
            },
            LifecycleConfiguration: {
              Rules: [{ Id: 'ExpireWithRunHistory', Status: 'Enabled', ExpirationInDays: RETENTION_DAYS }],
            },
            Tags: [{ Key: 'longshore:stage', Value: ctx.stage }],
          },
        },
        [POLICY_ID]: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: {
            Bucket: ref(MANIFEST_BUCKET_ID),
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'TlsOnly',
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 's3:*',
                  Resource: [getAtt(MANIFEST_BUCKET_ID, 'Arn'), sub(`\${${MANIFEST_BUCKET_ID}.Arn}/*`)],
                  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                },
              ],
            },
          },
        },
      }
    : {};

/** The bucket's name for the functions that close batches (none without batched triggers). */
export const manifestEnvironment = (ctx: BuildContext): Record<string, CfnValue> =>
  hasBatches(ctx.catalog) ? { LONGSHORE_MANIFEST_BUCKET: ref(MANIFEST_BUCKET_ID) } : {};

/** s3:PutObject on the batches prefix, for the functions that close batches. */
export const writeManifests = (ctx: BuildContext): Statement[] =>
  hasBatches(ctx.catalog)
    ? [{ Sid: 'WriteBatchManifests', ...allow(['s3:PutObject'], [sub(`\${${MANIFEST_BUCKET_ID}.Arn}/batches/*`)]) }]
    : [];

/** s3:GetObject on the job's own manifests, for a job with a batched trigger (its task role). */
export const readOwnManifests = (catalog: Catalog, job: string): Statement[] =>
  batchStreams(catalog).some((s) => s.job === job)
    ? [
        {
          Sid: 'ReadBatchManifests',
          ...allow(['s3:GetObject'], [sub(`\${${MANIFEST_BUCKET_ID}.Arn}/${manifestPrefix(job)}*`)]),
        },
      ]
    : [];
