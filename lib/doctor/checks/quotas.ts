/** The account's Fargate vCPU quotas and Lambda concurrency fit the jobs at their maxConcurrent. */
import type { Job } from '../../catalog/schema.ts';
import { QUOTA_CODES } from '../../domain/quotaCodes.ts';
import type { DoctorPorts } from '../../ports.ts';
import { add, type CheckContext } from '../context.ts';

/**
 * The service's steady need of Lambda concurrency: two launcher pollers (the SQS event source's
 * minimum `maximumConcurrency` is 2) and one execution of each of the other six functions.
 */
export const LAMBDA_MINIMUM = 8;

const vcpu = (job: Job) => job.size.cpu / 1024;

export const checkQuotas = async (
  ctx: CheckContext,
  ports: Pick<DoctorPorts, 'quotas' | 'lambda'>,
): Promise<string> => {
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
    const quota = await ports.quotas.fargateVcpu(kind);
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
  const lambda = await ports.lambda.concurrency();
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
