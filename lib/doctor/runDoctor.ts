/**
 * `longshore doctor`: a read-only pre-flight check of an AWS account for a stage, before the deploy
 * (`before`) and after it. Each check reads the account through a port (lib/aws adapters), and
 * every problem becomes a finding saying what is wrong, why the deploy or the jobs will fail, and the
 * exact command that fixes it. A check that cannot decide (access denied, throttled) says so as a
 * warning instead of guessing. Secret values are never printed or kept: only JSON key names.
 */

import type { AccountPort } from '../aws/account.ts';
import type { AccountLimitsPort } from '../aws/accountLimits.ts';
import { QUOTA_CODES } from '../aws/accountLimits.ts';
import type { NetworkPort, RouteTableInfo } from '../aws/ec2.ts';
import type { ImagesPort } from '../aws/ecr.ts';
import type { ClustersPort } from '../aws/ecsClusters.ts';
import type { IamPort } from '../aws/iam.ts';
import type { BucketsPort } from '../aws/s3Notifications.ts';
import type { SecretsInspectorPort } from '../aws/secretsManager.ts';
import type { SsmParametersPort } from '../aws/ssm.ts';
import type { Catalog, Job, Network, SecretRef } from '../catalog/schema.ts';
import { resolveSecret } from '../catalog/secretRefs.ts';
import { clusterName, executionRoleName, SERVICE } from '../domain/names.ts';
import { AppError } from '../errors.ts';
import { collectParams, isParamRef, paramDefaults } from '../infra/params.ts';
import { CHECKS, type CheckName, type CheckResult, type DoctorReport, type Finding } from './findings.ts';

export interface DoctorPorts {
  account: AccountPort;
  ssm: SsmParametersPort;
  secrets: SecretsInspectorPort;
  iam: IamPort;
  buckets: BucketsPort;
  network: NetworkPort;
  clusters: ClustersPort;
  images: ImagesPort;
  limits: AccountLimitsPort;
}

export interface DoctorInput {
  catalog: Catalog;
  stage: string;
  region: string;
  /** Before the first deploy: the stack, its cluster and its roles do not exist yet. */
  before: boolean;
  /** An existing cluster the stage runs on (the stage parameter `clusterArn`), if any. */
  clusterArn?: string;
  /** SSM paths of stage parameters that differ from `/longshore/<stage>/<name>` (`--param`). */
  paramPaths?: Record<string, string>;
}

/**
 * The service's steady need of Lambda concurrency: two launcher pollers (the SQS event source's
 * minimum `maximumConcurrency` is 2) and one execution of each of the other six functions.
 */
export const LAMBDA_MINIMUM = 8;

const partitionOf = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

interface Context {
  input: DoctorInput;
  account: string;
  /** The SSM values of the stage parameters (ids), once read. */
  params: Map<string, string[]>;
  out: Finding[];
}

const add = (ctx: Context, f: Finding): void => {
  ctx.out.push(f);
};

/** A check that could not decide: a warning naming the failed call, never a guess. */
const undecided = (ctx: Context, check: CheckName, subject: string, e: unknown): void => {
  if (!(e instanceof AppError)) throw e;
  add(ctx, {
    check,
    severity: 'warning',
    subject,
    what: `could not be checked: ${e.message}`,
    why: 'the doctor reads the account with your credentials; this check needs the read permission named above',
    fix: 'run the doctor with credentials that may call it (e.g. the ReadOnlyAccess managed policy), then again',
  });
};

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** ARNs in the catalog may carry CloudFormation pseudo parameters: fill them for this account. */
const concrete = (ctx: Context, arn: string): string =>
  arn
    .replaceAll('${AWS::Partition}', partitionOf(ctx.input.region))
    .replaceAll('${AWS::Region}', ctx.input.region)
    .replaceAll('${AWS::AccountId}', ctx.account);

const jobSecrets = (job: Job): { container: string; env: string; ref: SecretRef }[] => [
  ...Object.entries(job.container.secrets).map(([env, ref]) => ({ container: 'main', env, ref })),
  ...job.sidecars.flatMap((s) => Object.entries(s.secrets).map(([env, ref]) => ({ container: s.name, env, ref }))),
];

