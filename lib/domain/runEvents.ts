/**
 * Run events published on the service's EventBridge bus for integrations and alerting (DESIGN §7).
 * `source` is fixed; `detail-type` names the transition; `detail` carries the run's facts.
 */
import { type Attempt, originalTrigger, type Run, type RunTrigger } from './run.ts';

export const RUN_EVENT_SOURCE = 'longshore';

export const RUN_EVENT_TYPES = [
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

export interface RunEventDetail {
  stage: string;
  runId: string;
  job: string;
  status: string;
  attempt: number;
  trigger: RunTrigger;
  /** One line for people: "s3://bucket/key", "schedule 2026-11-22T02:00:00Z", "manual by alice". */
  triggerSummary: string;
  capacity: string;
  cpu: number;
  memory: number;
  taskArn?: string;
  exitCode?: number;
  stopCode?: string;
  reason?: string;
  decision?: { action: string; rule: string; diagnosis: string; next: string };
  durationSeconds?: number;
  logLink?: string;
  createdAt: string;
  finishedAt?: string;
  [key: string]: unknown;
}

export interface RunEvent {
  type: RunEventType;
  detail: RunEventDetail | Record<string, unknown>;
}

export const triggerSummary = (t: RunTrigger): string => {
  const o = originalTrigger(t);
  const base =
    o.type === 's3'
      ? `s3://${o.bucket}/${o.key}${o.versionId ? ` (version ${o.versionId})` : ''}`
      : o.type === 'schedule'
        ? `schedule ${o.schedule.split('/').pop()} at ${o.scheduledTime}`
        : `manual${o.requestedBy ? ` by ${o.requestedBy}` : ''}`;
  return t.type === 'retry' ? `retry of ${t.of}${t.requestedBy ? ` by ${t.requestedBy}` : ''} (${base})` : base;
};

/**
 * The facts of a run (and of its current attempt, when given) for an event.
 *
 * @example runEvent('Run Started', 'dev', run)
 */
export const runEvent = (type: RunEventType, stage: string, run: Run, attempt?: Attempt): RunEvent => {
  const main = attempt?.containers?.find((c) => c.name === 'main');
  const detail: RunEventDetail = {
    stage,
    runId: run.runId,
    job: run.job,
    status: run.status,
    attempt: run.attempt,
    trigger: run.trigger,
    triggerSummary: triggerSummary(run.trigger),
    capacity: attempt?.capacityProvider ?? run.capacity,
    cpu: attempt?.cpu ?? run.size.cpu,
    memory: attempt?.memory ?? run.size.memory,
    createdAt: run.createdAt,
    ...(run.taskArn || attempt?.taskArn ? { taskArn: attempt?.taskArn ?? run.taskArn } : {}),
    ...(main?.exitCode !== undefined ? { exitCode: main.exitCode } : {}),
    ...(attempt?.stopCode ? { stopCode: attempt.stopCode } : {}),
    ...(run.reason || attempt?.stoppedReason || attempt?.launchFailure
      ? { reason: run.reason ?? attempt?.launchFailure ?? attempt?.stoppedReason }
      : {}),
    ...(attempt?.decision
      ? {
          decision: {
            action: attempt.decision.action,
            rule: attempt.decision.rule,
            diagnosis: attempt.decision.diagnosis,
            next: attempt.decision.next,
          },
        }
      : {}),
    ...(attempt?.durationSeconds !== undefined ? { durationSeconds: attempt.durationSeconds } : {}),
    ...(attempt?.logLink ? { logLink: attempt.logLink } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
  };
  return { type, detail };
};

/** The key under which a run remembers it published an event ("started#2", "failed"). */
export const publishKey = (type: RunEventType, attempt: number): string =>
  `${type.replace(/^Run /, '').toLowerCase().replace(/\s+/g, '-')}#${attempt}`;
