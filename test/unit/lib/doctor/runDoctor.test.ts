/**
 * `longshore doctor` over the real adapters with every AWS client mocked (aws-sdk-client-mock): a
 * clean account, then one account defect per test, each becoming its finding with what, why and fix.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeCapacityProvidersCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetBucketNotificationConfigurationCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Catalog } from '../../../../lib/catalog/schema.ts';
import { validateCatalog } from '../../../../lib/catalog/validate.ts';
import { printDoctorReport } from '../../../../lib/cli/commands/doctor.ts';
import { buildProgram } from '../../../../lib/cli/main.ts';
import { Output } from '../../../../lib/cli/Output.ts';
import type { DoctorInput } from '../../../../lib/doctor/context.ts';
import type { DoctorReport } from '../../../../lib/doctor/findings.ts';
import { runDoctor } from '../../../../lib/doctor/runDoctor.ts';
import { awsDoctorPorts } from '../../../../lib/doctor/wiring.ts';
import everything from '../../../fixtures/catalogs/everything.ts';
import { ec2Catalog, exampleCatalog } from '../../../helpers/catalogs.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const STAGE = 'prod';
const SECRET_VALUE = 's3cr3t-never-printed';

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);
const sm = mockClient(SecretsManagerClient);
const iam = mockClient(IAMClient);
const s3 = mockClient(S3Client);
const ec2 = mockClient(EC2Client);
const ecr = mockClient(ECRClient);
const ecs = mockClient(ECSClient);
const quotas = mockClient(ServiceQuotasClient);
const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);

const awsError = (name: string, status = 400) =>
  Object.assign(new Error(`${name} (mocked)`), { name, $metadata: { httpStatusCode: status } });

/** The account the mocks answer from; each test breaks one thing. */
interface Account {
  parameters: Record<string, { type: string; value: string }>;
  secrets: Record<string, { versions: Record<string, string[]>; value?: string }>;
  roleExists: boolean;
  denied: Record<string, 'implicitDeny' | 'explicitDeny'>;
  buckets: Record<string, { eventBridge: boolean; other?: Record<string, unknown> } | 'forbidden'>;
  queues: Record<string, { visibility: number; kmsKey?: string }>;
  subnets: Record<string, string>;
  groups: Record<string, string>;
  routes: { id: string; main: boolean; subnets: string[]; target?: string }[];
  endpoints: string[];
  stack: boolean;
  cluster: { capacityProviders: string[] } | undefined;
  capacityProviders: string[];
  images: Record<string, string[]>;
  vcpu: { 'on-demand': number; spot: number };
  lambda: { total: number; unreserved: number };
}

const smArn = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;