const usedNetworks = (catalog: Catalog): [string, Network, Job[]][] =>
  Object.entries(catalog.networks)
    .map(([name, net]): [string, Network, Job[]] => [name, net, catalog.jobs.filter((j) => j.network === name)])
    .filter(([, , jobs]) => jobs.length > 0);

// ---- stage parameters -------------------------------------------------------------------------

const checkStageParameters = async (ctx: Context, ports: DoctorPorts): Promise<string> => {
  const params = collectParams(ctx.input.catalog);
  if (params.length === 0) return 'the catalog uses no stage parameters';
  const paths = { ...paramDefaults(params, ctx.input.stage), ...ctx.input.paramPaths };
  const { found, missing } = await ports.ssm.getParameters(params.map((p) => paths[p.name] as string));
  for (const p of params) {
    const path = paths[p.name] as string;
    const value = found.get(path);
    const type = p.kind === 'list' ? 'StringList' : 'String';
    const example =
      p.kind === 'list'
        ? p.name.toLowerCase().includes('securitygroup')
          ? 'sg-0123456789abcdef0'
          : 'subnet-aaa,subnet-bbb'
        : 'fs-0123456789abcdef0';
    if (missing.includes(path) || !value) {
      add(ctx, {
        check: 'stage-parameters',
        severity: 'blocking',
        subject: path,
        what: `stage parameter '${p.name}' (${p.usedBy.join(', ')}) does not exist in SSM`,
        why: 'CloudFormation resolves it at deploy time; a missing parameter fails the deploy before anything is created',
        fix: `aws ssm put-parameter --region ${ctx.input.region} --name ${path} --type ${type} --value ${example}`,
      });
      continue;
    }
    if (value.type === 'SecureString' || (p.kind === 'string' && value.type !== 'String')) {
      add(ctx, {
        check: 'stage-parameters',
        severity: 'blocking',
        subject: path,
        what: `stage parameter '${p.name}' is a ${value.type}; the template reads it as ${type}`,
        why: 'CloudFormation parameters of type AWS::SSM::Parameter::Value<...> cannot read SecureString values',
        fix: `aws ssm put-parameter --region ${ctx.input.region} --name ${path} --type ${type} --overwrite --value <the ids>`,
      });
      continue;
    }
    ctx.params.set(
      p.name,
      (value.value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  return `${params.length} stage parameters`;
};

// ---- secrets ------------------------------------------------------------------------------------

interface SecretUse {
  where: string;
  ref: SecretRef;
  resource: string;
  action: string;
}

const secretUses = (ctx: Context): SecretUse[] =>
  ctx.input.catalog.jobs.flatMap((job) =>
    jobSecrets(job).map(({ container, env, ref }) => {
      const r = resolveSecret(ref);
      return {
        where: `job '${job.name}' ${container} ${env}`,
        ref,
        resource: concrete(ctx, r.resource),
        action: r.action,
      };
    }),
  );

const checkSecrets = async (ctx: Context, ports: DoctorPorts): Promise<string> => {
  const uses = secretUses(ctx);
  if (uses.length === 0) return 'the jobs reference no secrets';
  const region = ctx.input.region;
  const ssmUses = uses.filter((u) => 'ssm' in u.ref);
  if (ssmUses.length) {
    const { missing } = await ports.ssm.getParameters(ssmUses.map((u) => u.resource));
    for (const u of ssmUses.filter((x) => missing.includes(x.resource)))
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `SSM parameter ${u.resource} does not exist`,
        why: 'ECS fetches it when the task starts: the task stops with ResourceInitializationError ("unable to retrieve secrets from ssm")',
        fix: `aws ssm put-parameter --region ${region} --name ${u.resource.replace(/^arn:[^:]+:ssm:[^:]*:[^:]*:parameter/, '')} --type SecureString --value <the secret>`,
      });
  }
  for (const u of uses) {
    if (!('secretsManager' in u.ref)) continue;
    const { jsonKey, versionStage, versionId } = u.ref;
    const secret = await ports.secrets.describe(u.resource);
    const name = u.resource.replace(/^.*:secret:/, '').replace(/-[A-Za-z0-9]{6}$/, '');
    if (!secret) {
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `Secrets Manager secret ${u.resource} does not exist`,
        why: 'ECS fetches it when the task starts: the task stops with ResourceInitializationError ("unable to retrieve secret from asm")',
        fix: `aws secretsmanager create-secret --region ${region} --name ${name} --secret-string <the secret>  (then put the new ARN, with its 6-character suffix, in the catalog)`,
      });
      continue;
    }
    const stages = Object.values(secret.versions).flat();
    if (versionStage && !stages.includes(versionStage)) {
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `secret ${u.resource} has no version labelled ${versionStage} (it has ${[...new Set(stages)].join(', ') || 'none'})`,
        why: 'ECS asks for that version stage at task start and the task fails with ResourceInitializationError',
        fix: `aws secretsmanager update-secret-version-stage --region ${region} --secret-id ${u.resource} --version-stage ${versionStage} --move-to-version-id <a version id from: aws secretsmanager list-secret-version-ids --secret-id ${u.resource}>`,
      });
      continue;
    }
    if (versionId && !(versionId in secret.versions)) {
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `secret ${u.resource} has no version ${versionId}`,
        why: 'ECS asks for that version id at task start and the task fails with ResourceInitializationError',
        fix: `aws secretsmanager list-secret-version-ids --region ${region} --secret-id ${u.resource}  (then put an existing versionId in the catalog)`,
      });
      continue;
    }
    if (jsonKey === undefined) continue;
    const shape = await ports.secrets.shape(u.resource, {
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    });
    if (shape?.kind !== 'json' || !shape.keys.includes(jsonKey)) {
      const has =
        shape?.kind === 'json'
          ? `its JSON has the keys ${shape.keys.join(', ') || '(none)'}`
          : shape?.kind === 'binary'
            ? 'it is a binary secret (ECS reads only SecretString)'
            : 'its value is not a JSON object';
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `secret ${u.resource} has no JSON key '${jsonKey}': ${has}`,
        why: 'ECS extracts the key at task start; a missing key fails the task with ResourceInitializationError',
        fix: `aws secretsmanager put-secret-value --region ${region} --secret-id ${u.resource} --secret-string ${quote(`{"${jsonKey}":"<value>", <the other keys>}`)}  (or fix jsonKey in the catalog)`,
      });
    }
  }
  return `${uses.length} secret references`;
};

