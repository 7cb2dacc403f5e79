/**
 * ECS "Task State Change" events, parsed leniently: ECS adds fields and stop codes over time
 * (aws-facts §a), so unknown properties and unknown stop codes pass; only what we use is checked.
 * Timestamps are ISO strings in events (DescribeTasks gives epoch numbers; see `taskFromDescribe`).
 */
import * as z from 'zod';
import { InvalidEventError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';

const time = z.string().optional();

export const ecsContainer = z.looseObject({
  name: z.string(),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  lastStatus: z.string().optional(),
});

export const taskDetail = z.looseObject({
  taskArn: z.string().startsWith('arn:'),
  clusterArn: z.string(),
  lastStatus: z.string(),
  desiredStatus: z.string().optional(),
  version: z.number().int(),
  startedBy: z.string().optional(),
  group: z.string().optional(),
  taskDefinitionArn: z.string().optional(),
  capacityProviderName: z.string().optional(),
  launchType: z.string().optional(),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  availabilityZone: z.string().optional(),
  createdAt: time,
  pullStartedAt: time,
  pullStoppedAt: time,
  startedAt: time,
  stoppingAt: time,
  executionStoppedAt: time,
  stoppedAt: time,
  stopCode: z.string().optional(),
  stoppedReason: z.string().optional(),
  containers: z.array(ecsContainer).default([]),
});

export const taskStateChange = z.looseObject({
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Task State Change'),
  detail: taskDetail,
});

export type TaskDetail = z.output<typeof taskDetail>;

export const parseTaskStateChange = (event: unknown): TaskDetail => {
  const parsed = taskStateChange.safeParse(event, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('ECS Task State Change event', issueSentences(parsed.error));
  return parsed.data.detail;
};

const iso = (v: unknown): string | undefined =>
  v instanceof Date
    ? v.toISOString()
    : typeof v === 'number'
      ? new Date(v * (v < 1e12 ? 1000 : 1)).toISOString()
      : typeof v === 'string'
        ? v
        : undefined;

/** A DescribeTasks `Task` as the event detail ECS would have sent for it (the sweeper reconciles with it). */
export const taskFromDescribe = (task: Record<string, unknown>): TaskDetail => {
  const out: Record<string, unknown> = { ...task, containers: task.containers ?? [] };
  for (const k of [
    'createdAt',
    'pullStartedAt',
    'pullStoppedAt',
    'startedAt',
    'stoppingAt',
    'executionStoppedAt',
    'stoppedAt',
    'connectivityAt',
  ]) {
    if (task[k] !== undefined) out[k] = iso(task[k]);
  }
  return taskDetail.parse(out);
};
