/**
 * How events reach the handlers: EventBridge rules (S3 "Object Created" per bucket, ECS task state
 * changes of our tasks, run events that alert, the sweeper's clock) and EventBridge Scheduler
 * schedules (one per schedule trigger, in the job's time zone). Every rule and schedule retries
 * delivery and keeps what it could not deliver in the events dead-letter queue.
 */
import { createHash } from 'node:crypto';
import type { Catalog, Job, S3Trigger } from '../catalog/schema.ts';
import { upstreamJobs } from '../domain/afterMatch.ts';
import { busOf, eventTriggers } from '../domain/eventTrigger.ts';
import {
  eventBusName,
  SERVICE,
  scheduleGroupName,
  scheduleName,
  schedulerRoleName,
  startedByPrefix,
} from '../domain/names.ts';
import { ALERT_TYPES, FINISHED_TYPES, RUN_EVENT_SOURCE } from '../domain/runEvents.ts';
import { assumeRolePolicy, type CfnValue, getAtt, pascal, policyDocument, type Resources, ref, sub } from './cfn.ts';
import type { BuildContext } from './context.ts';
import { functionRoleLogicalId, IDS, lambdaLogicalId } from './ids.ts';
import { clusterArnValue } from './platform.ts';
import { catalogQueues } from './queues.ts';

/** EventBridge's own delivery retries (defaults spelled out): 24 h, 185 attempts, then the DLQ. */
const DELIVERY_RETRY = { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 };
export const SWEEPER_RATE = 'rate(5 minutes)';

const target = (fnKey: string): CfnValue => ({
  Id: fnKey,
  Arn: getAtt(lambdaLogicalId(fnKey), 'Arn'),
  RetryPolicy: DELIVERY_RETRY,
  DeadLetterConfig: { Arn: getAtt(IDS.eventsDlq, 'Arn') },
});

const rule = (name: string, description: string, fnKey: string, spec: Record<string, CfnValue>): Resources[string] => ({
  Type: 'AWS::Events::Rule',
  Properties: { Name: name, Description: description, State: 'ENABLED', Targets: [target(fnKey)], ...spec },
});

/**
 * An EventBridge key filter for one trigger. Prefix and suffix together need a wildcard pattern,
 * in which a literal `*` or `\` must be escaped.
 */
export const keyFilter = (t: Pick<S3Trigger, 'prefix' | 'suffix'>): CfnValue | undefined => {
  if (t.prefix !== undefined && t.suffix !== undefined) {
    const esc = (s: string): string => s.replace(/[\\*]/g, (c) => `\\${c}`);
    return { wildcard: `${esc(t.prefix)}*${esc(t.suffix)}` };
  }
  if (t.prefix !== undefined) return { prefix: t.prefix };
  if (t.suffix !== undefined) return { suffix: t.suffix };
  return undefined;
};

/** One rule per bucket, OR-ing every job's key filter, so each upload is delivered once. */
export const s3Rules = (ctx: BuildContext): Resources => {
  const byBucket = new Map<string, { job: string; trigger: S3Trigger }[]>();
  for (const job of ctx.catalog.jobs) {
    for (const t of job.triggers) {
      if (t.type !== 's3') continue;
      byBucket.set(t.bucket, [...(byBucket.get(t.bucket) ?? []), { job: job.name, trigger: t }]);
    }
  }
  const out: Resources = {};
  for (const [bucket, triggers] of [...byBucket.entries()].sort()) {
    const filters = triggers.map(({ trigger }) => keyFilter(trigger));
    const detail: Record<string, CfnValue> = { bucket: { name: [bucket] } };
    // Any trigger without a key filter matches every key in the bucket.
    if (filters.every((f) => f !== undefined)) {
      const unique = [...new Map(filters.map((f) => [JSON.stringify(f), f])).values()];
      detail.object = { key: unique };
    }
    const hash = createHash('sha256').update(bucket).digest('hex').slice(0, 10);
    out[`S3Rule${hash}`] = rule(
      `${SERVICE}-${ctx.stage}-s3-${hash}`,
      `Uploads to ${bucket} for ${[...new Set(triggers.map((t) => t.job))].join(', ')}`,
      'onUpload',
      { EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail } },
    );
  }
  return out;
};

