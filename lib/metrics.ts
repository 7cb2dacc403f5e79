/**
 * Per-job metrics in CloudWatch embedded metric format: runs started,
 * succeeded, failed, retried, timed out; run duration; queue wait. Each emission is a single metric
 * with its own `job` dimension, so one invocation can record several jobs.
 */
export type MetricName =
  | 'RunsStarted'
  | 'RunsSucceeded'
  | 'RunsFailed'
  | 'RunsRetried'
  | 'RunsTimedOut'
  | 'RunsCancelled'
  | 'RunDuration'
  | 'QueueWait'
  /** An attempt's estimated cost in US dollars, when it settles (lib/domain/cost.ts). */
  | 'Cost';

export const METRIC_NAMES: readonly MetricName[] = [
  'RunsStarted',
  'RunsSucceeded',
  'RunsFailed',
  'RunsRetried',
  'RunsTimedOut',
  'RunsCancelled',
  'RunDuration',
  'QueueWait',
  'Cost',
];

export interface MetricsPort {
  record(job: string, name: MetricName, value: number): void;
  /**
   * One fault the code met and reported (a throttled, refused or failed AWS call; an invocation that
   * failed), logged once where it is recorded: `Faults`, by `fault` (the AWS error's name or
   * longshore's error code, a bounded set).
   */
  fault(kind: string): void;
}

/** The metric the faults are counted in. */
export const FAULTS_METRIC = 'Faults';

const NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Longshore';

/**
 * One metric with one dimension (and `service`, as Powertools Metrics wrote it, so the dashboards'
 * and alarms' dimension sets stay the same), as one embedded-metric-format line on stdout, where
 * Lambda sends it to CloudWatch Logs and CloudWatch extracts the metric ("Specification: Embedded
 * metric format", CloudWatch user guide: `_aws.Timestamp`, `_aws.CloudWatchMetrics[].Namespace`,
 * `Dimensions`, `Metrics[].Name/Unit`, the values as root members). Written here instead of through
 * Powertools Metrics (issue 12): its `singleMetric()` built a Metrics instance for every emission,
 * and the package (12 KB, no `sideEffects` flag) was in every bundle.
 */
const emit = (dimension: string, value: string, name: string, unit: string, amount: number): void => {
  // As Powertools Metrics did: the local flow and `invoke` set it, so their output is not EMF lines.
  if (process.env.POWERTOOLS_METRICS_DISABLED === 'true') return;
  process.stdout.write(
    `${JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          { Namespace: NAMESPACE, Dimensions: [['service', dimension]], Metrics: [{ Name: name, Unit: unit }] },
        ],
      },
      service: 'longshore',
      [dimension]: value,
      [name]: amount,
    })}\n`,
  );
};

const unitOf = (name: MetricName): string =>
  name === 'RunDuration' || name === 'QueueWait'
    ? 'Seconds'
    : name === 'Cost'
      ? 'None' // CloudWatch has no currency unit: US dollars, said in the metric's docs
      : 'Count';

export const emfMetrics: MetricsPort = {
  record: (job, name, value) => emit('job', job, name, unitOf(name), value),
  fault: (kind) => emit('fault', kind, FAULTS_METRIC, 'Count', 1),
};