const checkSecretAccess = async (ctx: Context, ports: DoctorPorts): Promise<string> => {
  const uses = secretUses(ctx);
  if (uses.length === 0) return 'the jobs reference no secrets';
  const roleName = executionRoleName(ctx.input.stage, ctx.input.region);
  const roleArn = await ports.iam.roleArn(roleName);
  if (!roleArn) {
    add(ctx, {
      check: 'secret-access',
      severity: 'blocking',
      subject: roleName,
      what: `the task execution role ${roleName} does not exist`,
      why: 'every task of the stage starts with this role; without it no job can run (is the stage deployed?)',
      fix: `npx osls deploy --stage ${ctx.input.stage} --region ${ctx.input.region}  (or run the doctor with --before)`,
    });
    return 'no execution role';
  }
  for (const u of uses) {
    const decisions = await ports.iam.simulate(roleArn, [u.action], [u.resource]);
    const denied = decisions.filter((d) => d.decision !== 'allowed');
    if (decisions.length === 0 || denied.length > 0) {
      const decision = denied[0]?.decision ?? 'no decision';
      add(ctx, {
        check: 'secret-access',
        severity: 'blocking',
        subject: u.where,
        what: `the execution role may not ${u.action} on ${u.resource} (${decision})`,
        why: 'ECS reads the secret with the execution role at task start; denied, the task stops with ResourceInitializationError (AccessDeniedException)',
        fix:
          decision === 'explicitDeny'
            ? `an explicit Deny applies (permissions boundary or SCP): aws iam simulate-principal-policy --policy-source-arn ${roleArn} --action-names ${u.action} --resource-arns ${u.resource}`
            : `npx osls deploy --stage ${ctx.input.stage} --region ${ctx.input.region}  (the role is derived from the catalog: deploy the catalog that references this secret)`,
      });
    }
  }
  return `${uses.length} reads simulated for ${roleName}`;
};

