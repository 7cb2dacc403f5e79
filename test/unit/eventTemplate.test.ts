/**
 * The stack's part of event and sqs triggers (issue 14, section 4): one rule per event trigger on
 * its bus with its own pattern and an input transformer naming the trigger, onEvent's permissions
 * per bus, the events DLQ's policy for rules on named buses, one event source mapping per queue with
 * partial batch responses, and onMessage's least-privilege role.
 */
import { describe, expect, it } from 'vitest';
import { functions } from '../../functions/index.ts';
import type { Catalog, JobInput } from '../../lib/catalog/schema.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import type { CfnResource } from '../../lib/infra/cfn.ts';
import { PROTECTED_STAGES } from '../../lib/infra/context.ts';
import { buildService } from '../../lib/infra/service.ts';
import { eventInputTemplate, eventRuleName } from '../../lib/infra/triggers.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../helpers/catalogs.ts';
import { asList, iamStatements } from '../helpers/template.ts';

const build = (catalog: Catalog, stage = 'dev') => {
  const { config } = buildService({ stage, catalog, protectedStages: PROTECTED_STAGES }, functions);
  return {
    resources: config.resources?.Resources as unknown as Record<string, CfnResource>,
    functions: config.functions as Record<string, { events?: unknown[]; environment?: Record<string, unknown> }>,
  };
};

const QUEUE_A = 'arn:aws:sqs:eu-west-1:111122223333:orders';
const QUEUE_B = 'arn:aws:sqs:eu-west-1:111122223333:returns.fifo';

/** Two jobs: events on the default and on a named bus, two sqs triggers on one queue and one on a parameter. */
const triggerCatalog = (): Catalog =>
  validateCatalog(
    baseCatalog([
      baseJob({
        name: 'orders',
        triggers: [
          { type: 'event', pattern: { source: ['shop'] } },
          { type: 'event', bus: 'partner-bus', pattern: { source: ['partner'] }, environment: { ID: '$.detail.id' } },
          { type: 'sqs', queue: QUEUE_A },
        ],
      } as Partial<JobInput>),
      baseJob({
        name: 'returns',
        triggers: [
          { type: 'sqs', queue: QUEUE_A, identity: '$.body.orderId' },
          { type: 'sqs', queue: QUEUE_B },
          { type: 'sqs', queue: { param: 'refundQueueArn' } },
        ],
      } as Partial<JobInput>),
    ]),
  );