const cleanAccount = (): Account => ({
  parameters: {
    [`/longshore/${STAGE}/privateSubnetIds`]: { type: 'StringList', value: 'subnet-0a,subnet-0b' },
    [`/longshore/${STAGE}/jobSecurityGroupIds`]: { type: 'StringList', value: 'sg-0a' },
    [`/longshore/${STAGE}/archiveFileSystemId`]: { type: 'String', value: 'fs-0a' },
    [`/longshore/${STAGE}/archiveAccessPointId`]: { type: 'String', value: 'fsap-0a' },
    [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/finance/reporting/db-password`]: { type: 'SecureString', value: 'x' },
  },
  secrets: {
    [smArn('finance/smtp-Qx7YtZ')]: {
      versions: { 'a1b2c3d4-0000-0000-0000-000000000001': ['AWSCURRENT'] },
      value: JSON.stringify({ token: SECRET_VALUE, user: 'mailer' }),
    },
    [smArn('prod/warehouse-Hn3Kd9')]: {
      versions: { 'a1b2c3d4-0000-0000-0000-000000000002': ['AWSCURRENT'] },
      value: JSON.stringify({ password: SECRET_VALUE }),
    },
  },
  roleExists: true,
  denied: {},
  buckets: { 'acme-media-uploads': { eventBridge: true }, 'acme-partner-drop': { eventBridge: true } },
  queues: { 'acme-orders-resend': { visibility: 180 } },
  subnets: { 'subnet-0a': 'vpc-1', 'subnet-0b': 'vpc-1' },
  groups: { 'sg-0a': 'vpc-1' },
  routes: [{ id: 'rtb-main', main: true, subnets: [], target: 'nat-0a' }],
  endpoints: [],
  stack: true,
  cluster: { capacityProviders: ['FARGATE', 'FARGATE_SPOT'] },
  capacityProviders: [],
  images: { 'media/thumbnailer': ['2.3.1'], 'finance/reporter': ['5.0.0'], 'data/ingest': ['1.12.0'] },
  vcpu: { 'on-demand': 4000, spot: 4000 },
  lambda: { total: 1000, unreserved: 1000 },
});

let account: Account;

const wire = () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  cfn.on(DescribeStacksCommand).callsFake(() => {
    if (!account.stack)
      throw Object.assign(awsError('ValidationError', 400), {
        message: `Stack with id longshore-${STAGE} does not exist`,
      });
    return {
      Stacks: [
        { StackName: `longshore-${STAGE}`, CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [] },
      ],
    };
  });
  ssm.on(GetParametersCommand).callsFake(({ Names }: { Names: string[] }) => ({
    Parameters: Names.filter((n) => account.parameters[n]).map((n) => ({
      Name: n,
      Type: account.parameters[n]?.type,
      Value: account.parameters[n]?.value,
    })),
    InvalidParameters: Names.filter((n) => !account.parameters[n]),
  }));
  sm.on(DescribeSecretCommand).callsFake(({ SecretId }: { SecretId: string }) => {
    const s = account.secrets[SecretId];
    if (!s) throw awsError('ResourceNotFoundException');
    return { ARN: SecretId, VersionIdsToStages: s.versions };
  });
  sm.on(GetSecretValueCommand).callsFake(({ SecretId }: { SecretId: string }) => {
    const s = account.secrets[SecretId];
    if (!s) throw awsError('ResourceNotFoundException');
    return s.value === undefined
      ? { ARN: SecretId, SecretBinary: new Uint8Array([1]) }
      : { ARN: SecretId, SecretString: s.value };
  });
  iam.on(GetRoleCommand).callsFake(({ RoleName }: { RoleName: string }) => {
    if (!account.roleExists) throw awsError('NoSuchEntityException', 404);
    return {
      Role: {
        RoleName,
        Arn: `arn:aws:iam::${ACCOUNT}:role/${RoleName}`,
        Path: '/',
        RoleId: 'AROAEXAMPLE',
        CreateDate: new Date(),
      },
    };
  });
  iam
    .on(SimulatePrincipalPolicyCommand)
    .callsFake(({ ActionNames, ResourceArns }: { ActionNames: string[]; ResourceArns: string[] }) => ({
      EvaluationResults: ActionNames.map((a) => ({
        EvalActionName: a,
        EvalResourceName: ResourceArns[0],
        EvalDecision: account.denied[ResourceArns[0] ?? ''] ?? 'allowed',
      })),
    }));
  s3.on(HeadBucketCommand).callsFake(({ Bucket }: { Bucket: string }) => {
    const b = account.buckets[Bucket];
    if (b === undefined) throw awsError('NotFound', 404);
    if (b === 'forbidden') throw awsError('Forbidden', 403);
    return {};
  });
  s3.on(GetBucketNotificationConfigurationCommand).callsFake(({ Bucket }: { Bucket: string }) => {
    const b = account.buckets[Bucket];
    return b && b !== 'forbidden'
      ? { ...(b.other ?? {}), ...(b.eventBridge ? { EventBridgeConfiguration: {} } : {}) }
      : {};
  });
  sqs
    .on(GetQueueUrlCommand)
    .callsFake(({ QueueName, QueueOwnerAWSAccountId }: { QueueName: string; QueueOwnerAWSAccountId: string }) => {
      if (!account.queues[QueueName] || QueueOwnerAWSAccountId !== ACCOUNT) throw awsError('QueueDoesNotExist');
      return { QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${QueueName}` };
    });
  sqs.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => {
    const q = account.queues[QueueUrl.split('/').pop() ?? ''];
    if (!q) throw awsError('QueueDoesNotExist');
    return {
      Attributes: { VisibilityTimeout: String(q.visibility), ...(q.kmsKey ? { KmsMasterKeyId: q.kmsKey } : {}) },
    };
  });
  const values = (filters: { Values?: string[] }[]) => filters[0]?.Values ?? [];
  ec2.on(DescribeSubnetsCommand).callsFake(({ Filters }: { Filters: { Values: string[] }[] }) => ({
    Subnets: values(Filters)
      .filter((id) => account.subnets[id])
      .map((id) => ({ SubnetId: id, VpcId: account.subnets[id] })),
  }));
  ec2.on(DescribeSecurityGroupsCommand).callsFake(({ Filters }: { Filters: { Values: string[] }[] }) => ({
    SecurityGroups: values(Filters)
      .filter((id) => account.groups[id])
      .map((id) => ({ GroupId: id, VpcId: account.groups[id] })),
  }));
  ec2.on(DescribeRouteTablesCommand).callsFake(() => ({
    RouteTables: account.routes.map((r) => ({
      RouteTableId: r.id,
      Associations: [...(r.main ? [{ Main: true }] : []), ...r.subnets.map((s) => ({ SubnetId: s, Main: false }))],
      Routes: [
        { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
        ...(r.target
          ? [
              {
                DestinationCidrBlock: '0.0.0.0/0',
                State: 'active',
                ...(r.target.startsWith('nat-')
                  ? { NatGatewayId: r.target }
                  : r.target.startsWith('tgw-')
                    ? { TransitGatewayId: r.target }
                    : { GatewayId: r.target }),
              },
            ]
          : []),
      ],
    })),
  }));
  ec2.on(DescribeVpcEndpointsCommand).callsFake(() => ({
    VpcEndpoints: account.endpoints.map((s) => ({
      ServiceName: s,
      VpcEndpointType: s.endsWith('.s3') ? 'Gateway' : 'Interface',
      State: 'Available',
    })),
  }));
  ecr
    .on(DescribeImagesCommand)
    .callsFake(({ repositoryName, imageIds }: { repositoryName: string; imageIds: { imageTag?: string }[] }) => {
      const tags = account.images[repositoryName];
      if (!tags) throw awsError('RepositoryNotFoundException');
      if (!tags.includes(imageIds[0]?.imageTag ?? '')) throw awsError('ImageNotFoundException');
      return { imageDetails: [{ repositoryName, imageTags: tags }] };
    });
  ecs.on(DescribeClustersCommand).callsFake(({ clusters }: { clusters: string[] }) =>
    account.cluster
      ? {
          clusters: [
            { clusterName: clusters[0], status: 'ACTIVE', capacityProviders: account.cluster.capacityProviders },
          ],
        }
      : { clusters: [], failures: [{ arn: clusters[0], reason: 'MISSING' }] },
  );
  ecs.on(DescribeCapacityProvidersCommand).callsFake(({ capacityProviders }: { capacityProviders: string[] }) => ({
    capacityProviders: capacityProviders
      .filter((p) => account.capacityProviders.includes(p))
      .map((name) => ({ name, status: 'ACTIVE' })),
  }));
  quotas.on(GetServiceQuotaCommand).callsFake(({ QuotaCode }: { QuotaCode: string }) => ({
    Quota: { QuotaCode, Value: QuotaCode === 'L-36FBB829' ? account.vcpu.spot : account.vcpu['on-demand'] },
  }));
  lambda.on(GetAccountSettingsCommand).callsFake(() => ({
    AccountLimit: {
      ConcurrentExecutions: account.lambda.total,
      UnreservedConcurrentExecutions: account.lambda.unreserved,
    },
  }));
};

