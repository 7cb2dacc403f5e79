/**
 * Per-job resources: a Fargate (or EC2) task definition whose containers take secrets by reference,
 * the job's log group, the job's task role (what its code may do) and the job's task execution role
 * (what ECS may do to start it: read exactly this job's secrets, parameters and environment files,
 * pull exactly this job's images, write exactly this job's log group). One execution role per job,
 * not one for all: a task definition names its execution role, so with a shared one any job's task
 * definition could reference another job's secret and ECS would inject it (docs/decisions.md).
 */

import { cfnString, localArn } from '../catalog/arn.ts';
import type { Container, Job, Sidecar, Volume } from '../catalog/schema.ts';
import { type ResolvedSecret, resolveSecret } from '../catalog/secretRefs.ts';
import { jobExecutionRoleName, logGroupName, MAIN_CONTAINER_NAME, taskFamily, taskRoleName } from '../domain/names.ts';
import {
  allow,
  assumeRolePolicy,
  type CfnValue,
  escapeSub,
  getAtt,
  pascal,
  policyDocument,
  type Resources,
  type Statement,
  sub,
} from './cfn.ts';
import type { BuildContext } from './context.ts';
import { readOwnManifests } from './manifests.ts';
import { stringValue } from './params.ts';

export const jobLogicalId = (job: string, kind: 'TaskDefinition' | 'TaskRole' | 'ExecutionRole' | 'LogGroup'): string =>
  `Job${pascal(job)}${kind}`;

const imageValue = (image: Container['image']): CfnValue => {
  if (typeof image === 'string') return cfnString(image);
  const suffix = image.digest !== undefined ? `@${image.digest}` : `:${image.tag ?? 'latest'}`;
  return sub(`\${AWS::AccountId}.dkr.ecr.\${AWS::Region}.\${AWS::URLSuffix}/${image.ecr}${suffix}`);
};

const mountsFor = (containerName: string, volumes: Volume[]): CfnValue[] =>
  volumes
    .filter((v) => v.containers === undefined || v.containers.includes(containerName))
    .map((v) => ({ SourceVolume: v.name, ContainerPath: v.mountPath, ReadOnly: v.readOnly }));

const containerDefinition = (
  ctx: BuildContext,
  job: Job,
  name: string,
  c: Container | Sidecar,
  essential: boolean,
  extra: Record<string, CfnValue> = {},
): CfnValue => {
  const secrets = Object.entries(c.secrets).map(([envName, refValue]) => ({
    Name: envName,
    ValueFrom: cfnString(resolveSecret(refValue).valueFrom),
  }));
  const def: Record<string, CfnValue> = {
    Name: name,
    Image: imageValue(c.image),
    Essential: essential,
    Environment: Object.entries(c.environment).map(([Name, Value]) => ({ Name, Value })),
    MountPoints: mountsFor(name, job.volumes),
    ReadonlyRootFilesystem: c.readonlyRootFilesystem,
    LogConfiguration: {
      LogDriver: 'awslogs',
      Options: {
        'awslogs-group': logGroupName(ctx.stage, job),
        'awslogs-region': { Ref: 'AWS::Region' },
        'awslogs-stream-prefix': job.container.logs.streamPrefix,
      },
    },
    ...extra,
  };
  if (secrets.length > 0) def.Secrets = secrets;
  if (c.environmentFiles.length > 0)
    def.EnvironmentFiles = c.environmentFiles.map((f) => ({ Type: 's3', Value: cfnString(f) }));
  if (c.command) def.Command = c.command;
  if (c.entryPoint) def.EntryPoint = c.entryPoint;
  if (c.workingDirectory) def.WorkingDirectory = c.workingDirectory;
  if (c.user) def.User = c.user;
  if (c.ports.length > 0) def.PortMappings = c.ports.map((p) => ({ ContainerPort: p, Protocol: 'tcp' }));
  if (c.stopTimeoutSeconds !== undefined) def.StopTimeout = c.stopTimeoutSeconds;
  return def;
};