/**
 * The task state changes onTaskStateChange gets: our cluster's, of tasks we started in this stage,
 * RUNNING or STOPPED only. The local flow routes its simulated ECS's events with this same pattern.
 */
export const taskStatePattern = (stage: string, clusterArn: CfnValue) => ({
  source: ['aws.ecs'],
  'detail-type': ['ECS Task State Change'],
  detail: {
    clusterArn: [clusterArn],
    startedBy: [{ prefix: startedByPrefix(stage) }],
    lastStatus: ['RUNNING', 'STOPPED'],
  },
});

/**
 * The jobs whose final run events onRunFinished takes: those an `after` trigger follows, and the
 * fan-out jobs (a child's end is counted on its parent there: lib/tallyChild.ts).
 */
export const finishedRunJobs = (catalog: Catalog): string[] =>
  [...new Set([...upstreamJobs(catalog), ...catalog.jobs.filter((j) => j.fanOut).map((j) => j.name)])].sort();

/**
 * The run events onRunFinished gets (and the local flow routes to it): the final events of this
 * stage's runs of the jobs some `after` trigger follows, and of the fan-out jobs. Undefined when
 * there are none (no rule: an empty list is no EventBridge pattern).
 */

export const afterPattern = (stage: string, catalog: Catalog) => {
  const jobs = finishedRunJobs(catalog);
  if (jobs.length === 0) return undefined;
  return {
    source: [RUN_EVENT_SOURCE],
    'detail-type': [...FINISHED_TYPES],
    detail: { stage: [stage], job: jobs },
  };
};

export const afterRule = (ctx: BuildContext): Resources => {
  const pattern = afterPattern(ctx.stage, ctx.catalog);
  if (!pattern) return {};
  return {
    AfterRule: rule(
      `${SERVICE}-${ctx.stage}-after`,
      `Finished runs of ${pattern.detail.job.join(', ')} to the jobs that run after them`,
      'onRunFinished',
      { EventBusName: ref(IDS.eventBus), EventPattern: pattern },
    ),
  };
};

/** An event trigger's rule name: the stage's prefix (its permission and the DLQ policy match it) and a hash of job and index. */
export const eventRuleName = (stage: string, job: string, index: number): string =>
  `${SERVICE}-${stage}-event-${createHash('sha256').update(`${job}#${index}`).digest('hex').slice(0, 10)}`;

/**
 * What an event trigger's rule sends onEvent: the whole original event (`<aws.events.event.json>`,
 * EventBridge's predefined variable, detail included) wrapped with the job and the trigger's index,
 * so the rule that matched decides which trigger the event is for. The local bus sends the same.
 */
export const eventInputTemplate = (job: string, index: number): string =>
  `{"longshore":"event","job":${JSON.stringify(job)},"trigger":${index},"event":<aws.events.event.json>}`;

/** One rule per event trigger, on its bus, with the trigger's own pattern. */
export const eventRules = (ctx: BuildContext): Resources =>
  Object.fromEntries(
    eventTriggers(ctx.catalog).map(({ job, triggerIndex, trigger }) => [
      `Job${pascal(job.name)}EventRule${triggerIndex}`,
      {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: eventRuleName(ctx.stage, job.name, triggerIndex),
          Description: `Events that start ${job.name} (trigger #${triggerIndex})`,
          State: 'ENABLED',
          ...(trigger.bus && trigger.bus !== 'default' ? { EventBusName: trigger.bus } : {}),
          EventPattern: trigger.pattern as CfnValue,
          Targets: [
            {
              ...(target('onEvent') as Record<string, CfnValue>),
              InputTransformer: { InputTemplate: eventInputTemplate(job.name, triggerIndex) },
            },
          ],
        },
      },
    ]),
  );