// ---- buckets ------------------------------------------------------------------------------------

const checkBuckets = async (ctx: Context, ports: DoctorPorts): Promise<string> => {
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
        fix: `aws s3api put-bucket-notification-configuration --bucket ${bucket} --notification-configuration ${quote(JSON.stringify(keep))}`,
      });
    }
  }
  return `${buckets.length} buckets`;
};

// ---- network ------------------------------------------------------------------------------------

const ids = (ctx: Context, v: string[] | { param: string }): string[] | undefined =>
  isParamRef(v) ? ctx.params.get(v.param) : v;

const endpointNeeds = (ctx: Context, jobs: Job[]): { service: string; why: string }[] => {
  const region = ctx.input.region;
  const needs: { service: string; why: string }[] = [
    { service: `com.amazonaws.${region}.logs`, why: 'CloudWatch Logs (the awslogs driver)' },
  ];
  const ecr = jobs.some((j) => [j.container, ...j.sidecars].some((c) => typeof c.image === 'object'));
  if (ecr)
    needs.push(
      { service: `com.amazonaws.${region}.ecr.api`, why: 'ECR' },
      { service: `com.amazonaws.${region}.ecr.dkr`, why: 'ECR' },
      { service: `com.amazonaws.${region}.s3`, why: 'S3 (ECR serves image layers from it)' },
    );
  const refs = jobs.flatMap(jobSecrets).map((s) => s.ref);
  if (refs.some((r) => 'secretsManager' in r))
    needs.push({ service: `com.amazonaws.${region}.secretsmanager`, why: 'injecting Secrets Manager secrets' });
  if (refs.some((r) => 'ssm' in r))
    needs.push({ service: `com.amazonaws.${region}.ssm`, why: 'injecting SSM parameters' });
  return needs;
};

const routeOf = (tables: RouteTableInfo[], subnetId: string): RouteTableInfo | undefined =>
  tables.find((t) => t.subnetIds.includes(subnetId)) ?? tables.find((t) => t.main);