const volumeDefinition = (v: Volume): CfnValue => {
  if (!v.efs) return { Name: v.name };
  const efs: Record<string, CfnValue> = {
    FilesystemId: stringValue(v.efs.fileSystemId),
    TransitEncryption: v.efs.transitEncryption ? 'ENABLED' : 'DISABLED',
  };
  if (v.efs.rootDirectory !== undefined) efs.RootDirectory = v.efs.rootDirectory;
  if (v.efs.accessPointId !== undefined || v.efs.iamAuthorization) {
    efs.AuthorizationConfig = {
      IAM: v.efs.iamAuthorization ? 'ENABLED' : 'DISABLED',
      ...(v.efs.accessPointId !== undefined ? { AccessPointId: stringValue(v.efs.accessPointId) } : {}),
    };
  }
  return { Name: v.name, EFSVolumeConfiguration: efs };
};

const fileSystemArn = (v: NonNullable<Volume['efs']>): CfnValue => ({
  'Fn::Join': [
    '',
    [
      sub('arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/'),
      stringValue(v.fileSystemId),
    ],
  ],
});

const accessPointArn = (id: NonNullable<NonNullable<Volume['efs']>['accessPointId']>): CfnValue => ({
  'Fn::Join': [
    '',
    [sub('arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:access-point/'), stringValue(id)],
  ],
});

/** What the job's own code may do: read its trigger objects, its EFS volumes, and what it declares. */
export const taskRoleStatements = (job: Job): Statement[] => {
  const statements: Statement[] = [];
  if (job.taskRole.readTriggerObjects) {
    const objects = job.triggers.flatMap((t) =>
      t.type === 's3'
        ? [sub(`arn:\${AWS::Partition}:s3:::${t.bucket}/${escapeSub(t.prefix ?? '')}*${escapeSub(t.suffix ?? '')}`)]
        : [],
    );
    if (objects.length > 0)
      statements.push({ Sid: 'ReadTriggerObjects', ...allow(['s3:GetObject', 's3:GetObjectVersion'], objects) });
  }
  job.volumes.forEach((v, i) => {
    if (!v.efs?.iamAuthorization) return;
    const actions = v.readOnly
      ? ['elasticfilesystem:ClientMount']
      : ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'];
    const condition =
      v.efs.accessPointId !== undefined
        ? { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPointArn(v.efs.accessPointId) } }
        : undefined;
    statements.push({ Sid: `MountVolume${i}`, ...allow(actions, [fileSystemArn(v.efs)], condition) });
  });
  job.taskRole.statements.forEach((s, i) => {
    statements.push({ Sid: `Declared${i}`, Effect: s.effect, Action: s.actions, Resource: s.resources.map(cfnString) });
  });
  return statements;
};

const ecsTasksTrust = assumeRolePolicy('ecs-tasks.amazonaws.com', {
  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*') },
});

const tagList = (tags: Record<string, string>): CfnValue[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export const jobResources = (ctx: BuildContext, job: Job): Resources => {
  const taskRoleId = jobLogicalId(job.name, 'TaskRole');
  const logGroupId = jobLogicalId(job.name, 'LogGroup');
  const executionRoleId = jobLogicalId(job.name, 'ExecutionRole');
  // A job with a batched trigger reads its batches' manifests (lib/infra/manifests.ts).
  const statements = [...taskRoleStatements(job), ...readOwnManifests(ctx.catalog, job.name)];
  const tags = { ...job.tags, 'longshore:job': job.name, 'longshore:stage': ctx.stage };
  const onEc2 = job.capacity.type === 'ec2';
  const gpu: Record<string, CfnValue> =
    job.size.gpus !== undefined ? { ResourceRequirements: [{ Type: 'GPU', Value: String(job.size.gpus) }] } : {};
  const taskDefinition: Record<string, CfnValue> = {
    Family: taskFamily(ctx.stage, job.name),
    RequiresCompatibilities: [onEc2 ? 'EC2' : 'FARGATE'],
    NetworkMode: 'awsvpc',
    Cpu: String(job.size.cpu),
    Memory: String(job.size.memory),
    RuntimePlatform: { CpuArchitecture: job.architecture, OperatingSystemFamily: 'LINUX' },
    ExecutionRoleArn: getAtt(executionRoleId, 'Arn'),
    TaskRoleArn: getAtt(taskRoleId, 'Arn'),
    ContainerDefinitions: [
      containerDefinition(ctx, job, MAIN_CONTAINER_NAME, job.container, true, gpu),
      ...job.sidecars.map((s) => containerDefinition(ctx, job, s.name, s, s.essential)),
    ],
    Volumes: job.volumes.map(volumeDefinition),
    Tags: tagList(tags),
  };
  if (job.size.ephemeralStorageGiB !== undefined)
    taskDefinition.EphemeralStorage = { SizeInGiB: job.size.ephemeralStorageGiB };
  return {
    [logGroupId]: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: logGroupName(ctx.stage, job), RetentionInDays: job.container.logs.retentionDays },
    },
    [taskRoleId]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: sub(taskRoleName(ctx.stage, job.name, '${AWS::Region}')),
        Description: `Task role of longshore job '${job.name}' (${ctx.stage}): what the job's own code may do`,
        AssumeRolePolicyDocument: ecsTasksTrust,
        ...(statements.length > 0
          ? { Policies: [{ PolicyName: 'job', PolicyDocument: policyDocument(statements) }] }
          : {}),
        Tags: tagList(tags),
      },
    },
    [executionRoleId]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: sub(jobExecutionRoleName(ctx.stage, job.name, '${AWS::Region}')),
        Description: `Task execution role of longshore job '${job.name}' (${ctx.stage}): pull its images, write its logs, read its secrets`,
        AssumeRolePolicyDocument: ecsTasksTrust,
        Policies: [{ PolicyName: 'execution', PolicyDocument: policyDocument(executionRoleStatements(ctx, job)) }],
        Tags: tagList(tags),
      },
    },
    [jobLogicalId(job.name, 'TaskDefinition')]: {
      Type: 'AWS::ECS::TaskDefinition',
      DependsOn: [logGroupId],
      Properties: taskDefinition,
    },
  };
};