beforeEach(() => {
  for (const m of [sts, cfn, ssm, sm, iam, s3, ec2, ecr, ecs, quotas, lambda, sqs]) m.reset();
  account = cleanAccount();
  wire();
});

const doctor = (opts: Partial<DoctorInput> = {}, catalog: Catalog = exampleCatalog()): Promise<DoctorReport> =>
  runDoctor(awsDoctorPorts(REGION), { catalog, stage: STAGE, region: REGION, before: false, ...opts });

const only = (report: DoctorReport) => report.findings.map((f) => `${f.severity} ${f.check}: ${f.what}`);

const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:acme-orders-resend`;
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;

/** The example catalog with its sqs trigger naming this kmsKey. */
const withQueueKey = (kmsKey: string): Catalog => {
  const catalog = exampleCatalog();
  for (const job of catalog.jobs) job.triggers = job.triggers.map((t) => (t.type === 'sqs' ? { ...t, kmsKey } : t));
  return catalog;
};

describe('Function: runDoctor (trigger queues)', () => {
  it.each<[string, { visibility: number; kmsKey?: string }, Catalog | undefined, string[]]>([
    [
      'a visibility timeout under the function timeout as blocking: the deploy fails',
      { visibility: 20 },
      undefined,
      [`blocking queues: queue ${QUEUE} has a visibility timeout of 20 s; onMessage's timeout is 30 s`],
    ],
    [
      'a visibility timeout under six times the function timeout as a warning',
      { visibility: 60 },
      undefined,
      [`warning queues: queue ${QUEUE} has a visibility timeout of 60 s; onMessage's timeout is 30 s`],
    ],
    [
      'a customer-managed key the trigger does not name as blocking',
      { visibility: 180, kmsKey: KEY_ID },
      undefined,
      [
        `blocking queues: queue ${QUEUE} is encrypted with the customer-managed key ${KEY_ID}, and its sqs trigger (order-fulfilment) names no kmsKey`,
      ],
    ],
    [
      'another key than the one the trigger names as blocking',
      { visibility: 180, kmsKey: KEY_ARN },
      withQueueKey(`arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-0000-0000-0000-000000000000`),
      [
        `blocking queues: queue ${QUEUE} is encrypted with the key ${KEY_ARN}, not the kmsKey its sqs trigger names (arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-0000-0000-0000-000000000000)`,
      ],
    ],
    ['nothing when the trigger names the key (by id)', { visibility: 180, kmsKey: KEY_ID }, withQueueKey(KEY_ARN), []],
    ['nothing for the AWS managed key', { visibility: 180, kmsKey: 'alias/aws/sqs' }, undefined, []],
    [
      'a key given by alias as a warning: only KMS can tell which key it is',
      { visibility: 180, kmsKey: 'alias/orders' },
      withQueueKey(KEY_ARN),
      [
        `warning queues: queue ${QUEUE} names its key by the alias alias/orders: the doctor cannot tell whether it is the kmsKey ${KEY_ARN}`,
      ],
    ],
  ])('reports %s', async (_what, queue, catalog, expected) => {
    // Prepare
    account.queues['acme-orders-resend'] = queue;

    // Act
    const report = await doctor({}, catalog);

    // Assess
    expect(only(report)).toEqual(expected);
  });

  it('reports a missing queue with the command that creates it, and a queue in another Region', async () => {
    // Prepare
    delete account.queues['acme-orders-resend'];
    const elsewhere = exampleCatalog();
    for (const job of elsewhere.jobs)
      job.triggers = job.triggers.map((t) =>
        t.type === 'sqs' ? { ...t, queue: `arn:aws:sqs:us-east-1:${ACCOUNT}:acme-orders-resend` } : t,
      );

    // Act
    const missing = await doctor();
    const other = await doctor({}, elsewhere);

    // Assess
    expect(missing.findings).toEqual([
      expect.objectContaining({
        severity: 'blocking',
        what: `queue ${QUEUE} (sqs trigger of order-fulfilment) does not exist`,
        fix: `aws sqs create-queue --region ${REGION} --queue-name acme-orders-resend --attributes VisibilityTimeout=180  (or fix the queue in the catalog)`,
      }),
    ]);
    expect(only(other)).toEqual([
      `blocking queues: queue arn:aws:sqs:us-east-1:${ACCOUNT}:acme-orders-resend (sqs trigger of order-fulfilment) is in us-east-1, not in the stage's Region ${REGION}`,
    ]);
  });
});

