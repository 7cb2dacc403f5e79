/**
 * Run events published on the service's EventBridge bus for integrations and alerting (README, "Operating").
 * `source` is fixed; `detail-type` names the transition; `detail` carries the run's facts.
 */
import type { Job } from '../catalog/schema.ts';
import { attemptsAllowed, logTargetOf, summarizeAttempt } from './attemptSummary.ts';
import { type Attempt, originalTrigger, type Run, type RunTrigger } from './run.ts';
import { parseResult } from './runResult.ts';

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

/** The run events that need a person: the alert rule on the bus delivers exactly these to `alert`. */
export const ALERT_TYPES = [
  'Run Failed',
  'Run Timed Out',
  'Schedule Missed',
] as const satisfies readonly RunEventType[];
export type AlertType = (typeof ALERT_TYPES)[number];

/** The run events that end a run that ran: what an `after` trigger waits for (lib/acceptAfterRun.ts). */
export const FINISHED_TYPES = [
  'Run Succeeded',
  'Run Failed',
  'Run Timed Out',
  'Run Cancelled',
] as const satisfies readonly RunEventType[];

export interface RunEventDetail {
  /**
   * The same for every publication of one event (`<runId>/<publishKey>`): a publication repeated
   * after a crash or a redelivery is the same event, and a consumer that keeps ids sees it once.
   */
  eventId: string;
  stage: string;
  runId: string;
  job: string;
  status: string;
  attempt: number;
  /** The m of "attempt n of m" (see `attemptsAllowed`); absent when the job left the catalog. */
  maxAttempts?: number;
  trigger: RunTrigger;
  /** One line for people: "s3://bucket/key", "schedule 2026-11-22T02:00:00Z", "manual by alice". */
  triggerSummary: string;
  capacity: string;
  cpu: number;
  memory: number;
  taskArn?: string;
  /** Once the attempt ended: whether ECS started its task (no duration, no log stream if not). */
  started?: boolean;
  /** The container whose exit (or reason) decided; `main` for a success. */
  decidingContainer?: string;
  /** The deciding container's exit code. */
  exitCode?: number;
  /** ECS's words: the deciding container's reason and the task's stopped reason. */
  containerReason?: string;
  stoppedReason?: string;
  stopCode?: string;
  reason?: string;
  /** `delaySeconds`: how long a retry waits before its launch (Run Retrying of a delayed retry). */
  decision?: { action: string; rule: string; diagnosis: string; next: string; delaySeconds?: number };
  durationSeconds?: number;
  /** The deciding container's log stream; absent when the task never started. */
  logLink?: string;
  /**
   * Estimated cost, US dollars (lib/domain/cost.ts): of this attempt (0 when its task never
   * started), and of the run's attempts settled so far. Absent for EC2 capacity or an attempt
   * not yet stopped.
   */
  attemptCostUsd?: number;
  costUsd?: number;
  /**
   * A SUCCEEDED run's result (its job's `result`): the JSON value its main container printed last,
   * or why it could not be read (lib/domain/runResult.ts).
   */
  result?: unknown;
  resultError?: string;
  createdAt: string;
  finishedAt?: string;
  parentRunId?: string;
  childIndex?: number;
  children?: Record<string, number>;
  failedChildren?: number[];
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
      : o.type === 'batch'
        ? `batch ${o.seq} of ${o.objects} objects from s3://${o.bucket} (${o.reason})`
        : o.type === 'schedule'
          ? `schedule ${o.schedule.split('/').pop()} at ${o.scheduledTime}`
          : o.type === 'after'
            ? `after ${o.upstream.job} ${o.upstream.status} (run ${o.upstream.runId})`
            : o.type === 'event'
              ? `event ${o.source} ${o.detailType} (${o.eventId})`
              : o.type === 'sqs'
                ? `sqs message ${o.messageId} from ${o.queue.split(':').pop()}`
                : `manual${o.requestedBy ? ` by ${o.requestedBy}` : ''}`;
  return t.type === 'retry' ? `retry of ${t.of}${t.requestedBy ? ` by ${t.requestedBy}` : ''} (${base})` : base;
};

/**
 * The facts of a run (and of its current attempt, when given) for an event. What decided (the
 * container, its exit code and log stream, started or not, the duration) comes from
 * `summarizeAttempt`; with the job, the log link is derived for that container and "attempt n of
 * m" gets its m.
 *
 * @example runEvent('Run Started', 'dev', run)
 */
export const runEvent = (type: RunEventType, stage: string, run: Run, attempt?: Attempt, job?: Job): RunEvent => {
  const s = attempt ? summarizeAttempt(attempt, job ? logTargetOf(stage, job) : undefined) : undefined;
  const ended = s?.ended === true;
  const detail: RunEventDetail = {
    eventId: runEventId(run.runId, type, run.attempt),
    stage,
    runId: run.runId,
    job: run.job,
    status: run.status,
    attempt: run.attempt,
    ...(job ? { maxAttempts: attemptsAllowed(job.policy, run) } : {}),
    trigger: run.trigger,
    triggerSummary: triggerSummary(run.trigger),
    capacity: attempt?.capacityProvider ?? run.capacity,
    cpu: attempt?.cpu ?? run.size.cpu,
    memory: attempt?.memory ?? run.size.memory,
    createdAt: run.createdAt,
    ...(run.taskArn || attempt?.taskArn ? { taskArn: attempt?.taskArn ?? run.taskArn } : {}),
    ...(ended ? { started: s.started } : {}),
    ...(ended && s.deciding ? { decidingContainer: s.deciding.name } : {}),
    ...(s?.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
    ...(s?.deciding?.reason ? { containerReason: s.deciding.reason } : {}),
    ...(attempt?.stoppedReason ? { stoppedReason: attempt.stoppedReason } : {}),
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
            ...(attempt.decision.delaySeconds ? { delaySeconds: attempt.decision.delaySeconds } : {}),
          },
        }
      : {}),
    ...(s?.durationSeconds !== undefined ? { durationSeconds: s.durationSeconds } : {}),
    ...(s?.logLink ? { logLink: s.logLink } : {}),
    ...(attempt?.cost ? { attemptCostUsd: attempt.cost.costUsd } : {}),
    ...(run.costUsd !== undefined ? { costUsd: run.costUsd } : {}),
    ...(run.result !== undefined ? { result: parseResult(run.result) } : {}),
    ...(run.resultError ? { resultError: run.resultError } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    // Fan-out (issue 14): a child names its parent (consumers, `after` and alerts, tell it apart);
    // a parent's final event carries its children by status and the first failed indices.
    ...(run.parent ? { parentRunId: run.parent.runId, childIndex: run.parent.index } : {}),
    ...(run.childCounts ? { children: run.childCounts } : {}),
    ...(run.failedChildren?.length ? { failedChildren: run.failedChildren } : {}),
  };
  return { type, detail };
};

/** The id every publication of one run event carries (`RunEventDetail.eventId`). */
export const runEventId = (runId: string, type: RunEventType, attempt: number): string =>
  `${runId}/${publishKey(type, attempt)}`;

/** The key under which a run records an event it owes ("started#2", "failed#3"). */
export const publishKey = (type: RunEventType, attempt: number): string =>
  `${type.replace(/^Run /, '').toLowerCase().replace(/\s+/g, '-')}#${attempt}`;
