/**
 * Per-job metrics in CloudWatch embedded metric format (Powertools Metrics): runs started,
 * succeeded, failed, retried, timed out; run duration; queue wait. Each emission is a single metric
 * with its own `job` dimension, so one invocation can record several jobs.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

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

const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Longshore',
  serviceName: 'longshore',
});

export const emfMetrics: MetricsPort = {
  record: (job, name, value) => {
    const single = metrics.singleMetric();
    single.addDimension('job', job);
    single.addMetric(
      name,
      name === 'RunDuration' || name === 'QueueWait'
        ? MetricUnit.Seconds
        : name === 'Cost'
          ? MetricUnit.NoUnit // CloudWatch has no currency unit: US dollars, said in the metric's docs
          : MetricUnit.Count,
      value,
    );
  },
  fault: (kind) => {
    const single = metrics.singleMetric();
    single.addDimension('fault', kind);
    single.addMetric(FAULTS_METRIC, MetricUnit.Count, 1);
  },
};
