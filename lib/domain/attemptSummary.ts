/**
 * What decided an attempt, in one answer for the alert, the run events, `runs show`, the metrics
 * and the cost estimate: did the task start, which container decided (with its exit code, reason
 * and log stream), how long it ran, and whether it costs anything.
 *
 * ECS semantics this rests on:
 * - `startedAt` is "the time when the task transitioned from the PENDING state to the RUNNING
 *   state" (ECS API reference, Task). A task that could not pull its image or read its secrets
 *   stops with stop code `TaskFailedToStart` and no `startedAt` (events/ecs-task-stopped-pull-failure.json,
 *   ecs-task-stopped-secrets-failure.json).
 * - A container with an exit code ran, so its task started even if `startedAt` is missing (a
 *   DescribeTasks answer the sweeper reconciles with may lack it).
 * - The awslogs driver creates a container's stream `<prefix>/<container>/<task id>` when the
 *   container starts: a task that never started has no stream to link to.
 */
import type { Job } from '../catalog/schema.ts';
import { decidingContainer as policyDecidingContainer } from './attemptFacts.ts';
import { logLink, logStreamName, parseTaskArn } from './logLink.ts';
import { jobLogGroup } from './names.ts';
import type { ContainerResult, RetryCounts } from './run.ts';
import { LOST_REASON_PREFIX } from './stopReasons.ts';

/** The part of an attempt record (or of a task event) the summary reads. */
export interface AttemptRecord {
  status?: string;
  taskArn?: string;
  taskCreatedAt?: string;
  startedAt?: string;
  stoppedAt?: string;
  stopCode?: string;
  stoppedReason?: string;
  launchFailure?: string;
  containers?: readonly ContainerResult[];
  /** As recorded: used only when no log target is given (the job left the catalog). */
  logLink?: string;
}

/** Where a job's containers log: every container of a task shares the group and the prefix. */
export interface LogTarget {
  group: string;
  streamPrefix: string;
}

export interface DecidingContainer {
  name: string;
  exitCode?: number;
  reason?: string;
}

export interface AttemptSummary {
  /** ECS started the task: it reached RUNNING, or a container exited. */
  started: boolean;
  /** The attempt is over: its task stopped, or RunTask refused to create one. */
  ended: boolean;
  /** A task exists (RunTask created one); false when the launch itself was refused. */
  hasTask: boolean;
  /**
   * The container whose exit (or, with no exit code, whose reason) the policy decided on; `main`
   * for a success. None when there is no task or the task reported no containers.
   */
  deciding?: DecidingContainer;
  /** The deciding container's exit code, if it has one. */
  exitCode?: number;
  /** The deciding container's reason, else the task's stopped reason, else the launch failure. */
  reason?: string;
  /** The deciding container's log stream; none if the task never started. */
  logStream?: string;
  logLink?: string;
  /** From start to stop; none if the task never started, has not stopped, or its stop is unknown. */
  durationSeconds?: number;
  /** The estimate charges only a task that started (see docs/decisions.md, "What decided"). */
  costApplies: boolean;
}

/** The job's log target: its own log group setting, else `/longshore/<stage>/<job>`. */
export const logTargetOf = (stage: string, job: Pick<Job, 'name' | 'container'>): LogTarget => ({
  group: job.container.logs.group ?? jobLogGroup(stage, job.name),
  streamPrefix: job.container.logs.streamPrefix,
});

const secondsBetween = (from: string | undefined, to: string | undefined): number | undefined => {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms / 1000)) : undefined;
};

/**
 * The policy's deciding container (lib/domain/attemptFacts.ts: the first essential one that did not
 * exit 0, passing over one ECS stopped because another essential one exited), except that
 * among containers with no exit code the one ECS gave a reason for is named (e.g. the sidecar
 * whose image could not be pulled); for a success, `main`.
 */
const decidingOf = (
  containers: readonly ContainerResult[],
  stopCode: string | undefined,
): ContainerResult | undefined => {
  const essential = containers.filter((c) => c.essential !== false);
  const failed = policyDecidingContainer({
    kind: 'task',
    containers: [...containers],
    ...(stopCode ? { stopCode } : {}),
  });
  if (failed) {
    if (failed.exitCode !== undefined || failed.reason) return failed;
    return essential.find((c) => c.exitCode === undefined && c.reason) ?? failed;
  }
  return containers.find((c) => c.name === 'main') ?? essential[0] ?? containers[0];
};

