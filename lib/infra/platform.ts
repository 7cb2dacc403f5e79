/**
 * The service's shared resources: the runs table, the ECS cluster (or an existing one), the run
 * event bus, the alert topic and the queues (launch buffer and dead letters).
 */

import { GSI1, GSI2, TABLE_KEYS, TTL_ATTRIBUTE } from '../domain/keys.ts';
import {
  alertTopicName,
  clusterName,
  eventBusName,
  eventsDlqName,
  launchDlqName,
  launchQueueName,
  SERVICE,
  tableName,
} from '../domain/names.ts';
import { type CfnValue, getAtt, type Resources, ref, sub } from './cfn.ts';
import type { BuildContext } from './context.ts';
import { IDS } from './ids.ts';
import { manifestBucketResources } from './manifests.ts';

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

/**
 * Keys and indexes of the runs table, shared by the stack and by the local engines' CreateTable.
 * The indexes project keys only: a write that leaves an index's keys alone writes nothing to it,
 * and the store reads the runs a query finds from the table (docs/decisions.md, "Lean indexes").
 */
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
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
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
          // Tag values take letters, digits, spaces and + - = . _ : / only (DynamoDB tagging restrictions).
          { Key: 'longshore:items', Value: 'runs with their attempts - concurrency slots - schedule state' },
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

/** The actions an AWS service needs on the key to publish to the encrypted topic (SNS developer guide, key management). */
const SERVICE_PUBLISH_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/**
 * The alert topic's own key. CloudWatch alarms cannot publish to a topic encrypted with the
 * AWS-managed `alias/aws/sns` (its policy cannot be changed to let them), so alarms would never
 * notify anyone (aws-facts §h). The account root administers the key, so IAM policies (the alert
 * function's role) may grant its use.
 */
const alertTopicKey = (ctx: BuildContext): Resources => ({
  [IDS.alertTopicKey]: {
    Type: 'AWS::KMS::Key',
    Properties: {
      Description: `Encrypts the longshore ${ctx.stage} alert topic; CloudWatch alarms and EventBridge may publish with it`,
      EnableKeyRotation: true,
      KeyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AccountAdministersTheKey',
            Effect: 'Allow',
            Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            // The re:Post knowledge center (cloudwatch-configure-alarm-sns) documents conditions on
            // this statement; aws:SourceAccount keeps other accounts' alarms from using our key.
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: SERVICE_PUBLISH_KEY_ACTIONS,
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
          },
          {
            // No source condition: the KMS request EventBridge makes for an encrypted topic target
            // is reported not to carry aws:SourceAccount / aws:SourceArn (docs/decisions.md), and a
            // condition it cannot meet would drop every event silently. Publishing still needs the
            // topic's policy, which allows no EventBridge rule today.
            Sid: 'EventBridgeRulesPublish',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: SERVICE_PUBLISH_KEY_ACTIONS,
            Resource: '*',
          },
        ],
      },
      Tags: [{ Key: 'longshore:stage', Value: ctx.stage }],
    },
  },
  [IDS.alertTopicKeyAlias]: {
    Type: 'AWS::KMS::Alias',
    Properties: { AliasName: `alias/${alertTopicName(ctx.stage)}`, TargetKeyId: ref(IDS.alertTopicKey) },
  },
});

const messaging = (ctx: BuildContext): Resources => ({
  [IDS.eventBus]: { Type: 'AWS::Events::EventBus', Properties: { Name: eventBusName(ctx.stage) } },
  ...alertTopicKey(ctx),
  [IDS.alertTopic]: {
    Type: 'AWS::SNS::Topic',
    Properties: {
      TopicName: alertTopicName(ctx.stage),
      DisplayName: `longshore ${ctx.stage} alerts`,
      KmsMasterKeyId: ref(IDS.alertTopicKey),
    },
  },
  [IDS.launchDlq]: queue(launchDlqName(ctx.stage)),
  [IDS.launchQueue]: queue(launchQueueName(ctx.stage), {
    VisibilityTimeout: LAUNCH_QUEUE_VISIBILITY_SECONDS,
    RedrivePolicy: { deadLetterTargetArn: getAtt(IDS.launchDlq, 'Arn'), maxReceiveCount: 10 },
  }),
  [IDS.eventsDlq]: queue(eventsDlqName(ctx.stage)),
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
                // This stage's rules on any bus: the default bus's, the service bus's and those of
                // event triggers on a named bus (rule/<bus>/<name>).
                'aws:SourceArn': [
                  sub(
                    `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${SERVICE}-${ctx.stage}-*`,
                  ),
                  sub(
                    `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/*/${SERVICE}-${ctx.stage}-*`,
                  ),
                ],
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
  ...manifestBucketResources(ctx),
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