const ecrRepositories = (job: Job): string[] => {
  const repos = new Set<string>();
  for (const c of [job.container, ...job.sidecars]) if (typeof c.image !== 'string') repos.add(c.image.ecr);
  return [...repos].sort();
};

const secretsOf = (job: Job): ResolvedSecret[] =>
  [job.container, ...job.sidecars].flatMap((c) => Object.values(c.secrets).map(resolveSecret));

const unique = (values: string[]): string[] => [...new Set(values)].sort();

/** The statements of one job's task execution role: only what that job's task definition references. */
export const executionRoleStatements = (ctx: BuildContext, job: Job): Statement[] => {
  const statements: Statement[] = [
    {
      Sid: 'WriteJobLogs',
      ...allow(
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        [sub(localArn('logs', `log-group:${logGroupName(ctx.stage, job)}:log-stream:*`))],
      ),
    },
  ];
  const repos = ecrRepositories(job);
  if (repos.length > 0) {
    // GetAuthorizationToken has no resource types in the Service Authorization Reference (Amazon
    // ECR: "Actions defined by Amazon Elastic Container Registry"), so AWS requires Resource "*";
    // the token alone pulls nothing: every pull also needs the repository actions below.
    statements.push({ Sid: 'EcrAuth', ...allow(['ecr:GetAuthorizationToken'], ['*']) });
    statements.push({
      Sid: 'PullImages',
      ...allow(
        ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        repos.map((r) => sub(localArn('ecr', `repository/${r}`))),
      ),
    });
  }
  const secrets = secretsOf(job);
  const ssm = unique(secrets.filter((s) => s.action === 'ssm:GetParameters').map((s) => s.resource));
  const sm = unique(secrets.filter((s) => s.action === 'secretsmanager:GetSecretValue').map((s) => s.resource));
  const kms = unique(secrets.flatMap((s) => (s.kmsKey ? [s.kmsKey] : [])));
  if (ssm.length > 0) statements.push({ Sid: 'ReadParameters', ...allow(['ssm:GetParameters'], ssm.map(cfnString)) });
  if (sm.length > 0)
    statements.push({ Sid: 'ReadSecrets', ...allow(['secretsmanager:GetSecretValue'], sm.map(cfnString)) });
  if (kms.length > 0) statements.push({ Sid: 'DecryptSecrets', ...allow(['kms:Decrypt'], kms.map(cfnString)) });
  const envFiles = unique([job.container, ...job.sidecars].flatMap((c) => c.environmentFiles));
  if (envFiles.length > 0) {
    statements.push({ Sid: 'ReadEnvironmentFiles', ...allow(['s3:GetObject'], envFiles.map(cfnString)) });
    const buckets = unique(envFiles.map((f) => f.replace(/^(arn:[^:]+:s3:::[^/]+)\/.*$/, '$1')));
    statements.push({
      Sid: 'LocateEnvironmentFileBuckets',
      ...allow(['s3:GetBucketLocation'], buckets.map(cfnString)),
    });
  }
  return statements;
};
