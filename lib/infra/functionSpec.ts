/**
 * A function's definition for serverless.ts plus the IAM statements its own role gets. Each
 * `functions/<name>/config.ts` default-exports a builder of one of these from the build context.
 */
import type { AWS } from '@serverless/typescript';
import { STORE_ACCESS, type StoreMethod, type TableAccess } from '../aws/runStore.ts';
import { localArn } from '../catalog/arn.ts';
import type { ServiceEnvName } from '../config.ts';
import { DERIVED_TAGS } from '../domain/imageOverride.ts';
import { logStreamName } from '../domain/logLink.ts';
import { logGroupName, MAIN_CONTAINER_NAME, scheduleGroupName, scheduleName, taskFamily } from '../domain/names.ts';
import { allow, type CfnValue, getAtt, ref, type Statement, sub } from './cfn.ts';
import type { BuildContext } from './context.ts';
import { IDS } from './ids.ts';
import { jobLogicalId } from './jobResources.ts';
import { clusterArnValue, isProtectedStage, taskArnPattern } from './platform.ts';

type ServerlessFunction = NonNullable<AWS['functions']>[string];

export interface FunctionSpec {
  handler: string;
  description: string;
  memorySize?: number;
  timeout?: number;
  environment?: Record<string, CfnValue>;
  /** Serverless events (SQS); EventBridge rules and schedules are generated in lib/infra/triggers.ts. */
  events?: ServerlessFunction['events'];
  /** Invoked asynchronously (EventBridge, Scheduler): retried by Lambda, then kept in the events DLQ. */
  async: boolean;
  /**
   * The run store methods this function's use cases call. Its table grants come from them
   * (`tableGrants`); test/unit/functions/roles.test.ts fails when a handler reaches one not listed,
   * issues a request its role lacks, or holds a grant no representative event uses.
   */
  storeMethods: readonly StoreMethod[];
  // No reserved concurrency: Lambda refuses a reservation that leaves the account's unreserved pool
  // under its minimum (100; new accounts have a quota of 10), so it would fail the deploy there.
  statements: Statement[];
}

export type FunctionConfig = (ctx: BuildContext) => FunctionSpec;

const tableArn = getAtt(IDS.table, 'Arn');
const tableIndexes = sub(`\${${IDS.table}.Arn}/index/*`);

/** Table actions in a stable order, for readable policies. */
const TABLE_ACTIONS: readonly Exclude<TableAccess, 'QueryIndex'>[] = [
  'GetItem',
  'BatchGetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
];

/**
 * The table statements for a function that calls these store methods: exactly the requests they
 * can send (STORE_ACCESS), on the table, and Query on the indexes only if one of them reads an index.
 *
 * @example tableGrants(['getRun', 'createRun']) // dynamodb:GetItem and dynamodb:PutItem on the table
 */
export const tableGrants = (methods: readonly StoreMethod[]): Statement[] => {
  const access = new Set<TableAccess>(methods.flatMap((m) => STORE_ACCESS[m]));
  const onTable = TABLE_ACTIONS.filter((a) => access.has(a));
  return [
    ...(onTable.length > 0
      ? [
          {
            Sid: 'RunsTable',
            ...allow(
              onTable.map((a) => `dynamodb:${a}`),
              [tableArn],
            ),
          },
        ]
      : []),
    ...(access.has('QueryIndex') ? [{ Sid: 'RunsTableIndexes', ...allow(['dynamodb:Query'], [tableIndexes]) }] : []),
  ];
};

/** The schedules the catalog has enabled, by name: what `jobs pause` disables and `jobs resume` enables. */
const enabledSchedules = (ctx: BuildContext): string[] =>
  ctx.catalog.jobs.flatMap((j) =>
    j.triggers.flatMap((t, i) => (t.type === 'schedule' && t.enabled ? [scheduleName(ctx.stage, j.name, i)] : [])),
  );