/** onEvent's invoke permissions: one per bus its rules are on, scoped to this stage's rule names there. */
export const eventRulePermissions = (ctx: BuildContext): Resources => {
  const buses = [...new Set(eventTriggers(ctx.catalog).map((e) => busOf(e.trigger)))].sort();
  return Object.fromEntries(
    buses.map((bus) => [
      bus === 'default'
        ? 'OnEventRulesPermission'
        : `OnEventRulesPermission${createHash('sha256').update(bus).digest('hex').slice(0, 10)}`,
      {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          FunctionName: getAtt(lambdaLogicalId('onEvent'), 'Arn'),
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          SourceAccount: ref('AWS::AccountId'),
          SourceArn: sub(
            `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${bus === 'default' ? '' : `${bus}/`}${SERVICE}-${ctx.stage}-*`,
          ),
        },
      },
    ]),
  );
};

/** What one invocation of onMessage gets at most (the SQS maximum for a standard mapping without a batching window). */
export const QUEUE_BATCH_SIZE = 10;

/**
 * One event source mapping per distinct queue of the sqs triggers, to onMessage, with partial
 * batch responses: a message that cannot become a run is reported, received again, and dead-lettered
 * by the queue's own redrive policy. After onMessage's role, whose queue grants the mapping needs.
 */
export const queueMappings = (ctx: BuildContext): Resources =>
  Object.fromEntries(
    catalogQueues(ctx.catalog).map((q) => [
      `OnMessageQueueMapping${createHash('sha256').update(q.key).digest('hex').slice(0, 10)}`,
      {
        Type: 'AWS::Lambda::EventSourceMapping',
        DependsOn: [functionRoleLogicalId('onMessage')],
        Properties: {
          EventSourceArn: q.arn,
          FunctionName: getAtt(lambdaLogicalId('onMessage'), 'Arn'),
          BatchSize: QUEUE_BATCH_SIZE,
          Enabled: true,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        },
      },
    ]),
  );

/** The run events the alert function gets (and the local flow routes to it). */
export const alertPattern = () => ({ source: [RUN_EVENT_SOURCE], 'detail-type': [...ALERT_TYPES] });

export const taskStateRule = (ctx: BuildContext): Resources => ({
  TaskStateRule: rule(
    `${SERVICE}-${ctx.stage}-task-state`,
    'ECS task state changes of longshore tasks',
    'onTaskStateChange',
    { EventPattern: taskStatePattern(ctx.stage, clusterArnValue) },
  ),
});

export const sweeperRule = (ctx: BuildContext): Resources => ({
  SweeperRule: rule(
    `${SERVICE}-${ctx.stage}-sweeper`,
    'Timeouts, stuck starts, lost STOPPED events, missed schedules',
    'sweeper',
    {
      ScheduleExpression: SWEEPER_RATE,
    },
  ),
});

export const alertRule = (ctx: BuildContext): Resources => ({
  AlertRule: rule(
    `${SERVICE}-${ctx.stage}-alerts`,
    'Final failures, timeouts and missed schedules to on-call',
    'alert',
    {
      EventBusName: ref(IDS.eventBus),
      EventPattern: alertPattern(),
    },
  ),
});

/** The functions whose rules are on the service's own bus (their rule ARNs carry the bus name). */
const ON_SERVICE_BUS: readonly string[] = ['alert', 'onRunFinished'];

/** Lambda permission for EventBridge rules of this stage (one per function, scoped by rule name prefix). */
export const rulePermissions = (ctx: BuildContext, fnKeys: readonly string[]): Resources =>
  Object.fromEntries(
    fnKeys.map((fnKey) => [
      `${pascal(fnKey)}RulesPermission`,
      {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          FunctionName: getAtt(lambdaLogicalId(fnKey), 'Arn'),
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          SourceAccount: ref('AWS::AccountId'),
          SourceArn: sub(
            ON_SERVICE_BUS.includes(fnKey)
              ? `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${eventBusName(ctx.stage)}/${SERVICE}-${ctx.stage}-*`
              : `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${SERVICE}-${ctx.stage}-*`,
          ),
        },
      },
    ]),
  );

