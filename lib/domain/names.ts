/**
 * Every name longshore derives for AWS resources, in one place, so that the limits can be proven
 * for the longest stage and job names we allow (see test/unit/lib/domain/names.test.ts).
 *
 * Limits used (AWS documentation):
 * - Lambda function name: 64; IAM role name: 64; EventBridge rule name: 64;
 *   EventBridge Scheduler schedule name: 64; ECS task definition family: 255; log group: 512;
 * - RunTask `startedBy`: 128 characters of [A-Za-z0-9/_-]; `clientToken`: 64 ASCII 33-126.
 */

import type { Job } from '../catalog/schema.ts';

export const SERVICE = 'longshore';

/** The job's own container; sidecars are named by the catalog. */
export const MAIN_CONTAINER_NAME = 'main';

/**
 * The longest AWS Region code, from the partitions data the AWS SDK resolves endpoints with
 * (`@aws-sdk/core` util-endpoints `partitions`, November 2026): `us-isof-south-1` (aws-iso-f), 15
 * characters. The commercial partition's longest are 14 (`ap-southeast-7`, `ap-northeast-3`...),
 * like `cn-northwest-1`, `eusc-de-east-1` and `us-isob-east-1`; GovCloud's are 13 (`us-gov-west-1`).
 */
export const LONGEST_REGION = 'us-isof-south-1';
export const MAX_REGION_LENGTH = LONGEST_REGION.length;
export const MAX_STAGE_LENGTH = 10;
export const MAX_JOB_NAME_LENGTH = 24;
/** Function keys are fixed by us; the longest is checked in the names test. */
export const MAX_FUNCTION_KEY_LENGTH = 17;

export const STAGE_PATTERN = /^[a-z][a-z0-9-]*$/;
export const JOB_NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;

export const NAME_LIMITS = {
  lambdaFunction: 64,
  iamRole: 64,
  eventRule: 64,
  schedule: 64,
  taskFamily: 255,
  logGroup: 512,
  startedBy: 128,
  clientToken: 64,
} as const;

export const functionName = (stage: string, fn: string): string => `${SERVICE}-${stage}-${fn}`;
export const functionRoleName = (stage: string, fn: string, region: string): string =>
  `${SERVICE}-${stage}-fn-${fn}-${region}`;
/**
 * `-j-`, not `-job-`: at the longest stage (10), job (24) and Region (15) `-job-` makes 65 of the 64
 * an IAM role name may have. The marker keeps job roles apart from `-fn-`, `-exec-`, `-scheduler-`.
 */
export const taskRoleName = (stage: string, job: string, region: string): string =>
  `${SERVICE}-${stage}-j-${job}-${region}`;
export const executionRoleName = (stage: string, region: string): string => `${SERVICE}-${stage}-exec-${region}`;
export const schedulerRoleName = (stage: string, region: string): string => `${SERVICE}-${stage}-scheduler-${region}`;
export const taskFamily = (stage: string, job: string): string => `${SERVICE}-${stage}-${job}`;
export const jobLogGroup = (stage: string, job: string): string => `/${SERVICE}/${stage}/${job}`;
/** The job's log group: its own setting, else `/longshore/<stage>/<job>`. */
export const logGroupName = (stage: string, job: Pick<Job, 'name' | 'container'>): string =>
  job.container.logs.group ?? jobLogGroup(stage, job.name);
export const scheduleName = (stage: string, job: string, index: number): string =>
  `${SERVICE}-${stage}-${job}-cron${index}`;
export const tableName = (stage: string): string => `${SERVICE}-${stage}-runs`;
export const clusterName = (stage: string): string => `${SERVICE}-${stage}`;
export const eventBusName = (stage: string): string => `${SERVICE}-${stage}-runs`;
export const scheduleGroupName = (stage: string): string => `${SERVICE}-${stage}`;
export const launchQueueName = (stage: string): string => `${SERVICE}-${stage}-launch`;
export const launchDlqName = (stage: string): string => `${SERVICE}-${stage}-launch-dlq`;
export const eventsDlqName = (stage: string): string => `${SERVICE}-${stage}-events-dlq`;
export const alertTopicName = (stage: string): string => `${SERVICE}-${stage}-alerts`;

/** `startedBy` carries the run id and attempt so that a task event leads straight to its attempt. */
export const startedByPrefix = (stage: string): string => `${SERVICE}/${stage}/`;
export const startedBy = (stage: string, runId: string, attempt: number): string =>
  `${startedByPrefix(stage)}${runId}/${attempt}`;

const STARTED_BY = /^longshore\/([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*-[a-z2-7]+)\/(\d+)$/;

/** Reads stage, run id and attempt back from a task's `startedBy`; undefined if it is not ours. */
export const parseStartedBy = (
  value: string | undefined,
): { stage: string; runId: string; attempt: number } | undefined => {
  const m = value ? STARTED_BY.exec(value) : null;
  if (!m) return undefined;
  const [, stage, runId, attempt] = m as unknown as [string, string, string, string];
  return { stage, runId, attempt: Number(attempt) };
};

/**
 * The ARN Scheduler gives a job's schedule, in the account and Region of a function ARN
 * (`arn:aws:lambda:<region>:<account>:function:<name>`).
 */
export const scheduleArnFrom =
  (functionArn: string, stage: string) =>
  (job: string, triggerIndex: number): string => {
    const [, partition, , region, account] = functionArn.split(':');
    return scheduleArn(partition ?? 'aws', region ?? '', account ?? '', stage, job, triggerIndex);
  };

export const scheduleArn = (
  partition: string,
  region: string,
  account: string,
  stage: string,
  job: string,
  triggerIndex: number,
): string =>
  `arn:${partition}:scheduler:${region}:${account}:schedule/${scheduleGroupName(stage)}/${scheduleName(stage, job, triggerIndex)}`;