/** Whether the stage has a schedule a pause could disable. */
export const hasSchedules = (ctx: BuildContext): boolean => enabledSchedules(ctx).length > 0;
const taskDefinitionArn = (revision: string): CfnValue =>
  sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task-definition/${revision}`);

/** The derived families' revisions of the jobs someone can trigger by hand (`<family>_*`: `_` is in no job name). */
const derivedFamilyArns = (ctx: BuildContext): CfnValue[] =>
  ctx.catalog.jobs
    .filter((j) => j.triggers.some((t) => t.type === 'manual'))
    .map((j) => taskDefinitionArn(`${taskFamily(ctx.stage, j.name)}_*:*`));

/** Statement builders each function combines; every one is scoped to specific ARNs. */
export const grants = {
  /**
   * Disabling and enabling the stage's schedules (`jobs pause` / `jobs resume`): GetSchedule, then
   * UpdateSchedule with the whole definition, on each enabled schedule by ARN; UpdateSchedule
   * passes the target's role again, so PassRole on the scheduler's role, to Scheduler only
   * (as AWS's managed policy AmazonEventBridgeSchedulerFullAccess pairs scheduler actions with
   * iam:PassRole conditioned on iam:PassedToService scheduler.amazonaws.com).
   */
  toggleSchedules: (ctx: BuildContext): Statement[] => [
    {
      Sid: 'ToggleSchedules',
      ...allow(
        ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
        enabledSchedules(ctx).map((name) =>
          sub(
            `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/${scheduleGroupName(ctx.stage)}/${name}`,
          ),
        ),
      ),
    },
    {
      Sid: 'PassSchedulerRole',
      ...allow(['iam:PassRole'], [getAtt(IDS.schedulerRole, 'Arn')], {
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      }),
    },
  ],
  enqueueLaunch: (): Statement => ({
    Sid: 'EnqueueLaunch',
    ...allow(['sqs:SendMessage'], [getAtt(IDS.launchQueue, 'Arn')]),
  }),
  /** What an event source mapping needs of the queues it reads (the sqs triggers' own queues, nothing else). */
  consumeQueues: (arns: CfnValue[]): Statement => ({
    Sid: 'ConsumeTriggerQueues',
    ...allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], arns),
  }),
  /** Receiving from a queue encrypted with a customer-managed key needs kms:Decrypt on that key (SQS developer guide, "Configuring KMS permissions"). */
  decryptQueues: (keys: CfnValue[]): Statement => ({
    Sid: 'DecryptTriggerQueues',
    ...allow(['kms:Decrypt'], keys),
  }),
  publishRunEvents: (): Statement => ({
    Sid: 'PublishRunEvents',
    ...allow(['events:PutEvents'], [getAtt(IDS.eventBus, 'Arn')]),
  }),
  stopTasks: (): Statement => ({
    Sid: 'StopTasks',
    ...allow(['ecs:StopTask'], [taskArnPattern], { ArnEquals: { 'ecs:cluster': clusterArnValue } }),
  }),
  describeTasks: (): Statement => ({
    Sid: 'DescribeTasks',
    ...allow(['ecs:DescribeTasks'], [taskArnPattern], { ArnEquals: { 'ecs:cluster': clusterArnValue } }),
  }),
  runTasks: (ctx: BuildContext): Statement[] => [
    {
      Sid: 'RunJobTasks',
      ...allow(
        ['ecs:RunTask'],
        [
          ...ctx.catalog.jobs.map((j) => taskDefinitionArn(`${taskFamily(ctx.stage, j.name)}:*`)),
          // and the revisions of the jobs' runs on another image, in their derived families
          ...derivedFamilyArns(ctx),
        ],
        { ArnEquals: { 'ecs:cluster': clusterArnValue } },
      ),
    },
    ...grants.registerRunTaskDefinitions(ctx),
    {
      Sid: 'TagTasksOnLaunch',
      ...allow(['ecs:TagResource'], [taskArnPattern], { StringEquals: { 'ecs:CreateAction': 'RunTask' } }),
    },
    {
      Sid: 'PassTaskRoles',
      ...allow(
        ['iam:PassRole'],
        ctx.catalog.jobs.flatMap((j) => [
          getAtt(jobLogicalId(j.name, 'ExecutionRole'), 'Arn'),
          getAtt(jobLogicalId(j.name, 'TaskRole'), 'Arn'),
        ]),
        { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      ),
    },
    grants.listTasks(),
  ],
  /**
   * Runs on another image (`trigger --image-tag`, lib/runTaskDefinition.ts): the launcher reads the
   * job's task definition and registers a derived revision, tagged. Task definitions have no
   * resource-level permissions for Describe/Register (Service Authorization Reference for ECS: no
   * resource type; aws/containers-roadmap#929, open), so those two are on "*": registering is pinned
   * to requests that carry this stage's tag (RegisterTaskDefinition supports aws:RequestTag), and
   * tagging on register to the derived families' ARNs (TagResource supports the task-definition
   * resource, with ecs:CreateAction). PassRole is the launcher's existing one (the job roles only,
   * to ECS tasks). Only for the jobs someone can trigger (a manual trigger): none, no statement.
   */
  registerRunTaskDefinitions: (ctx: BuildContext): Statement[] =>
    derivedFamilyArns(ctx).length === 0
      ? []
      : [
          { Sid: 'ReadJobTaskDefinitions', ...allow(['ecs:DescribeTaskDefinition'], ['*']) },
          {
            Sid: 'RegisterRunTaskDefinitions',
            ...allow(['ecs:RegisterTaskDefinition'], ['*'], {
              StringEquals: { [`aws:RequestTag/${DERIVED_TAGS.stage}`]: ctx.stage },
            }),
          },
          {
            Sid: 'TagRunTaskDefinitionsOnRegister',
            ...allow(['ecs:TagResource'], derivedFamilyArns(ctx), {
              StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
            }),
          },
        ],
  /**
   * The sweeper deregisters the derived revisions no active run uses (lib/sweepTaskDefinitions.ts).
   * None of these four has a resource type (Service Authorization Reference for ECS), so "*": the
   * code keeps to this stage's derived families (`<job family>_<16 hex>`), which IAM cannot.
   */
  retireRunTaskDefinitions: (ctx: BuildContext): Statement[] =>
    derivedFamilyArns(ctx).length === 0
      ? []
      : [
          { Sid: 'ListTaskDefinitionFamilies', ...allow(['ecs:ListTaskDefinitionFamilies'], ['*']) },
          { Sid: 'ListTaskDefinitions', ...allow(['ecs:ListTaskDefinitions'], ['*']) },
          { Sid: 'ReadTaskDefinitions', ...allow(['ecs:DescribeTaskDefinition'], ['*']) },
          { Sid: 'DeregisterTaskDefinitions', ...allow(['ecs:DeregisterTaskDefinition'], ['*']) },
        ],
  /** Finds an attempt's task by `startedBy` (an expired clientToken; a launcher that died mid-launch). */
  listTasks: (): Statement => ({
    // ListTasks has no resource-level permission (AWS requires "*"); the condition pins it to our cluster.
    Sid: 'FindTasksStartedByUs',
    ...allow(['ecs:ListTasks'], ['*'], { ArnEquals: { 'ecs:cluster': clusterArnValue } }),
  }),
  /**
   * The functions that settle attempts of tasks that ran (the tracker, the sweeper) read a job's
   * `result` from its main container's stream: GetLogEvents on those streams of the jobs that
   * declare a result, nothing else; no statement when none does (GetLogEvents' resource is the log
   * stream: `log-group:<group>:log-stream:<stream>`, Service Authorization Reference, CloudWatch Logs).
   */
  readResults: (ctx: BuildContext): Statement[] => {
    const streams = [
      ...new Set(
        ctx.catalog.jobs
          .filter((j) => j.result?.lastLogLine === true)
          .map(
            (j) =>
              `log-group:${logGroupName(ctx.stage, j)}:log-stream:${logStreamName(j.container.logs.streamPrefix, MAIN_CONTAINER_NAME, '*')}`,
          ),
      ),
    ].sort();
    return streams.length > 0
      ? [
          {
            Sid: 'ReadJobResults',
            ...allow(
              ['logs:GetLogEvents'],
              streams.map((r) => sub(localArn('logs', r))),
            ),
          },
        ]
      : [];
  },
  /** Publishing to the encrypted topic needs its key too (SNS developer guide: the publisher needs kms:GenerateDataKey and kms:Decrypt). */
  publishAlerts: (): Statement[] => [
    { Sid: 'PublishAlerts', ...allow(['sns:Publish'], [ref(IDS.alertTopic)]) },
    {
      Sid: 'EncryptAlerts',
      ...allow(['kms:Decrypt', 'kms:GenerateDataKey'], [getAtt(IDS.alertTopicKey, 'Arn')]),
    },
  ],
};

/** What every function's environment holds: the contract's service variables (lib/config.ts), and Powertools'. */
export const commonEnvironment = (ctx: BuildContext): Record<string, CfnValue> => {
  const service: Record<ServiceEnvName, CfnValue> = {
    LONGSHORE_STAGE: ctx.stage,
    LONGSHORE_TABLE: ref(IDS.table),
    LONGSHORE_EVENT_BUS: ref(IDS.eventBus),
    LONGSHORE_LAUNCH_QUEUE_URL: ref(IDS.launchQueue),
    LONGSHORE_CLUSTER_ARN: clusterArnValue,
    LONGSHORE_ALERT_TOPIC_ARN: ref(IDS.alertTopic),
  };
  return {
    ...service,
    POWERTOOLS_SERVICE_NAME: 'longshore',
    POWERTOOLS_METRICS_NAMESPACE: 'Longshore',
    POWERTOOLS_LOG_LEVEL: isProtectedStage(ctx) ? 'INFO' : 'DEBUG',
  };
};
