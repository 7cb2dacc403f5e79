/**
 * Run events published on the service's EventBridge bus for integrations and alerting.
 * `source` is fixed; `detail-type` names the transition.
 */

export const RUN_EVENT_SOURCE = 'longshore';

export const RUN_EVENT_TYPES = [
  'Run Queued',
  'Run Started',
  'Run Succeeded',
  'Run Retrying',
  'Run Failed',
  'Run Timed Out',
  'Run Cancelled',
  'Run Skipped',
  'Schedule Missed',
] as const;

export type RunEventType = (typeof RUN_EVENT_TYPES)[number];