const checkNetwork = async (ctx: Context, ports: DoctorPorts): Promise<string> => {
  const region = ctx.input.region;
  let checked = 0;
  for (const [name, net, jobs] of usedNetworks(ctx.input.catalog)) {
    const subnetIds = ids(ctx, net.subnets);
    const groupIds = ids(ctx, net.securityGroups);
    if (!subnetIds || !groupIds) continue; // the stage parameter is missing: reported above
    checked++;
    const subnets = await ports.network.subnets(subnetIds);
    const groups = await ports.network.securityGroups(groupIds);
    const fixIds = (what: string, v: string[] | { param: string }) =>
      isParamRef(v)
        ? `aws ssm put-parameter --region ${region} --overwrite --name ${ctx.input.paramPaths?.[v.param] ?? `/${SERVICE}/${ctx.input.stage}/${v.param}`} --type StringList --value <existing ${what} ids, from: aws ec2 describe-${what === 'subnet' ? 'subnets' : 'security-groups'} --region ${region}>`
        : `fix network '${name}' ${what === 'subnet' ? 'subnets' : 'securityGroups'} in the catalog (aws ec2 describe-${what === 'subnet' ? 'subnets' : 'security-groups'} --region ${region})`;
    for (const id of subnetIds.filter((i) => !subnets.some((s) => s.id === i)))
      add(ctx, {
        check: 'network',
        severity: 'blocking',
        subject: `network '${name}'`,
        what: `subnet ${id} does not exist in ${region}`,
        why: 'RunTask refuses a network configuration with an unknown subnet: every launch of these jobs fails',
        fix: fixIds('subnet', net.subnets),
      });
    for (const id of groupIds.filter((i) => !groups.some((g) => g.id === i)))
      add(ctx, {
        check: 'network',
        severity: 'blocking',
        subject: `network '${name}'`,
        what: `security group ${id} does not exist in ${region}`,
        why: 'RunTask refuses a network configuration with an unknown security group: every launch of these jobs fails',
        fix: fixIds('security-group', net.securityGroups),
      });
    const vpcs = [...new Set(subnets.map((s) => s.vpcId))];
    for (const g of groups.filter((x) => vpcs.length > 0 && !vpcs.includes(x.vpcId)))
      add(ctx, {
        check: 'network',
        severity: 'blocking',
        subject: `network '${name}'`,
        what: `security group ${g.id} is in ${g.vpcId}, the subnets in ${vpcs.join(', ')}`,
        why: "a task's security groups must be in its subnets' VPC: RunTask fails",
        fix: fixIds('security-group', net.securityGroups),
      });
    for (const vpcId of vpcs) {
      const tables = await ports.network.routeTables(vpcId);
      const endpoints = (await ports.network.vpcEndpoints(vpcId)).filter((e) => e.state === 'available');
      for (const s of subnets.filter((x) => x.vpcId === vpcId)) {
        const table = routeOf(tables, s.id);
        const targets = table?.defaultRouteTargets ?? [];
        if (targets.some((t) => t.startsWith('nat-'))) continue;
        const igw = targets.some((t) => t.startsWith('igw-'));
        if (igw && net.assignPublicIp) continue;
        if (targets.some((t) => /^(tgw|eni|pcx)-/.test(t))) {
          add(ctx, {
            check: 'network',
            severity: 'warning',
            subject: `network '${name}' subnet ${s.id}`,
            what: `the default route goes through ${targets.join(', ')}, which the doctor cannot follow`,
            why: 'tasks need a way to ECR, Secrets Manager and CloudWatch Logs; if that route has none, they fail to start',
            fix: `aws ec2 describe-route-tables --region ${region} --route-table-ids ${table?.id ?? '<table>'}`,
          });
          continue;
        }
        const missing = endpointNeeds(ctx, jobs).filter((n) => !endpoints.some((e) => e.serviceName === n.service));
        const publicImages = jobs.some((j) => [j.container, ...j.sidecars].some((c) => typeof c.image === 'string'));
        if (missing.length === 0 && !publicImages) continue;
        const reason = igw
          ? 'routes to an internet gateway but the network gives tasks no public IP (assignPublicIp: false)'
          : 'has no default route (no NAT gateway)';
        add(ctx, {
          check: 'network',
          severity: 'blocking',
          subject: `network '${name}' subnet ${s.id}`,
          what: `subnet ${s.id} ${reason}${missing.length ? `, and VPC ${vpcId} lacks the endpoints ${missing.map((m) => m.service.split(`${region}.`)[1]).join(', ')}` : ''}${publicImages ? '; some images are not in ECR and need the internet' : ''}`,
          why: `tasks cannot reach ${[...new Set([...(publicImages ? ['their public image registry'] : []), ...missing.map((m) => m.why)])].join(', ')}: they stop with CannotPullContainerError or ResourceInitializationError (i/o timeout)`,
          fix: publicImages
            ? `aws ec2 create-route --region ${region} --route-table-id ${table?.id ?? '<table>'} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id <nat-gateway-id>`
            : missing
                .map((m) =>
                  m.service.endsWith('.s3')
                    ? `aws ec2 create-vpc-endpoint --region ${region} --vpc-id ${vpcId} --vpc-endpoint-type Gateway --service-name ${m.service} --route-table-ids ${table?.id ?? '<table>'}`
                    : `aws ec2 create-vpc-endpoint --region ${region} --vpc-id ${vpcId} --vpc-endpoint-type Interface --private-dns-enabled --service-name ${m.service} --subnet-ids ${s.id} --security-group-ids ${groupIds.join(' ')}`,
                )
                .join('\n'),
        });
      }
    }
  }
  return `${checked} network${checked === 1 ? '' : 's'}`;
};

