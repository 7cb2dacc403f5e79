/**
 * What would be deployed: the validated catalog, job by job, and the resources `serverless.ts`
 * derives from it. Runs offline; used by `longshore plan` (lib/cli/commands/plan.ts).
 */
import type { Catalog } from '../catalog/schema.ts';
import { collectParams, stageParamPath } from '../catalog/stageParams.ts';
import { formatCpu, formatMemory } from '../domain/fargateSizes.ts';
import { type TriggerBucket, triggerBuckets } from '../domain/s3Match.ts';
import { PROTECTED_STAGES } from '../infra/context.ts';
import type { FunctionConfig } from '../infra/functionSpec.ts';
import { jobLogicalId } from '../infra/jobResources.ts';
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
    /** What the job's own code may do: its task role's statements, as the template grants them. */
    taskRole: { effect: string; actions: string[]; resources: string[] }[];
  }[];
  /** The SSM parameters the stack reads at deploy time, each with the command that creates it. */
  stageParameters: { name: string; path: string; type: 'StringList' | 'String'; usedBy: string[]; command: string }[];
  resources: Record<string, number>;
  functions: string[];
  /** Buckets whose "Send notifications to Amazon EventBridge" must be on, or their triggers never fire. */
  eventBridgeBuckets: TriggerBucket[];
  /** Jobs that run after jobs, one edge a line (empty when none does). */
  afterGraph: string[];
}

interface TemplateResource {
  Type: string;
  Properties?: { Policies?: { PolicyDocument?: { Statement?: TemplateStatement[] } }[] };
}

interface TemplateStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/**
 * A template value as text: `Fn::Sub` strings as written (`${AWS::Partition}` left for the
 * reader), `Fn::Join` joined, a `Ref` to a stage parameter as `${ParamName}`.
 */
const asText = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const o = (v ?? {}) as Record<string, unknown>;
  if (typeof o['Fn::Sub'] === 'string') return o['Fn::Sub'];
  if (typeof o.Ref === 'string') return `\${${o.Ref}}`;
  const join = o['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1]))
    return (join[1] as unknown[]).map(asText).join(join[0]);
  return JSON.stringify(v);
};

const roleStatements = (role: TemplateResource | undefined): PlanSummary['jobs'][number]['taskRole'] =>
  (role?.Properties?.Policies ?? []).flatMap((p) =>
    (p.PolicyDocument?.Statement ?? []).map((st) => ({
      effect: st.Effect,
      actions: ([] as string[]).concat(st.Action),
      resources: (Array.isArray(st.Resource) ? st.Resource : [st.Resource]).map(asText),
    })),
  );

export const planSummary = (
  catalog: Catalog,
  stage: string,
  functions: Record<string, FunctionConfig>,
  region?: string,
): PlanSummary => {
  const { config } = buildService({ stage, catalog, protectedStages: PROTECTED_STAGES }, functions);
  const resources: Record<string, number> = {};
  const template = (config.resources?.Resources ?? {}) as Record<string, TemplateResource>;
  for (const r of Object.values(template) as { Type: string }[]) resources[r.Type] = (resources[r.Type] ?? 0) + 1;
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
      taskRole: roleStatements(template[jobLogicalId(job.name, 'TaskRole')]),
    })),
    stageParameters: collectParams(catalog).map((p) => {
      const path = stageParamPath(stage, p.name);
      const type = p.kind === 'list' ? 'StringList' : 'String';
      const example =
        p.kind === 'list'
          ? `<${p.name.toLowerCase().includes('securitygroup') ? 'sg-...' : 'subnet-...,subnet-...'}>`
          : `<${/accesspoint/i.test(p.name) ? 'fsap-...' : /filesystem/i.test(p.name) ? 'fs-...' : 'value'}>`;
      return {
        name: p.name,
        path,
        type,
        usedBy: p.usedBy,
        command: `aws ssm put-parameter${region ? ` --region ${region}` : ''} --name ${path} --type ${type} --value '${example}'`,
      };
    }),
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
    if (j.taskRole.length === 0) lines.push('    task role no permissions of its own');
    for (const [i, st] of j.taskRole.entries())
      lines.push(
        `    ${i === 0 ? 'task role' : '         '} ${st.effect} ${st.actions.join(', ')} on ${st.resources.join(', ')}`,
      );
  }
  if (plan.stageParameters.length > 0) {
    lines.push('', `  stage parameters the deploy reads from SSM (create them once per stage and Region):`);
    for (const p of plan.stageParameters) {
      lines.push(`    ${p.path} (${p.type}; ${p.usedBy.join(', ')})`);
      lines.push(`      ${p.command}`);
    }
    lines.push(`  check them with: npx longshore doctor --stage ${plan.stage} --before`);
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
