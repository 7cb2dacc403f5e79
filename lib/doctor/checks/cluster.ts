/** The cluster the stage runs on exists and has every capacity provider the jobs name. */
import type { Catalog } from '../../catalog/schema.ts';
import { clusterName, SERVICE } from '../../domain/names.ts';
import type { DoctorPorts } from '../../ports.ts';
import { add, type CheckContext, deployCommand } from '../context.ts';

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

export const checkCluster = async (ctx: CheckContext, ports: Pick<DoctorPorts, 'ecs' | 'stacks'>): Promise<string> => {
  const need = neededProviders(ctx.input.catalog);
  const ec2 = [...need.keys()].filter((p) => !p.startsWith('FARGATE'));
  const region = ctx.input.region;
  if (ec2.length) {
    const existing = await ports.ecs.activeCapacityProviders(ec2);
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
    const outputs = await ports.stacks.outputs(stack);
    if (!outputs) {
      add(ctx, {
        check: 'cluster',
        severity: 'blocking',
        subject: stack,
        what: `stack ${stack} does not exist in ${region}`,
        why: "after a deploy the stage runs on its stack's cluster, roles and rules: nothing of the stage exists yet",
        fix: `${deployCommand(ctx)}  (or run the doctor with --before)`,
      });
      return 'no stack';
    }
    cluster = outputs.ClusterArn || clusterName(ctx.input.stage);
  }
  if (!cluster) return 'the stack creates the cluster with FARGATE, FARGATE_SPOT and the EC2 capacity providers';
  const c = await ports.ecs.cluster(cluster);
  if (!c) {
    add(ctx, {
      check: 'cluster',
      severity: 'blocking',
      subject: cluster,
      what: `cluster ${cluster} does not exist (or is INACTIVE)`,
      why: 'every RunTask of the stage names it: no job can start',
      fix: ctx.input.clusterArn
        ? `aws ecs create-cluster --region ${region} --cluster-name ${cluster.split('/').at(-1)} --capacity-providers ${[...need.keys()].join(' ')}  (or fix the stage parameter clusterArn)`
        : deployCommand(ctx),
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