// ---- cluster ------------------------------------------------------------------------------------

const neededProviders = (catalog: Catalog): Map<string, string[]> => {
  const need = new Map<string, string[]>();
  const add = (p: string, job: string) => need.set(p, [...(need.get(p) ?? []), job]);
  for (const j of catalog.jobs) {
    if (j.capacity.type === 'fargate') add('FARGATE', j.name);
    if (j.capacity.type === 'fargate-spot') {
      add('FARGATE_SPOT', j.name);
      if (j.capacity.fallback === 'on-demand') add('FARGATE', j.name);
    }
    if (j.capacity.type === 'ec2') add(j.capacity.capacityProvider, j.name);
  }
  return need;
};

const checkCluster = async (ctx: Context, ports: DoctorPorts): Promise<string> => {
  const need = neededProviders(ctx.input.catalog);
  const ec2 = [...need.keys()].filter((p) => !p.startsWith('FARGATE'));
  const region = ctx.input.region;
  if (ec2.length) {
    const existing = await ports.clusters.existingCapacityProviders(ec2);
    for (const p of ec2.filter((x) => !existing.includes(x)))
      add(ctx, {
        check: 'cluster',
        severity: 'blocking',
        subject: p,
        what: `capacity provider ${p} (jobs ${need.get(p)?.join(', ')}) does not exist or is not ACTIVE`,
        why: ctx.input.clusterArn
          ? 'RunTask with a strategy naming it fails'
          : 'the stack attaches it to the cluster it creates: the deploy fails',
        fix: `aws ecs create-capacity-provider --region ${region} --name ${p} --auto-scaling-group-provider autoScalingGroupArn=<your GPU Auto Scaling group ARN>,managedScaling={status=ENABLED},managedTerminationProtection=DISABLED`,
      });
  }
  let cluster = ctx.input.clusterArn;
  if (!cluster && !ctx.input.before) {
    const stack = `${SERVICE}-${ctx.input.stage}`;
    const outputs = await ports.account.stackOutputs(stack);
    if (!outputs) {
      add(ctx, {
        check: 'cluster',
        severity: 'blocking',
        subject: stack,
        what: `stack ${stack} does not exist in ${region}`,
        why: "after a deploy the stage runs on its stack's cluster, roles and rules: nothing of the stage exists yet",
        fix: `npx osls deploy --stage ${ctx.input.stage} --region ${region}  (or run the doctor with --before)`,
      });
      return 'no stack';
    }
    cluster = outputs.ClusterArn || clusterName(ctx.input.stage);
  }
  if (!cluster) return 'the stack creates the cluster with FARGATE, FARGATE_SPOT and the EC2 capacity providers';
  const c = await ports.clusters.cluster(cluster);
  if (!c) {
    add(ctx, {
      check: 'cluster',
      severity: 'blocking',
      subject: cluster,
      what: `cluster ${cluster} does not exist (or is INACTIVE)`,
      why: 'every RunTask of the stage names it: no job can start',
      fix: ctx.input.clusterArn
        ? `aws ecs create-cluster --region ${region} --cluster-name ${cluster.split('/').at(-1)} --capacity-providers ${[...need.keys()].join(' ')}  (or fix the stage parameter clusterArn)`
        : `npx osls deploy --stage ${ctx.input.stage} --region ${region}`,
    });
    return cluster;
  }
  const missing = [...need.keys()].filter((p) => !c.capacityProviders.includes(p));
  if (missing.length)
    add(ctx, {
      check: 'cluster',
      severity: 'blocking',
      subject: cluster,
      what: `cluster ${cluster} lacks the capacity providers ${missing.join(', ')} (jobs ${[...new Set(missing.flatMap((p) => need.get(p) ?? []))].join(', ')})`,
      why: 'RunTask with a capacity provider strategy naming a provider the cluster does not have fails',
      // PutClusterCapacityProviders replaces the list: the command keeps the ones there.
      fix: `aws ecs put-cluster-capacity-providers --region ${region} --cluster ${cluster} --capacity-providers ${[...new Set([...c.capacityProviders, ...missing])].join(' ')} --default-capacity-provider-strategy capacityProvider=FARGATE,weight=1`,
    });
  return cluster;
};

