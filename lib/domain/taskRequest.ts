/**
 * The RunTask request for one attempt of a run: capacity provider strategy (never together with a
 * launch type), network, placement on EC2, the trigger's data as environment, startedBy, tags and a
 * clientToken derived from run and attempt. Pure: the ECS adapter sends it as it is.
 */

import type { Job } from '../catalog/schema.ts';
import { OverridesTooLargeError } from '../errors.ts';
import { childEnvironment } from './fanOut.ts';
import { MAIN_CONTAINER_NAME, startedBy } from './names.ts';
import { type BatchRunTrigger, originalTrigger, type Run, type UpstreamRun } from './run.ts';
import { clientTokenFor } from './runId.ts';
import type { EnvPair } from './taskEnvironment.ts';

/** ECS: "A total of 8192 characters are allowed for overrides", JSON formatting included. */
export const OVERRIDES_LIMIT = 8192;

export interface NetworkSettings {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: boolean;
}

export type KeyValue = EnvPair;

/** Mirrors the RunTask fields we use (structurally compatible with the SDK's RunTaskCommandInput). */
export interface RunTaskRequest {
  cluster: string;
  taskDefinition: string;
  count: 1;
  capacityProviderStrategy: { capacityProvider: string; weight: number; base?: number }[];
  platformVersion?: string;
  networkConfiguration: {
    awsvpcConfiguration: { subnets: string[]; securityGroups: string[]; assignPublicIp: 'ENABLED' | 'DISABLED' };
  };
  placementStrategy?: { type: 'binpack' | 'spread' | 'random'; field?: string }[];
  placementConstraints?: { type: 'distinctInstance' | 'memberOf'; expression?: string }[];
  overrides: {
    containerOverrides: { name: string; environment: KeyValue[]; command?: string[] }[];
    cpu?: string;
    memory?: string;
  };
  startedBy: string;
  tags: { key: string; value: string }[];
  propagateTags: 'TASK_DEFINITION';
  enableECSManagedTags: true;
  clientToken: string;
}

/** The environment every task gets from its trigger. Data, never code: nothing is spliced into a command. */
export const triggerEnvironment = (stage: string, run: Run): Record<string, string> => {
  const env: Record<string, string> = {
    LONGSHORE_STAGE: stage,
    LONGSHORE_JOB: run.job,
    LONGSHORE_RUN_ID: run.runId,
    LONGSHORE_ATTEMPT: String(run.attempt),
    LONGSHORE_TRIGGER: run.trigger.type,
  };
  const t = originalTrigger(run.trigger);
  if (t.type === 's3') {
    env.S3_BUCKET = t.bucket;
    env.S3_KEY = t.key;
    if (t.versionId) env.S3_VERSION_ID = t.versionId;
    if (t.etag) env.S3_ETAG = t.etag;
    if (t.size !== undefined) env.S3_SIZE = String(t.size);
  } else if (t.type === 'schedule') {
    env.SCHEDULED_TIME = t.scheduledTime;
  } else if (t.type === 'batch') {
    Object.assign(env, batchEnvironment(t));
  } else if (t.type === 'after') {
    Object.assign(env, upstreamEnvironment(t.upstream));
  } else if (t.type === 'event') {
    // The catalog's names cannot be reserved ones (validated), so nothing here overwrites longshore's.
    Object.assign(env, t.environment, {
      LONGSHORE_EVENT_ID: t.eventId,
      LONGSHORE_EVENT_SOURCE: t.source,
      LONGSHORE_EVENT_DETAIL_TYPE: t.detailType,
    });
  } else if (t.type === 'sqs') {
    Object.assign(env, t.environment, { LONGSHORE_MESSAGE_ID: t.messageId, LONGSHORE_QUEUE_ARN: t.queue });
  }
  // A fan-out child (issue 14): its index, the parent's child count and its items, beside its trigger's.
  if (run.parent) Object.assign(env, childEnvironment({ parent: run.parent }));
  return env;
};

/**
 * What a batch run's task gets: the batch's number and size, and its manifest (a JSON array of
 * { bucket, key, versionId?, size?, etag? }) inline, or the S3 URI longshore wrote it to (the task
 * role may read its job's manifests: lib/infra/jobResources.ts).
 */
export const batchEnvironment = (t: BatchRunTrigger): Record<string, string> => ({
  LONGSHORE_BATCH_SEQ: String(t.seq),
  LONGSHORE_BATCH_OBJECTS: String(t.objects),
  LONGSHORE_BATCH_BYTES: String(t.bytes),
  ...('inline' in t.manifest ? { LONGSHORE_MANIFEST: t.manifest.inline } : { LONGSHORE_MANIFEST_URI: t.manifest.uri }),
});

/**
 * What a run started `after` another gets of it: its id, job and status, its trigger's data and its
 * recorded exit code. Every name is longshore's own (LONGSHORE_UPSTREAM_*), so none collides with
 * the task's own S3_* or SCHEDULED_TIME, and the catalog cannot set them (RESERVED_ENV).
 */
