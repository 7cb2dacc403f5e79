/**
 * The doctor's composition root: its ports over real AWS clients of one Region, with the caller's
 * credentials. `longshore doctor` runs in the CLI's own process (no Lambda runs it), so this is to
 * the doctor command what lib/wiring.ts is to the handlers; the clients are made per run, for the
 * Region asked, not once per container.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { buildStacks } from '../aws/cloudformation.ts';
import { buildNetwork } from '../aws/ec2.ts';
import { buildImages } from '../aws/ecr.ts';
import { buildEcs } from '../aws/ecs.ts';
import { buildRoles } from '../aws/iam.ts';
import { buildLambda } from '../aws/lambda.ts';
import { buildBuckets } from '../aws/s3.ts';
import { buildSecretInspector } from '../aws/secrets.ts';
import { buildQuotas } from '../aws/serviceQuotas.ts';
import { buildQueueInspector } from '../aws/sqs.ts';
import { buildParameterStore } from '../aws/ssm.ts';
import { buildCaller } from '../aws/sts.ts';
import type { DoctorPorts } from '../ports.ts';

/** @example const report = await runDoctor(awsDoctorPorts('eu-west-1'), { catalog, stage: 'prod', region: 'eu-west-1', before: true }); */
export const awsDoctorPorts = (region: string): DoctorPorts => ({
  caller: buildCaller(new STSClient({ region })),
  stacks: buildStacks(new CloudFormationClient({ region })),
  parameters: buildParameterStore(new SSMClient({ region })),
  secrets: buildSecretInspector(new SecretsManagerClient({ region })),
  roles: buildRoles(new IAMClient({ region })),
  // A trigger bucket in another Region answers HeadBucket with a redirect: follow it.
  buckets: buildBuckets(new S3Client({ region, followRegionRedirects: true })),
  queues: buildQueueInspector(new SQSClient({ region })),
  network: buildNetwork(new EC2Client({ region })),
  ecs: buildEcs(new ECSClient({ region })),
  images: buildImages(new ECRClient({ region })),
  quotas: buildQuotas(new ServiceQuotasClient({ region })),
  lambda: buildLambda(new LambdaClient({ region })),
});
