/**
 * ECS "Task State Change" events, parsed leniently: ECS adds fields and stop codes over time
 * (aws-facts §a), so unknown properties and unknown stop codes pass; only what we use is checked.
 * Timestamps are ISO strings in events (DescribeTasks gives epoch numbers; see `taskFromDescribe`).
 */
import { InvalidEventError } from '../errors.ts';
import { isoTime } from './common.ts';
import * as v from './schema.ts';

const time = isoTime.optional();
/** Task cpu and memory arrive as strings of units ("1024"); anything else would become NaN. */
const units = v.string().regex(/^\d{1,7}$/, 'must be a whole number of units as a string, like "1024"');

export const ecsContainer = v.looseObject({
  name: v.string(),
  exitCode: v.number().int().min(-2147483648).max(2147483647).optional(),
  reason: v.string().optional(),
  lastStatus: v.string().optional(),
});

export const taskDetail = v.looseObject({
  taskArn: v.string().max(2048).startsWith('arn:'),
  clusterArn: v.string().max(2048),
  lastStatus: v.string().max(64),
  desiredStatus: v.string().max(64).optional(),
  version: v.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  startedBy: v.string().optional(),
  group: v.string().optional(),
  taskDefinitionArn: v.string().optional(),
  capacityProviderName: v.string().optional(),
  launchType: v.string().optional(),
  cpu: units.optional(),
  memory: units.optional(),
  availabilityZone: v.string().optional(),
  createdAt: time,
  pullStartedAt: time,
  pullStoppedAt: time,
  startedAt: time,
  stoppingAt: time,
  executionStoppedAt: time,
  stoppedAt: time,
  stopCode: v.string().optional(),
  stoppedReason: v.string().optional(),
  containers: v.array(ecsContainer).default([]),
});

export const taskStateChange = v.looseObject({
  source: v.literal('aws.ecs'),
  'detail-type': v.literal('ECS Task State Change'),
  detail: taskDetail,
});

export type TaskDetail = v.Output<typeof taskDetail>;

export const parseTaskStateChange = (event: unknown): TaskDetail => {
  const parsed = taskStateChange.safeParse(event);
  if (!parsed.success) throw new InvalidEventError('ECS Task State Change event', v.problemSentences(parsed.error));
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
  const parsed = taskDetail.safeParse(out);
  if (!parsed.success) throw new InvalidEventError('DescribeTasks task', v.problemSentences(parsed.error));
  return parsed.data;
};
