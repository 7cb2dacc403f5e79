/**
 * What would be deployed: the validated catalog, job by job, and the resources `serverless.ts`
 * derives from it. Runs offline; used by `longshore plan` (lib/cli/commands/plan.ts).
 */
import type { Catalog } from '../catalog/schema.ts';
import { formatCpu, formatMemory } from '../domain/fargateSizes.ts';
import { type TriggerBucket, triggerBuckets } from '../domain/s3Match.ts';
import { PROTECTED_STAGES } from '../infra/context.ts';
import type { FunctionConfig } from '../infra/functionSpec.ts';
import { buildService } from '../infra/service.ts';
import { describeAfterGraph, describeCapacity, describeTrigger } from './catalogText.ts';

export interface PlanSummary {
  stage: string;
  jobs: {
    name: string;
    size: string;
    capacity: string;
    triggers: string[];
    secrets: string[];
    timeout: string;
    maxConcurrent?: number;
  }[];
  resources: Record<string, number>;
  functions: string[];
  /** Buckets whose "Send notifications to Amazon EventBridge" must be on, or their triggers never fire. */
  eventBridgeBuckets: TriggerBucket[];
  /** Jobs that run after jobs, one edge a line (empty when none does). */
  afterGraph: string[];
}

export const planSummary = (
  catalog: Catalog,
  stage: string,
  functions: Record<string, FunctionConfig>,
): PlanSummary => {
  const { config } = buildService({ stage, catalog, protectedStages: PROTECTED_STAGES }, functions);
  const resources: Record<string, number> = {};
  for (const r of Object.values(config.resources?.Resources ?? {}) as { Type: string }[])
    resources[r.Type] = (resources[r.Type] ?? 0) + 1;
  return {
    stage,
    jobs: catalog.jobs.map((job) => ({
      name: job.name,
      size: `${formatCpu(job.size.cpu)}, ${formatMemory(job.size.memory)}${job.size.gpus ? `, ${job.size.gpus} GPU` : ''}`,
      capacity: describeCapacity(job),
      triggers: job.triggers.map((t) => describeTrigger(t, { overlap: true })),
      secrets: [job.container, ...job.sidecars].flatMap((c) => Object.keys(c.secrets)),
      timeout: job.timeout,
      ...(job.maxConcurrent !== undefined ? { maxConcurrent: job.maxConcurrent } : {}),
    })),
    resources: Object.fromEntries(Object.entries(resources).sort(([a], [b]) => a.localeCompare(b))),
    functions: Object.keys(config.functions ?? {}),
    eventBridgeBuckets: triggerBuckets(catalog),
    afterGraph: describeAfterGraph(catalog),
  };
};

export const formatPlan = (plan: PlanSummary): string => {
  const lines = [`longshore: ${plan.jobs.length} jobs, stage '${plan.stage}'`, ''];
  for (const j of plan.jobs) {
    lines.push(`  ${j.name}`);
    lines.push(
      `    size      ${j.size} on ${j.capacity}; timeout ${j.timeout}${j.maxConcurrent ? `; at most ${j.maxConcurrent} at once` : ''}`,
    );
    lines.push(`    triggers  ${j.triggers.join('; ')}`);
    if (j.secrets.length > 0) lines.push(`    secrets   ${j.secrets.join(', ')} (injected by ECS from references)`);
  }
  if (plan.afterGraph.length > 0) {
    lines.push('', '  jobs that run after jobs (from the run events of the first, once per run):');
    for (const edge of plan.afterGraph) lines.push(`    ${edge}`);
  }
  lines.push(
    '',
    `  functions ${plan.functions.join(', ')}`,
    '  resources (serverless.ts, before Serverless adds its own):',
  );
  for (const [type, n] of Object.entries(plan.resources)) lines.push(`    ${String(n).padStart(3)}  ${type}`);
  if (plan.eventBridgeBuckets.length > 0) {
    lines.push('', '  S3 buckets that must send notifications to Amazon EventBridge (else their triggers never fire):');
    for (const b of plan.eventBridgeBuckets) lines.push(`    ${b.bucket} (${b.jobs.join(', ')})`);
    lines.push(`  turn it on with: npx longshore buckets enable-eventbridge --stage ${plan.stage} [--dry-run]`);
  }
  return lines.join('\n');
};