/**
 * Summarizes an attempt from its record (or from one task event's facts).
 *
 * @example summarizeAttempt({ status: 'STOPPED', stopCode: 'TaskFailedToStart', containers: [{ name: 'main' }] }).started // false
 */
export const summarizeAttempt = (a: AttemptRecord, logs?: LogTarget): AttemptSummary => {
  const containers = a.containers ?? [];
  const launchRefused = a.status === 'LAUNCH_FAILED' || (a.launchFailure !== undefined && !a.taskArn);
  const hasTask = !launchRefused && a.taskArn !== undefined;
  const ended = launchRefused || a.status === 'STOPPED' || a.stoppedAt !== undefined;
  const started = !launchRefused && (a.startedAt !== undefined || containers.some((c) => c.exitCode !== undefined));
  const c = launchRefused ? undefined : decidingOf(containers, a.stopCode);
  const deciding = c
    ? {
        name: c.name,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
      }
    : undefined;
  const reason = deciding?.reason ?? a.stoppedReason ?? a.launchFailure;
  const taskId = a.taskArn ? parseTaskArn(a.taskArn)?.taskId : undefined;
  const streamOf = started && deciding && taskId && logs;
  const link = streamOf
    ? logLink(a.taskArn as string, logs.group, logs.streamPrefix, deciding.name)
    : !logs && started
      ? a.logLink
      : undefined;
  // A lost task's stop time is when the sweeper noticed, not when it stopped: no duration.
  const lost = (a.stoppedReason ?? '').startsWith(LOST_REASON_PREFIX);
  const durationSeconds = started && !lost ? secondsBetween(a.startedAt ?? a.taskCreatedAt, a.stoppedAt) : undefined;
  return {
    started,
    ended,
    hasTask,
    ...(deciding ? { deciding } : {}),
    ...(deciding?.exitCode !== undefined ? { exitCode: deciding.exitCode } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(streamOf ? { logStream: logStreamName(logs.streamPrefix, deciding.name, taskId) } : {}),
    ...(link ? { logLink: link } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    costApplies: started,
  };
};

/** The facts of one ECS task event, as `summarizeAttempt` reads them (the tracker's view). */
export interface TaskEventFacts {
  taskArn: string;
  lastStatus: string;
  createdAt?: string;
  startedAt?: string;
  stoppedAt?: string;
  stopCode?: string;
  stoppedReason?: string;
}

/**
 * Summarizes one task event, with its containers already marked essential or not.
 *
 * @example summarizeTaskEvent(detail, containerResults(job, detail.containers), logTargetOf(stage, job)).logLink
 */
export const summarizeTaskEvent = (
  d: TaskEventFacts,
  containers: readonly ContainerResult[],
  logs?: LogTarget,
): AttemptSummary =>
  summarizeAttempt(
    {
      ...(d.lastStatus === 'STOPPED' ? { status: 'STOPPED' } : {}),
      taskArn: d.taskArn,
      ...(d.createdAt !== undefined ? { taskCreatedAt: d.createdAt } : {}),
      ...(d.startedAt !== undefined ? { startedAt: d.startedAt } : {}),
      ...(d.stoppedAt !== undefined ? { stoppedAt: d.stoppedAt } : {}),
      ...(d.stopCode !== undefined ? { stopCode: d.stopCode } : {}),
      ...(d.stoppedReason !== undefined ? { stoppedReason: d.stoppedReason } : {}),
      containers,
    },
    logs,
  );

/**
 * The m of "attempt n of m": the attempts the run has had plus the application retries it has
 * not used (`policy.retries` minus those spent), i.e. the most attempts it reaches if every further
 * failure is an application error. Retries that do not count against `policy.retries`
 * (infrastructure, Spot, bigger memory, rules with their own budget) are already in n once taken;
 * a failure the policy does not retry (a configuration error, memory at its cap) ends the run
 * before m.
 *
 * @example attemptsAllowed({ retries: 2 }, { attempt: 1, retries: { app: 0, infra: 0, rules: {} } }) // 3
 */
export const attemptsAllowed = (
  policy: { retries: number },
  run: { attempt: number; retries: Pick<RetryCounts, 'app'> },
): number => run.attempt + Math.max(0, policy.retries - run.retries.app);