// ---- images -------------------------------------------------------------------------------------

const checkImages = async (ctx: Context, ports: DoctorPorts): Promise<string> => {
  const region = ctx.input.region;
  const registry = `${ctx.account}.dkr.ecr.${region}.amazonaws.com`;
  let n = 0;
  for (const job of ctx.input.catalog.jobs) {
    for (const [container, c] of [['main', job.container], ...job.sidecars.map((s) => [s.name, s] as const)] as const) {
      if (typeof c.image !== 'object') continue;
      n++;
      const { ecr: repository, tag, digest } = c.image;
      const ref = digest ? `@${digest}` : `:${tag ?? 'latest'}`;
      const state = await ports.images.image(repository, { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) });
      if (state === 'found') continue;
      add(ctx, {
        check: 'images',
        severity: 'blocking',
        subject: `job '${job.name}' ${container}`,
        what:
          state === 'no-repository'
            ? `ECR repository ${repository} does not exist in ${region}`
            : `image ${repository}${ref} is not in ECR`,
        why: 'the task stops with CannotPullContainerError ("not found") and the run fails at once (rule image-not-pullable)',
        fix:
          state === 'no-repository'
            ? `aws ecr create-repository --region ${region} --repository-name ${repository}  (then push the image)`
            : `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry} && docker push ${registry}/${repository}${ref}`,
      });
    }
  }
  return n ? `${n} ECR images` : 'no ECR images';
};

// ---- quotas -------------------------------------------------------------------------------------

const vcpu = (job: Job) => job.size.cpu / 1024;

const checkQuotas = async (ctx: Context, ports: DoctorPorts): Promise<string> => {
  const region = ctx.input.region;
  const jobs = ctx.input.catalog.jobs.filter((j) => j.capacity.type !== 'ec2');
  const unbounded = jobs.filter((j) => j.maxConcurrent === undefined);
  for (const j of unbounded)
    add(ctx, {
      check: 'quotas',
      severity: 'warning',
      subject: `job '${j.name}'`,
      what: `job '${j.name}' has no maxConcurrent: its demand on the Fargate vCPU quota is unbounded`,
      why: 'a burst of triggers can reach the account quota; launches beyond it wait (back-pressure) until tasks end',
      fix: `set maxConcurrent on job '${j.name}' in the catalog`,
    });
  const onDemandJobs = jobs.filter(
    (j) => j.capacity.type === 'fargate' || (j.capacity.type === 'fargate-spot' && j.capacity.fallback === 'on-demand'),
  );
  const spotJobs = jobs.filter((j) => j.capacity.type === 'fargate-spot');
  for (const [kind, list, code] of [
    ['on-demand', onDemandJobs, QUOTA_CODES.fargateOnDemandVcpu],
    ['spot', spotJobs, QUOTA_CODES.fargateSpotVcpu],
  ] as const) {
    if (list.length === 0) continue;
    const quota = await ports.limits.fargateVcpu(kind);
    if (quota === undefined) continue;
    const demand = list.reduce((sum, j) => sum + vcpu(j) * (j.maxConcurrent ?? 0), 0);
    const largest = list.reduce((a, b) => (vcpu(b) > vcpu(a) ? b : a));
    if (vcpu(largest) > quota)
      add(ctx, {
        check: 'quotas',
        severity: 'blocking',
        subject: `Fargate ${kind} vCPU`,
        what: `job '${largest.name}' needs ${vcpu(largest)} vCPU per task; the account's Fargate ${kind} vCPU quota is ${quota}`,
        why: 'not even one task fits: RunTask fails with "You\'ve reached the limit on the number of vCPUs you can run concurrently"',
        fix: `aws service-quotas request-service-quota-increase --region ${region} --service-code fargate --quota-code ${code} --desired-value ${Math.max(demand, vcpu(largest))}`,
      });
    else if (demand > quota)
      add(ctx, {
        check: 'quotas',
        severity: 'warning',
        subject: `Fargate ${kind} vCPU`,
        what: `at maxConcurrent the jobs need ${demand} Fargate ${kind} vCPU; the quota is ${quota}`,
        why: 'launches beyond the quota are refused and retried (back-pressure): runs wait instead of reaching maxConcurrent',
        fix: `aws service-quotas request-service-quota-increase --region ${region} --service-code fargate --quota-code ${code} --desired-value ${demand}`,
      });
  }
  const lambda = await ports.limits.lambdaConcurrency();
  const bounded = ctx.input.catalog.jobs.reduce((sum, j) => sum + (j.maxConcurrent ?? 0), 0);
  const wanted = LAMBDA_MINIMUM + bounded;
  if (lambda.unreserved < LAMBDA_MINIMUM)
    add(ctx, {
      check: 'quotas',
      severity: 'blocking',
      subject: 'Lambda concurrency',
      what: `the account has ${lambda.unreserved} unreserved Lambda concurrent executions (of ${lambda.total}); the service needs ${LAMBDA_MINIMUM} at least`,
      why: "the launcher's two SQS pollers and the six other handlers throttle each other: launches and task events pile up for hours",
      fix: `aws service-quotas request-service-quota-increase --region ${region} --service-code lambda --quota-code ${QUOTA_CODES.lambdaConcurrentExecutions} --desired-value ${Math.max(100, wanted)}`,
    });
  else if (lambda.total < wanted)
    add(ctx, {
      check: 'quotas',
      severity: 'warning',
      subject: 'Lambda concurrency',
      what: `the account allows ${lambda.total} concurrent Lambda executions; with every job at maxConcurrent the task events may need ${wanted}`,
      why: 'throttled events are retried by Lambda for up to 6 hours: runs are tracked late, not lost',
      fix: `aws service-quotas request-service-quota-increase --region ${region} --service-code lambda --quota-code ${QUOTA_CODES.lambdaConcurrentExecutions} --desired-value ${wanted}`,
    });
  return `Fargate on-demand ${onDemandJobs.length} jobs, Spot ${spotJobs.length} jobs; Lambda ${lambda.total}`;
};

