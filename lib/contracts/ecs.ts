/**
 * ECS "Task State Change" events, parsed leniently: ECS adds fields and stop codes over time
 * (aws-facts §a), so unknown properties and unknown stop codes pass; only what we use is checked.
 * Timestamps are ISO strings in events (DescribeTasks gives epoch numbers; see `taskFromDescribe`).
 */
import * as z from 'zod';
import { InvalidEventError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';
import { isoTime } from './common.ts';

const time = isoTime.optional();
/** Task cpu and memory arrive as strings of units ("1024"); anything else would become NaN. */
const units = z.string().regex(/^\d{1,7}$/, 'must be a whole number of units as a string, like "1024"');

export const ecsContainer = z.looseObject({
  name: z.string(),
  exitCode: z.number().int().min(-2147483648).max(2147483647).optional(),
  reason: z.string().optional(),
  lastStatus: z.string().optional(),
});

export const taskDetail = z.looseObject({
  taskArn: z.string().max(2048).startsWith('arn:'),
  clusterArn: z.string().max(2048),
  lastStatus: z.string().max(64),
  desiredStatus: z.string().max(64).optional(),
  version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  startedBy: z.string().optional(),
  group: z.string().optional(),
  taskDefinitionArn: z.string().optional(),
  capacityProviderName: z.string().optional(),
  launchType: z.string().optional(),
  cpu: units.optional(),
  memory: units.optional(),
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

/** DescribeTasks times (Dates from the SDK, epoch numbers in raw JSON) as event times; junk stays junk for the schema to name. */
const iso = (v: unknown): unknown => {
  const d = v instanceof Date ? v : typeof v === 'number' ? new Date(v * (v < 1e12 ? 1000 : 1)) : undefined;
  if (!d) return v;
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
};

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
  const parsed = taskDetail.safeParse(out, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('DescribeTasks task', issueSentences(parsed.error));
  return parsed.data;
};