describe('Service definition: event triggers', () => {
  it('makes one rule per event trigger, on its bus, with its pattern, delivering the wrapped event to onEvent or the DLQ', () => {
    // Act
    const { resources } = build(triggerCatalog());

    // Assess
    const onDefault = resources.JobOrdersEventRule0?.Properties;
    const onNamed = resources.JobOrdersEventRule1?.Properties;
    expect(onDefault).toMatchObject({
      Name: eventRuleName('dev', 'orders', 0),
      EventPattern: { source: ['shop'] },
      Targets: [
        {
          Arn: { 'Fn::GetAtt': ['OnEventLambdaFunction', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          InputTransformer: { InputTemplate: eventInputTemplate('orders', 0) },
        },
      ],
    });
    expect(onDefault?.EventBusName).toBeUndefined();
    expect(onNamed).toMatchObject({ EventBusName: 'partner-bus', EventPattern: { source: ['partner'] } });
    expect(eventInputTemplate('orders', 1)).toBe(
      '{"longshore":"event","job":"orders","trigger":1,"event":<aws.events.event.json>}',
    );
    expect(String(onDefault?.Name)).toMatch(/^longshore-dev-event-[0-9a-f]{10}$/);
  });

  it('lets only this stage rules on each bus invoke onEvent, and lets them dead-letter into the events DLQ', () => {
    // Act
    const { resources } = build(triggerCatalog());

    // Assess
    const permissions = Object.entries(resources)
      .filter(([id]) => id.startsWith('OnEventRulesPermission'))
      .map(([, r]) => JSON.stringify(r.Properties?.SourceArn));
    expect(permissions.sort()).toEqual([
      JSON.stringify({
        'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/longshore-dev-*',
      }),
      JSON.stringify({
        'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/partner-bus/longshore-dev-*',
      }),
    ]);
    const dlqPolicy = JSON.stringify(resources.EventsDeadLetterQueuePolicy?.Properties);
    expect(dlqPolicy).toContain(':rule/*/longshore-dev-*');
  });

  it('has no event rule and no onEvent permission without event triggers', () => {
    // Act
    const { resources } = build(validateCatalog(baseCatalog([baseJob()])));

    // Assess
    expect(Object.keys(resources).filter((id) => /EventRule\d|OnEventRulesPermission/.test(id))).toEqual([]);
  });
});

describe('Service definition: sqs triggers', () => {
  it('maps each distinct queue once to onMessage, with partial batch responses, after its role', () => {
    // Act
    const { resources, functions: fns } = build(triggerCatalog());

    // Assess
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map((m) => [m.Properties?.EventSourceArn, m.DependsOn])).toEqual([
      [QUEUE_A, ['OnMessageRole']],
      [QUEUE_B, ['OnMessageRole']],
      [{ Ref: 'ParamRefundQueueArn' }, ['OnMessageRole']],
    ]);
    for (const m of mappings)
      expect(m.Properties).toMatchObject({
        FunctionName: { 'Fn::GetAtt': ['OnMessageLambdaFunction', 'Arn'] },
        BatchSize: 10,
        Enabled: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    expect(fns.onMessage?.environment?.LONGSHORE_QUEUES).toEqual({
      'Fn::Join': [
        ',',
        [
          { 'Fn::Join': ['=', [QUEUE_A, QUEUE_A]] },
          { 'Fn::Join': ['=', [QUEUE_B, QUEUE_B]] },
          { 'Fn::Join': ['=', ['param:refundQueueArn', { Ref: 'ParamRefundQueueArn' }]] },
        ],
      ],
    });
  });

  it('gives onMessage receive, delete and attributes on exactly the declared queues, and nothing on the launch queue but send', () => {
    // Act
    const statements = iamStatements(build(triggerCatalog()).resources).filter((s) =>
      s.where.startsWith('OnMessageRole/'),
    );

    // Assess
    const consume = statements.find((s) => s.statement.Sid === 'ConsumeTriggerQueues')?.statement;
    expect(asList(consume?.Action)).toEqual(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']);
    expect(asList(consume?.Resource)).toEqual([QUEUE_A, QUEUE_B, { Ref: 'ParamRefundQueueArn' }]);
    expect(statements.flatMap((s) => asList(s.statement.Action)).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(statements.find((s) => s.statement.Sid === 'ConsumeLaunchQueue')).toBeUndefined();
  });

  it('has no event source mapping and no queue grant without sqs triggers; the launcher keeps its own', () => {
    // Act
    const { resources } = build(validateCatalog(baseCatalog([baseJob()])));
    const statements = iamStatements(resources);

    // Assess
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')).toEqual([]);
    expect(statements.filter((s) => s.statement.Sid === 'ConsumeTriggerQueues')).toEqual([]);
    expect(statements.filter((s) => s.statement.Sid === 'ConsumeLaunchQueue').map((s) => s.where)).toEqual([
      expect.stringMatching(/^LauncherRole\//),
    ]);
  });

  it('reads the stage parameter of a parameter queue from SSM', () => {
    // Act
    const { config } = buildService(
      { stage: 'dev', catalog: triggerCatalog(), protectedStages: PROTECTED_STAGES },
      functions,
    );

    // Assess
    expect(config.resources?.Parameters?.ParamRefundQueueArn).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '${param:refundQueueArn}',
    });
  });

  it('ships the example catalog with its Order Placed rule on the shop bus and its queue', () => {
    // Act
    const { resources } = build(exampleCatalog());

    // Assess
    expect(resources.JobOrderFulfilmentEventRule0?.Properties?.EventBusName).toBe('acme-shop');
    expect(
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
        .map((m) => m.Properties?.EventSourceArn),
    ).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:acme-orders-resend' }]);
  });
});