describe('Function: runDoctor', () => {
  it('finds nothing on a clean account, after the deploy', async () => {
    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([]);
    expect(report.checks.map((c) => `${c.check} ${c.status}`)).toEqual([
      'stage-parameters ok',
      'secrets ok',
      'secret-access ok',
      'buckets ok',
      'queues ok',
      'network ok',
      'cluster ok',
      'images ok',
      'quotas ok',
    ]);
    expect(report).toEqual(expect.objectContaining({ account: ACCOUNT, blocking: 0, warnings: 0 }));
  });

  it('skips the execution role and the stack before the first deploy', async () => {
    // Prepare
    account.stack = false;
    account.roleExists = false;
    account.cluster = undefined;

    // Act
    const report = await doctor({ before: true });

    // Assess
    expect(only(report)).toEqual([]);
    expect(report.checks.find((c) => c.check === 'secret-access')?.status).toBe('skipped');
    expect(iam).not.toHaveReceivedCommand(SimulatePrincipalPolicyCommand);
  });

  it('reports a missing stage parameter with the put-parameter command, and a SecureString one', async () => {
    // Prepare
    delete account.parameters[`/longshore/${STAGE}/privateSubnetIds`];
    account.parameters[`/longshore/${STAGE}/archiveFileSystemId`] = { type: 'SecureString', value: 'x' };

    // Act
    const report = await doctor();

    // Assess
    expect(report.findings.filter((f) => f.check === 'stage-parameters')).toEqual([
      expect.objectContaining({
        severity: 'blocking',
        subject: `/longshore/${STAGE}/archiveFileSystemId`,
        what: expect.stringMatching(/is a SecureString; the template reads it as String/),
      }),
      expect.objectContaining({
        severity: 'blocking',
        what: "stage parameter 'privateSubnetIds' (network 'default' subnets) does not exist in SSM",
        fix: `aws ssm put-parameter --region ${REGION} --name /longshore/${STAGE}/privateSubnetIds --type StringList --value subnet-aaa,subnet-bbb`,
      }),
    ]);
  });

  it('reports a missing SSM parameter and a missing Secrets Manager secret', async () => {
    // Prepare
    delete account.parameters[`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/finance/reporting/db-password`];
    delete account.secrets[smArn('prod/warehouse-Hn3Kd9')];

    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([
      `blocking secrets: SSM parameter arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/finance/reporting/db-password does not exist`,
      `blocking secrets: Secrets Manager secret ${smArn('prod/warehouse-Hn3Kd9')} does not exist`,
    ]);
    expect(report.findings[0]?.fix).toBe(
      `aws ssm put-parameter --region ${REGION} --name /finance/reporting/db-password --type SecureString --value <the secret>`,
    );
  });

  it('reports a missing JSON key by the key names only, never the value', async () => {
    // Prepare
    account.secrets[smArn('prod/warehouse-Hn3Kd9')] = {
      versions: { 'a1b2c3d4-0000-0000-0000-000000000002': ['AWSCURRENT'] },
      value: JSON.stringify({ pass: SECRET_VALUE, user: SECRET_VALUE }),
    };

    // Act
    const report = await doctor();
    const lines: string[] = [];
    printDoctorReport(new Output({ json: false, color: false, tty: false }, (s) => lines.push(s)), report);

    // Assess
    expect(only(report)).toEqual([
      `blocking secrets: secret ${smArn('prod/warehouse-Hn3Kd9')} has no JSON key 'password': its JSON has the keys pass, user`,
    ]);
    expect(JSON.stringify(report) + lines.join('')).not.toContain(SECRET_VALUE);
  });

  it('reports a version stage the secret does not have, and a binary secret where a JSON key is wanted', async () => {
    // Prepare
    account.secrets[smArn('finance/smtp-Qx7YtZ')] = {
      versions: { 'a1b2c3d4-0000-0000-0000-000000000001': ['AWSPREVIOUS'] },
    };
    account.secrets[smArn('prod/warehouse-Hn3Kd9')] = {
      versions: { 'a1b2c3d4-0000-0000-0000-000000000002': ['AWSCURRENT'] },
    };

    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([
      `blocking secrets: secret ${smArn('finance/smtp-Qx7YtZ')} has no version labelled AWSCURRENT (it has AWSPREVIOUS)`,
      `blocking secrets: secret ${smArn('prod/warehouse-Hn3Kd9')} has no JSON key 'password': it is a binary secret (ECS reads only SecretString)`,
    ]);
  });

  it('reports a version id the secret does not have', async () => {
    // Prepare
    const pinned = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:media/pinned-Hn3Kd9';
    const catalog = validateCatalog(structuredClone(everything));
    account.secrets = Object.fromEntries(
      ['media/whole-AbCdEf', 'media/db-Qx7YtZ', 'media/router-Zz9Yy8'].map((n) => [
        smArn(n),
        { versions: { v1: ['AWSCURRENT', 'AWSPREVIOUS'] }, value: JSON.stringify({ password: 'x', user: 'y' }) },
      ]),
    );
    account.secrets[pinned] = { versions: { 'other-version': ['AWSCURRENT'] }, value: '{}' };

    // Act
    const report = await doctor({}, catalog);

    // Assess
    expect(report.findings.filter((f) => f.what.startsWith('secret ')).map((f) => f.what)).toEqual([
      `secret ${pinned} has no version EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE`,
    ]);
  });

  it('reports secrets the execution role may not read, with the deploy (implicit) or the deny (explicit) to fix', async () => {
    // Prepare
    account.denied[smArn('prod/warehouse-Hn3Kd9')] = 'implicitDeny';
    account.denied[smArn('finance/smtp-Qx7YtZ')] = 'explicitDeny';

    // Act
    const report = await doctor();
    const access = report.findings.filter((f) => f.check === 'secret-access');

    // Assess
    expect(access.map((f) => f.what)).toEqual([
      `the execution role may not secretsmanager:GetSecretValue on ${smArn('finance/smtp-Qx7YtZ')} (explicitDeny)`,
      `the execution role may not secretsmanager:GetSecretValue on ${smArn('prod/warehouse-Hn3Kd9')} (implicitDeny)`,
    ]);
    expect(access[0]?.fix).toMatch(/^an explicit Deny applies/);
    expect(access[1]?.fix).toMatch(/^npx osls deploy --stage prod --region eu-west-1/);
    expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/longshore-prod-x-nightly-report-${REGION}`,
      ActionNames: ['ssm:GetParameters'],
    });
  });

  it('reports a missing execution role (one per job with secrets) and a missing stack after the deploy', async () => {
    // Prepare
    account.roleExists = false;
    account.stack = false;

    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([
      `blocking secret-access: the task execution role longshore-prod-x-nightly-report-${REGION} of job 'nightly-report' does not exist`,
      `blocking secret-access: the task execution role longshore-prod-x-csv-ingest-${REGION} of job 'csv-ingest' does not exist`,
      `blocking cluster: stack longshore-prod does not exist in ${REGION}`,
    ]);
  });

  it('reports a missing bucket, a bucket without EventBridge (keeping its other notifications) and one of another account', async () => {
    // Prepare
    delete account.buckets['acme-media-uploads'];
    account.buckets['acme-partner-drop'] = {
      eventBridge: false,
      other: {
        QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:eu-west-1:111122223333:audit', Events: ['s3:ObjectCreated:*'] }],
      },
    };
    const other = validateCatalog({
      ...structuredClone(exampleCatalog()),
      jobs: [
        {
          ...structuredClone(exampleCatalog().jobs[0]),
          name: 'elsewhere',
          triggers: [{ type: 's3', bucket: 'partner-owned' }],
          overrides: { command: false, environment: [], size: true, image: false },
        },
      ],
    });
    account.buckets['partner-owned'] = 'forbidden';

    // Act
    const report = await doctor();
    const foreign = await doctor({}, other);

    // Assess
    expect(report.findings.filter((f) => f.check === 'buckets').map((f) => `${f.severity} ${f.what}`)).toEqual([
      'blocking bucket acme-media-uploads (triggers of thumbnails) does not exist',
      'blocking bucket acme-partner-drop does not send its events to EventBridge',
    ]);
    expect(report.findings[1]?.fix).toBe(
      `aws s3api put-bucket-notification-configuration --bucket acme-partner-drop --notification-configuration '{"QueueConfigurations":[{"QueueArn":"arn:aws:sqs:eu-west-1:111122223333:audit","Events":["s3:ObjectCreated:*"]}],"EventBridgeConfiguration":{}}'`,
    );
    expect(foreign.findings.filter((f) => f.check === 'buckets').map((f) => f.severity)).toEqual(['warning']);
  });

  it('reports a missing subnet, a missing security group and one in another VPC', async () => {
    // Prepare
    account.parameters[`/longshore/${STAGE}/privateSubnetIds`] = { type: 'StringList', value: 'subnet-0a,subnet-gone' };
    account.parameters[`/longshore/${STAGE}/jobSecurityGroupIds`] = {
      type: 'StringList',
      value: 'sg-0a,sg-gone,sg-other',
    };
    account.groups['sg-other'] = 'vpc-2';

    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([
      `blocking network: subnet subnet-gone does not exist in ${REGION}`,
      `blocking network: security group sg-gone does not exist in ${REGION}`,
      'blocking network: security group sg-other is in vpc-2, the subnets in vpc-1',
    ]);
    expect(report.findings[0]?.fix).toMatch(
      /^aws ssm put-parameter --region eu-west-1 --overwrite --name \/longshore\/prod\/privateSubnetIds --type StringList/,
    );
  });

  it('reports private subnets without NAT: the VPC endpoints to create, or a NAT route when an image is public', async () => {
    // Prepare
    account.routes = [{ id: 'rtb-private', main: true, subnets: [] }];
    account.endpoints = [`com.amazonaws.${REGION}.logs`];
    const ecrOnly = validateCatalog({
      ...structuredClone(exampleCatalog()),
      jobs: [structuredClone(exampleCatalog().jobs[2])],
    });

    // Act
    const endpoints = await doctor({}, ecrOnly);
    const nat = await doctor();

    // Assess
    expect(only(endpoints)).toEqual([
      'blocking network: subnet subnet-0a has no default route (no NAT gateway), and VPC vpc-1 lacks the endpoints ecr.api, ecr.dkr, s3, secretsmanager',
      'blocking network: subnet subnet-0b has no default route (no NAT gateway), and VPC vpc-1 lacks the endpoints ecr.api, ecr.dkr, s3, secretsmanager',
    ]);
    expect(endpoints.findings[0]?.fix.split('\n')).toEqual([
      `aws ec2 create-vpc-endpoint --region ${REGION} --vpc-id vpc-1 --vpc-endpoint-type Interface --private-dns-enabled --service-name com.amazonaws.${REGION}.ecr.api --subnet-ids subnet-0a --security-group-ids sg-0a`,
      `aws ec2 create-vpc-endpoint --region ${REGION} --vpc-id vpc-1 --vpc-endpoint-type Interface --private-dns-enabled --service-name com.amazonaws.${REGION}.ecr.dkr --subnet-ids subnet-0a --security-group-ids sg-0a`,
      `aws ec2 create-vpc-endpoint --region ${REGION} --vpc-id vpc-1 --vpc-endpoint-type Gateway --service-name com.amazonaws.${REGION}.s3 --route-table-ids rtb-private`,
      `aws ec2 create-vpc-endpoint --region ${REGION} --vpc-id vpc-1 --vpc-endpoint-type Interface --private-dns-enabled --service-name com.amazonaws.${REGION}.secretsmanager --subnet-ids subnet-0a --security-group-ids sg-0a`,
    ]);
    expect(nat.findings[0]?.fix).toMatch(
      /^aws ec2 create-route --region eu-west-1 --route-table-id rtb-private --destination-cidr-block 0\.0\.0\.0\/0 --nat-gateway-id/,
    );
  });

  it('reports an internet gateway route without a public IP as blocking, and a transit gateway as undecided', async () => {
    // Prepare
    account.routes = [
      { id: 'rtb-igw', main: false, subnets: ['subnet-0a'], target: 'igw-0a' },
      { id: 'rtb-tgw', main: true, subnets: [], target: 'tgw-0a' },
    ];

    // Act
    const report = await doctor();

    // Assess
    expect(report.findings.map((f) => `${f.severity} ${f.subject}`)).toEqual([
      "blocking network 'default' subnet subnet-0a",
      "warning network 'default' subnet subnet-0b",
    ]);
    expect(report.findings[0]?.what).toMatch(/routes to an internet gateway but the network gives tasks no public IP/);
  });

  it('reports a cluster without FARGATE_SPOT, with a command that keeps its providers', async () => {
    // Prepare
    account.cluster = { capacityProviders: ['FARGATE', 'my-ec2'] };

    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([
      'blocking cluster: cluster longshore-prod lacks the capacity providers FARGATE_SPOT (jobs csv-ingest)',
    ]);
    expect(report.findings[0]?.fix).toBe(
      `aws ecs put-cluster-capacity-providers --region ${REGION} --cluster longshore-prod --capacity-providers FARGATE my-ec2 FARGATE_SPOT --default-capacity-provider-strategy capacityProvider=FARGATE,weight=1`,
    );
  });

  it('reports an existing cluster that does not exist, and an EC2 capacity provider that does not', async () => {
    // Prepare
    account.cluster = undefined;
    account.images['media/transcoder'] = ['0.9.4'];

    // Act
    const report = await doctor(
      { before: true, clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/shared' },
      ec2Catalog(),
    );

    // Assess
    expect(only(report)).toEqual([
      'blocking cluster: capacity provider gpu-g5 (jobs gpu-transcode) does not exist or is not ACTIVE',
      'blocking cluster: cluster arn:aws:ecs:eu-west-1:111122223333:cluster/shared does not exist (or is INACTIVE)',
    ]);
  });

  it('reports a missing image and a missing repository with the push and create commands', async () => {
    // Prepare
    account.images['media/thumbnailer'] = ['2.3.0'];
    delete account.images['data/ingest'];

    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([
      'blocking images: image media/thumbnailer:2.3.1 is not in ECR',
      `blocking images: ECR repository data/ingest does not exist in ${REGION}`,
    ]);
    expect(report.findings[0]?.fix).toBe(
      `aws ecr get-login-password --region ${REGION} | docker login --username AWS --password-stdin ${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com && docker push ${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/media/thumbnailer:2.3.1`,
    );
  });

  it('reports Fargate vCPU quotas too small for one task (blocking) or for maxConcurrent (warning)', async () => {
    // Prepare
    account.vcpu = { 'on-demand': 10, spot: 0.5 };

    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([
      'warning quotas: at maxConcurrent the jobs need 31 Fargate on-demand vCPU; the quota is 10',
      "blocking quotas: job 'csv-ingest' needs 1 vCPU per task; the account's Fargate spot vCPU quota is 0.5",
    ]);
    expect(report.findings[1]?.fix).toBe(
      `aws service-quotas request-service-quota-increase --region ${REGION} --service-code fargate --quota-code L-36FBB829 --desired-value 3`,
    );
  });

  it('reports Lambda concurrency below the service minimum (blocking) or below maxConcurrent (warning), and unbounded jobs', async () => {
    // Prepare
    account.lambda = { total: 10, unreserved: 5 };
    const unbounded = validateCatalog({
      ...structuredClone(exampleCatalog()),
      jobs: [{ ...structuredClone(exampleCatalog().jobs[0]), maxConcurrent: undefined }],
    });

    // Act
    const low = await doctor();
    account.lambda = { total: 40, unreserved: 40 };
    const tight = await doctor();
    const open = await doctor({}, unbounded);

    // Assess
    expect(only(low)).toEqual([
      'blocking quotas: the account has 5 unreserved Lambda concurrent executions (of 10); the service needs 8 at least',
    ]);
    expect(only(tight)).toEqual([
      'warning quotas: the account allows 40 concurrent Lambda executions; with every job at maxConcurrent the task events may need 70',
    ]);
    expect(only(open)).toEqual([
      "warning quotas: job 'thumbnails' has no maxConcurrent: its demand on the Fargate vCPU quota is unbounded",
    ]);
  });

  it('turns a call it may not make into a warning and still runs the other checks', async () => {
    // Prepare
    ecr.on(DescribeImagesCommand).rejects(awsError('AccessDeniedException', 400));

    // Act
    const report = await doctor();

    // Assess
    expect(only(report)).toEqual([
      'warning images: could not be checked: ecr:DescribeImages failed: AccessDeniedException: AccessDeniedException (mocked)',
    ]);
    expect(report.checks.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'findings', 'ok']);
  });
});

describe('Command: longshore doctor', () => {
  const runCli = async (args: string[]) => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      written.push(String(s));
      return true;
    });
    let code = 0;
    try {
      const program = buildProgram((c) => {
        code = Math.max(code, c);
      });
      program.exitOverride();
      await program.parseAsync(args, { from: 'user' });
    } finally {
      spy.mockRestore();
    }
    return { code, text: written.join('') };
  };

  it('exits 7 with what, why and fix for a blocking finding, and 0 on a clean account', async () => {
    // Prepare
    delete account.images['data/ingest'];

    // Act
    const broken = await runCli(['--stage', STAGE, '--region', REGION, 'doctor']);
    account.images['data/ingest'] = ['1.12.0'];
    const clean = await runCli(['--stage', STAGE, '--region', REGION, 'doctor', '--json']);

    // Assess
    expect(broken.code).toBe(7);
    expect(broken.text).toContain('✗ Images in ECR (3 ECR images) 1 blocking, 0 warning');
    expect(broken.text).toMatch(
      /what: ECR repository data\/ingest does not exist[\s\S]*why: {2}the task stops with CannotPullContainerError[\s\S]*fix: {2}aws ecr create-repository/,
    );
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.text)).toEqual(expect.objectContaining({ blocking: 0, stage: STAGE }));
  });

  it('refuses to run without a stage', async () => {
    // Act
    const run = runCli(['doctor']);

    // Assess
    await expect(run).rejects.toThrow(/doctor needs --stage/);
  });
});
