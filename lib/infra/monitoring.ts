/**
 * What operators look at without reading code: a CloudWatch dashboard of the per-job run metrics
 * (embedded metric format, namespace Longshore, dimension job), the functions and the queues; and
 * alarms, sent to the alert topic, on dead-letter queue depth and on handler errors.
 */

import { PRICED_REGIONS, PRICES_AS_OF } from '../domain/cost.ts';
import { eventsDlqName, functionName, launchDlqName, launchQueueName, SERVICE } from '../domain/names.ts';
import { METRIC_NAMES } from '../metrics.ts';
import { type CfnValue, getAtt, pascal, type Resources, ref } from './cfn.ts';
import type { BuildContext } from './context.ts';
import { IDS } from './ids.ts';

const NAMESPACE = 'Longshore';

const alarm = (name: string, description: string, metric: Record<string, CfnValue>): Resources[string] => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmName: name,
    AlarmDescription: description,
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 0,
    EvaluationPeriods: 1,
    Period: 300,
    TreatMissingData: 'notBreaching',
    AlarmActions: [ref(IDS.alertTopic)],
    OKActions: [ref(IDS.alertTopic)],
    ...metric,
  },
});

export const alarms = (ctx: BuildContext, functionKeys: readonly string[]): Resources => {
  const out: Resources = {};
  for (const [id, label] of [
    [IDS.launchDlq, 'launch'],
    [IDS.eventsDlq, 'events'],
  ] as const) {
    out[`${id}Alarm`] = alarm(
      `${SERVICE}-${ctx.stage}-${label}-dlq-not-empty`,
      `Messages in the ${label} dead-letter queue: something longshore could not process. Inspect and redrive them.`,
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(id, 'QueueName') }],
        Statistic: 'Maximum',
      },
    );
  }
  for (const key of functionKeys) {
    out[`${pascal(key)}ErrorsAlarm`] = alarm(
      `${SERVICE}-${ctx.stage}-${key}-errors`,
      `Function ${key} failed (see its log group /aws/lambda/${functionName(ctx.stage, key)}).`,
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: functionName(ctx.stage, key) }],
        Statistic: 'Sum',
      },
    );
  }
  return out;
};

/** The dashboard body (CloudWatch dashboard JSON), with `${AWS::Region}` left for Fn::Sub. */
export const dashboardBody = (ctx: BuildContext, functionKeys: readonly string[]): string => {
  const jobs = ctx.catalog.jobs.map((j) => j.name);
  const width = 12;
  const widgets: unknown[] = [];
  const add = (title: string, metrics: unknown[], opts: Record<string, unknown> = {}) =>
    widgets.push({
      type: 'metric',
      width,
      height: 6,
      properties: {
        title,
        region: '${AWS::Region}',
        view: 'timeSeries',
        stacked: false,
        period: 300,
        metrics,
        ...opts,
      },
    });
  const counts = METRIC_NAMES.filter((m) => m.startsWith('Runs'));
  for (const job of jobs) {
    add(
      `${job}: runs`,
      counts.map((m) => [
        NAMESPACE,
        m,
        'job',
        job,
        'service',
        'longshore',
        { stat: 'Sum', label: m.replace('Runs', '') },
      ]),
    );
    add(`${job}: duration and queue wait (seconds)`, [
      [NAMESPACE, 'RunDuration', 'job', job, 'service', 'longshore', { stat: 'p50', label: 'duration p50' }],
      [NAMESPACE, 'RunDuration', 'job', job, 'service', 'longshore', { stat: 'p90', label: 'duration p90' }],
      [NAMESPACE, 'QueueWait', 'job', job, 'service', 'longshore', { stat: 'p90', label: 'queue wait p90' }],
    ]);
  }
  // Each settled attempt's estimate (lib/domain/cost.ts), summed per hour: one line per job. The
  // title says what the figures are priced at: the table's Regions, and its date.
  add(
    `Estimated cost by job (US dollars per hour; Fargate list prices as of ${PRICES_AS_OF}: ${PRICED_REGIONS})`,
    jobs.map((job) => [NAMESPACE, 'Cost', 'job', job, 'service', 'longshore', { stat: 'Sum', label: job }]),
    { period: 3600, stacked: true },
  );
  const perFunction = (metric: string, stat: string) =>
    functionKeys.map((k) => ['AWS/Lambda', metric, 'FunctionName', functionName(ctx.stage, k), { stat, label: k }]);
  add('Handler errors', perFunction('Errors', 'Sum'));
  add('Handler duration p99 (ms)', perFunction('Duration', 'p99'));
  add('Queues', [
    [
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'QueueName',
      launchQueueName(ctx.stage),
      { stat: 'Maximum', label: 'launch queue' },
    ],
    [
      'AWS/SQS',
      'ApproximateAgeOfOldestMessage',
      'QueueName',
      launchQueueName(ctx.stage),
      { stat: 'Maximum', label: 'oldest launch (s)', yAxis: 'right' },
    ],
    [
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'QueueName',
      launchDlqName(ctx.stage),
      { stat: 'Maximum', label: 'launch DLQ' },
    ],
    [
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'QueueName',
      eventsDlqName(ctx.stage),
      { stat: 'Maximum', label: 'events DLQ' },
    ],
  ]);
  return JSON.stringify({ widgets });
};

export const monitoringResources = (ctx: BuildContext, functionKeys: readonly string[]): Resources => ({
  [IDS.dashboard]: {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: `${SERVICE}-${ctx.stage}`,
      DashboardBody: { 'Fn::Sub': dashboardBody(ctx, functionKeys) },
    },
  },
  ...alarms(ctx, functionKeys),
});