/**
 * The Input a schedule sends: our own payload (no envelope), carrying the job and the scheduled time
 * through Scheduler's context attributes. The run id comes from schedule ARN + scheduled time, never
 * the execution id, which changes on every delivery attempt.
 */
export const scheduleInput = (job: string, index: number): string =>
  JSON.stringify({
    longshore: 'schedule',
    job,
    trigger: index,
    scheduleArn: '<aws.scheduler.schedule-arn>',
    scheduledTime: '<aws.scheduler.scheduled-time>',
  });

export const schedules = (ctx: BuildContext): Resources => {
  const out: Resources = {};
  const jobsWithSchedules: Job[] = ctx.catalog.jobs.filter((j) => j.triggers.some((t) => t.type === 'schedule'));
  if (jobsWithSchedules.length === 0) return out;
  out[IDS.scheduleGroup] = {
    Type: 'AWS::Scheduler::ScheduleGroup',
    Properties: { Name: scheduleGroupName(ctx.stage) },
  };
  out[IDS.schedulerRole] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: sub(schedulerRoleName(ctx.stage, '${AWS::Region}')),
      Description: `EventBridge Scheduler role of longshore (${ctx.stage}): invoke onSchedule, dead-letter undeliverable ticks`,
      AssumeRolePolicyDocument: assumeRolePolicy('scheduler.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
      }),
      Policies: [
        {
          PolicyName: 'invoke',
          PolicyDocument: policyDocument([
            {
              Effect: 'Allow',
              Action: ['lambda:InvokeFunction'],
              Resource: [getAtt(lambdaLogicalId('onSchedule'), 'Arn')],
            },
            { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [getAtt(IDS.eventsDlq, 'Arn')] },
          ]),
        },
      ],
    },
  };
  for (const job of jobsWithSchedules) {
    job.triggers.forEach((t, index) => {
      if (t.type !== 'schedule') return;
      out[`Job${pascal(job.name)}Schedule${index}`] = {
        Type: 'AWS::Scheduler::Schedule',
        DependsOn: [IDS.scheduleGroup],
        Properties: {
          Name: scheduleName(ctx.stage, job.name, index),
          GroupName: scheduleGroupName(ctx.stage),
          Description: `${job.name}: ${t.expression} (${t.timezone}), overlap ${t.overlap}`,
          ScheduleExpression: t.expression,
          ScheduleExpressionTimezone: t.timezone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          State: t.enabled ? 'ENABLED' : 'DISABLED',
          Target: {
            Arn: getAtt(lambdaLogicalId('onSchedule'), 'Arn'),
            RoleArn: getAtt(IDS.schedulerRole, 'Arn'),
            Input: scheduleInput(job.name, index),
            RetryPolicy: DELIVERY_RETRY,
            DeadLetterConfig: { Arn: getAtt(IDS.eventsDlq, 'Arn') },
          },
        },
      };
    });
  }
  return out;
};

export const triggerResources = (ctx: BuildContext): Resources => ({
  ...s3Rules(ctx),
  ...taskStateRule(ctx),
  ...sweeperRule(ctx),
  ...alertRule(ctx),
  ...afterRule(ctx),
  ...eventRules(ctx),
  ...eventRulePermissions(ctx),
  ...queueMappings(ctx),
  ...rulePermissions(ctx, [
    'onUpload',
    'onTaskStateChange',
    'sweeper',
    'alert',
    ...(finishedRunJobs(ctx.catalog).length > 0 ? ['onRunFinished'] : []),
  ]),
  ...schedules(ctx),
});
