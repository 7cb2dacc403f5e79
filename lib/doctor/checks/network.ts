/**
 * The job networks: their subnets and security groups exist and share a VPC, and each subnet has a
 * way to what a task needs at start (a NAT route, or an internet gateway with a public IP, or the
 * VPC endpoints of ECR, S3, CloudWatch Logs and the secret stores).
 */
import type { Catalog, Job, Network } from '../../catalog/schema.ts';
import { jobSecretRefs } from '../../catalog/secretRefs.ts';
import { isParamRef, stageParamPath } from '../../catalog/stageParams.ts';
import type { DoctorPorts, RouteTable } from '../../ports.ts';
import { add, type CheckContext } from '../context.ts';

const usedNetworks = (catalog: Catalog): [string, Network, Job[]][] =>
  Object.entries(catalog.networks)
    .map(([name, net]): [string, Network, Job[]] => [name, net, catalog.jobs.filter((j) => j.network === name)])
    .filter(([, , jobs]) => jobs.length > 0);

const ids = (ctx: CheckContext, v: string[] | { param: string }): string[] | undefined =>
  isParamRef(v) ? ctx.params.get(v.param) : v;

const endpointNeeds = (ctx: CheckContext, jobs: Job[]): { service: string; why: string }[] => {
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
  const refs = jobs.flatMap(jobSecretRefs).map((s) => s.ref);
  if (refs.some((r) => 'secretsManager' in r))
    needs.push({ service: `com.amazonaws.${region}.secretsmanager`, why: 'injecting Secrets Manager secrets' });
  if (refs.some((r) => 'ssm' in r))
    needs.push({ service: `com.amazonaws.${region}.ssm`, why: 'injecting SSM parameters' });
  return needs;
};

const routeOf = (tables: RouteTable[], subnetId: string): RouteTable | undefined =>
  tables.find((t) => t.subnetIds.includes(subnetId)) ?? tables.find((t) => t.main);

export const checkNetwork = async (ctx: CheckContext, ports: Pick<DoctorPorts, 'network'>): Promise<string> => {
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
        ? `aws ssm put-parameter --region ${region} --overwrite --name ${ctx.input.paramPaths?.[v.param] ?? stageParamPath(ctx.input.stage, v.param)} --type StringList --value <existing ${what} ids, from: aws ec2 describe-${what === 'subnet' ? 'subnets' : 'security-groups'} --region ${region}>`
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
