/**
 * The service's shared resources: the runs table, the ECS cluster (or an existing one), the run
 * event bus, the alert topic and the queues (launch buffer and dead letters).
 */
import { ATTEMPT_SK_PREFIX, GSI1, GSI2, TABLE_KEYS, TTL_ATTRIBUTE } from '../domain/keys.ts';
import { clusterName, eventBusName, SERVICE, tableName } from '../domain/names.ts';
import { type CfnValue, getAtt, type Resources, ref, sub } from './cfn.ts';
import type { BuildContext } from './context.ts';
import { IDS } from './ids.ts';

/** Seconds: SQS visibility must exceed the consumer's timeout (AWS recommends 6x). */
export const LAUNCHER_TIMEOUT_SECONDS = 60;
export const LAUNCH_QUEUE_VISIBILITY_SECONDS = 6 * LAUNCHER_TIMEOUT_SECONDS;
const FOURTEEN_DAYS = 14 * 86400;

export const clusterArnValue: CfnValue = {
  'Fn::If': [IDS.createClusterCondition, getAtt(IDS.cluster, 'Arn'), ref(IDS.existingClusterParam)],
};
/** The cluster name, for task ARNs (`task/<cluster>/<id>`). */
export const clusterNameValue: CfnValue = {
  'Fn::If': [
    IDS.createClusterCondition,
    ref(IDS.cluster),
    { 'Fn::Select': [1, { 'Fn::Split': ['/', ref(IDS.existingClusterParam)] }] },
  ],
};
export const taskArnPattern: CfnValue = {
  'Fn::Join': ['', [sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/'), clusterNameValue, '/*']],
};

export const isProtectedStage = (ctx: BuildContext): boolean => ctx.protectedStages.includes(ctx.stage);

/** Keys and indexes of the runs table, shared by the stack and by the local engines' CreateTable. */
export const tableKeySchema = () => ({
  AttributeDefinitions: [TABLE_KEYS.pk, TABLE_KEYS.sk, GSI1.pk, GSI1.sk, GSI2.pk, GSI2.sk].map((name) => ({
    AttributeName: name,
    AttributeType: 'S' as const,
  })),
  KeySchema: [
    { AttributeName: TABLE_KEYS.pk, KeyType: 'HASH' as const },
    { AttributeName: TABLE_KEYS.sk, KeyType: 'RANGE' as const },
  ],
  GlobalSecondaryIndexes: [GSI1, GSI2].map((gsi) => ({
    IndexName: gsi.name,
    KeySchema: [
      { AttributeName: gsi.pk, KeyType: 'HASH' as const },
      { AttributeName: gsi.sk, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  })),
});

const table = (ctx: BuildContext): Resources => {
  const keep = isProtectedStage(ctx);
  return {
    [IDS.table]: {
      Type: 'AWS::DynamoDB::Table',
      ...(keep ? { DeletionPolicy: 'Retain' as const, UpdateReplacePolicy: 'Retain' as const } : {}),
      Properties: {
        TableName: tableName(ctx.stage),
        BillingMode: 'PAY_PER_REQUEST',
        ...(tableKeySchema() as unknown as Record<string, CfnValue>),
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: keep,
        Tags: [
          { Key: 'longshore:stage', Value: ctx.stage },
          { Key: 'longshore:items', Value: `RUN and ${ATTEMPT_SK_PREFIX} items per run; SLOTS per job` },
        ],
      },
    },
  };
};

const cluster = (ctx: BuildContext): Resources => {
  const ec2Providers = [
    ...new Set(ctx.catalog.jobs.flatMap((j) => (j.capacity.type === 'ec2' ? [j.capacity.capacityProvider] : []))),
  ].sort();
  return {
    [IDS.cluster]: {
      Type: 'AWS::ECS::Cluster',
      Condition: IDS.createClusterCondition,
      Properties: {
        ClusterName: clusterName(ctx.stage),
        CapacityProviders: ['FARGATE', 'FARGATE_SPOT', ...ec2Providers],
        DefaultCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
        Tags: [{ Key: 'longshore:stage', Value: ctx.stage }],
      },
    },
  };
};

const queue = (name: string, extra: Record<string, CfnValue> = {}): Resources[string] => ({
  Type: 'AWS::SQS::Queue',
  Properties: { QueueName: name, SqsManagedSseEnabled: true, MessageRetentionPeriod: FOURTEEN_DAYS, ...extra },
});

const messaging = (ctx: BuildContext): Resources => ({
  [IDS.eventBus]: { Type: 'AWS::Events::EventBus', Properties: { Name: eventBusName(ctx.stage) } },
  [IDS.alertTopic]: {
    Type: 'AWS::SNS::Topic',
    Properties: {
      TopicName: `${SERVICE}-${ctx.stage}-alerts`,
      DisplayName: `longshore ${ctx.stage} alerts`,
      KmsMasterKeyId: 'alias/aws/sns',
    },
  },
  [IDS.launchDlq]: queue(`${SERVICE}-${ctx.stage}-launch-dlq`),
  [IDS.launchQueue]: queue(`${SERVICE}-${ctx.stage}-launch`, {
    VisibilityTimeout: LAUNCH_QUEUE_VISIBILITY_SECONDS,
    RedrivePolicy: { deadLetterTargetArn: getAtt(IDS.launchDlq, 'Arn'), maxReceiveCount: 10 },
  }),
  [IDS.eventsDlq]: queue(`${SERVICE}-${ctx.stage}-events-dlq`),
  [IDS.eventsDlqPolicy]: {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(IDS.eventsDlq)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'RuleTargetsDeadLetters',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt(IDS.eventsDlq, 'Arn'),
            Condition: {
              ArnLike: {
                'aws:SourceArn': sub(
                  `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${SERVICE}-${ctx.stage}-*`,
                ),
              },
              StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
            },
          },
        ],
      },
    },
  },
});

export const platformResources = (ctx: BuildContext): Resources => ({
  ...table(ctx),
  ...cluster(ctx),
  ...messaging(ctx),
});

export const platformConditions = (): Record<string, CfnValue> => ({
  [IDS.createClusterCondition]: { 'Fn::Equals': [ref(IDS.existingClusterParam), ''] },
});

export const platformParameters = (): Record<string, CfnValue> => ({
  [IDS.existingClusterParam]: {
    Type: 'String',
    Default: '${param:clusterArn}',
    Description: 'ARN of an existing ECS cluster to run jobs on; empty to create one (stage parameter clusterArn)',
    AllowedPattern: '^$|^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:cluster/[A-Za-z0-9_-]+$',
  },
});