export const upstreamEnvironment = (u: UpstreamRun): Record<string, string> => {
  const env: Record<string, string> = {
    LONGSHORE_UPSTREAM_RUN_ID: u.runId,
    LONGSHORE_UPSTREAM_JOB: u.job,
    LONGSHORE_UPSTREAM_STATUS: u.status,
    LONGSHORE_UPSTREAM_TRIGGER: u.trigger.type,
  };
  if (u.exitCode !== undefined) env.LONGSHORE_UPSTREAM_EXIT_CODE = String(u.exitCode);
  if (u.finishedAt) env.LONGSHORE_UPSTREAM_FINISHED_AT = u.finishedAt;
  if (u.result !== undefined) env.LONGSHORE_UPSTREAM_RESULT = u.result;
  if (u.resultOmitted) env.LONGSHORE_UPSTREAM_RESULT_OMITTED = 'true';
  const t = u.trigger;
  if (t.type === 's3') {
    env.LONGSHORE_UPSTREAM_S3_BUCKET = t.bucket;
    env.LONGSHORE_UPSTREAM_S3_KEY = t.key;
    if (t.versionId) env.LONGSHORE_UPSTREAM_S3_VERSION_ID = t.versionId;
    if (t.etag) env.LONGSHORE_UPSTREAM_S3_ETAG = t.etag;
    if (t.size !== undefined) env.LONGSHORE_UPSTREAM_S3_SIZE = String(t.size);
  } else if (t.type === 'schedule') {
    env.LONGSHORE_UPSTREAM_SCHEDULED_TIME = t.scheduledTime;
  } else if (t.type === 'after') {
    env.LONGSHORE_UPSTREAM_UPSTREAM_RUN_ID = t.upstreamRunId;
  }
  return env;
};

export const overridesSize = (overrides: RunTaskRequest['overrides']): number => JSON.stringify(overrides).length;

/** The largest attempt number a run can reach (attempt items are numbered with four digits). */
export const MAX_ATTEMPT = 9999;

/** What this attempt changes from the task definition: the environment, the command, the size. */
const attemptOverrides = (stage: string, job: Job, run: Run): RunTaskRequest['overrides'] => {
  // Pairs, not an object keyed by name: an override named `constructor` or `__proto__` stays a name.
  // Trigger variables come first; reserved names never reach an override (validated at the edge).
  const environment: KeyValue[] = [
    ...Object.entries(triggerEnvironment(stage, run)).map(([name, value]) => ({ name, value })),
    ...(run.overrides?.environment ?? []),
  ];
  const containerOverride: RunTaskRequest['overrides']['containerOverrides'][number] = {
    name: MAIN_CONTAINER_NAME,
    environment,
  };
  if (run.overrides?.command) containerOverride.command = run.overrides.command;
  const overrides: RunTaskRequest['overrides'] = { containerOverrides: [containerOverride] };
  if (run.size.cpu !== job.size.cpu || run.size.memory !== job.size.memory) {
    overrides.cpu = String(run.size.cpu);
    overrides.memory = String(run.size.memory);
  }
  return overrides;
};

/**
 * Builds the request; throws OverridesTooLargeError when the overrides exceed ECS's limit.
 *
 * @example buildRunTaskRequest({ stage: 'dev', clusterArn, job, run, network }).clientToken.length // 64
 */
export const buildRunTaskRequest = (input: {
  stage: string;
  clusterArn: string;
  job: Job;
  run: Run;
  network: NetworkSettings;
  taskDefinition: string;
}): RunTaskRequest => {
  const { stage, clusterArn, job, run, network } = input;
  const overrides = attemptOverrides(stage, job, run);
  const size = overridesSize(overrides);
  if (size > OVERRIDES_LIMIT) throw new OverridesTooLargeError(size, OVERRIDES_LIMIT);

  const request: RunTaskRequest = {
    cluster: clusterArn,
    taskDefinition: input.taskDefinition,
    count: 1,
    capacityProviderStrategy: [{ capacityProvider: run.capacity, weight: 1 }],
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: network.subnets,
        securityGroups: network.securityGroups,
        assignPublicIp: network.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    },
    overrides,
    startedBy: startedBy(stage, run.runId, run.attempt),
    tags: [
      { key: 'longshore:job', value: run.job },
      { key: 'longshore:run', value: run.runId },
      { key: 'longshore:attempt', value: String(run.attempt) },
    ],
    propagateTags: 'TASK_DEFINITION',
    enableECSManagedTags: true,
    clientToken: clientTokenFor(stage, run.runId, run.attempt, run.capacity),
  };
  if (job.capacity.type === 'ec2') {
    if (job.capacity.placementStrategy.length > 0) request.placementStrategy = job.capacity.placementStrategy;
    if (job.capacity.placementConstraints.length > 0) request.placementConstraints = job.capacity.placementConstraints;
  } else {
    request.platformVersion = 'LATEST';
  }
  return request;
};

/**
 * The overrides' size in the worst attempt this run could have: the longest attempt number and a
 * cpu/memory override of the longest values (a retry-bigger adds them). Checked when a run is
 * requested, so that no retry can later fail on a request that grew past ECS's limit.
 */
export const worstCaseOverridesSize = (stage: string, job: Job, run: Run): number =>
  overridesSize(
    attemptOverrides(
      stage,
      { ...job, size: { ...job.size, cpu: 0, memory: 0 } },
      {
        ...run,
        attempt: MAX_ATTEMPT,
        size: { cpu: 16384, memory: 122880 },
      },
    ),
  );

/** The capacity provider a job's first attempt uses. */
export const initialCapacity = (job: Job): string =>
  job.capacity.type === 'fargate'
    ? 'FARGATE'
    : job.capacity.type === 'fargate-spot'
      ? 'FARGATE_SPOT'
      : job.capacity.capacityProvider;