// ---- the run ------------------------------------------------------------------------------------

/**
 * Runs every check (each independently: one that cannot decide does not stop the others).
 *
 * @example const report = await runDoctor(awsDoctorPorts('eu-west-1'), { catalog, stage: 'prod', region: 'eu-west-1', before: true });
 */
export const runDoctor = async (ports: DoctorPorts, input: DoctorInput): Promise<DoctorReport> => {
  const ctx: Context = { input, account: await ports.account.accountId(), params: new Map(), out: [] };
  const checks: [CheckName, (c: Context, p: DoctorPorts) => Promise<string>, string?][] = [
    ['stage-parameters', checkStageParameters],
    ['secrets', checkSecrets],
    [
      'secret-access',
      checkSecretAccess,
      input.before ? 'before the deploy: the execution role does not exist yet' : undefined,
    ],
    ['buckets', checkBuckets],
    ['network', checkNetwork],
    ['cluster', checkCluster],
    ['images', checkImages],
    ['quotas', checkQuotas],
  ];
  const results: CheckResult[] = [];
  for (const [check, run, skipped] of checks) {
    if (skipped) {
      results.push({ check, title: CHECKS[check], status: 'skipped', note: skipped });
      continue;
    }
    const before = ctx.out.length;
    let note: string;
    try {
      note = await run(ctx, ports);
    } catch (e) {
      undecided(ctx, check, CHECKS[check], e);
      note = 'could not be completed';
    }
    results.push({ check, title: CHECKS[check], status: ctx.out.length > before ? 'findings' : 'ok', note });
  }
  const blocking = ctx.out.filter((f) => f.severity === 'blocking').length;
  return {
    stage: input.stage,
    region: input.region,
    account: ctx.account,
    before: input.before,
    checks: results,
    findings: ctx.out,
    blocking,
    warnings: ctx.out.length - blocking,
  };
};
