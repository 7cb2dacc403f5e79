/**
 * What the failure policy decides on, from a task event or an attempt record: each container's
 * exit (marked essential or not from the job) and the task's stop code and reason. Pure, so the
 * tracker, the launcher, `longshore explain` and the tests share one reading of an ECS event.
 */
import type { Job } from '../catalog/schema.ts';
import { MAIN_CONTAINER_NAME } from './names.ts';
import type { Attempt, ContainerResult } from './run.ts';

export interface AttemptFacts {
  kind: 'task' | 'launch';
  containers: ContainerResult[];
  stopCode?: string;
  stoppedReason?: string;
  launchFailure?: string;
}

/**
 * A container ECS stopped because another essential one exited: ECS stops the other containers of
 * the task ("If the essential parameter of a container is marked as true, and that container fails
 * or stops for any reason, all other containers that are part of the task are stopped", ECS task
 * definition parameters), with SIGTERM (exit 143) and, after stopTimeout, SIGKILL (137, with no
 * reason: an out-of-memory kill has one).
 */
const stoppedAlongside = (c: ContainerResult): boolean => (c.exitCode === 143 || c.exitCode === 137) && !c.reason;

/**
 * The essential container whose exit decided the attempt: the first one that did not exit 0, except
 * that when an essential container's exit stopped the task, one that ECS stopped alongside it is
 * passed over for the one that exited by itself (a crashed sidecar, not `main`'s 143 after it).
 */
export const decidingContainer = (facts: AttemptFacts): ContainerResult | undefined => {
  const failed = facts.containers.filter((c) => c.essential !== false && c.exitCode !== 0);
  if (failed.length > 1 && facts.stopCode === 'EssentialContainerExited')
    return failed.find((c) => c.exitCode !== undefined && !stoppedAlongside(c)) ?? failed[0];
  return failed[0];
};

/** ECS cuts a container's `reason` at 1,024 characters; so does the attempt record. */
const MAX_REASON = 1024;

/** Marks each container essential or not, from the job (main is always essential). */
export const withEssential = (job: Job | undefined, containers: ContainerResult[]): ContainerResult[] =>
  containers.map((c) => ({
    ...c,
    essential:
      c.name === MAIN_CONTAINER_NAME
        ? true
        : (job?.sidecars.find((s) => s.name === c.name)?.essential ?? c.essential ?? true),
  }));

/** Each container of a task event as an attempt records it (reasons cut to ECS's 1,024 characters). */
export const containerResults = (
  job: Job | undefined,
  containers: readonly { name: string; exitCode?: number; reason?: string }[],
): ContainerResult[] =>
  withEssential(
    job,
    containers.map((c) => ({
      name: c.name,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason.slice(0, MAX_REASON) } : {}),
    })),
  );

/** The facts the policy decides on, straight from a STOPPED task event (explain, tests). */
export const factsFromTaskDetail = (
  job: Job | undefined,
  d: {
    containers: readonly { name: string; exitCode?: number; reason?: string }[];
    stopCode?: string;
    stoppedReason?: string;
  },
): AttemptFacts => ({
  kind: 'task',
  containers: containerResults(job, d.containers),
  ...(d.stopCode ? { stopCode: d.stopCode } : {}),
  ...(d.stoppedReason ? { stoppedReason: d.stoppedReason } : {}),
});

/** The facts the policy decides on, from the attempt as recorded (a launch failure, or a stopped task). */
export const factsFromAttempt = (attempt: Attempt): AttemptFacts =>
  attempt.status === 'LAUNCH_FAILED'
    ? { kind: 'launch', containers: [], ...(attempt.launchFailure ? { launchFailure: attempt.launchFailure } : {}) }
    : {
        kind: 'task',
        containers: attempt.containers ?? [],
        ...(attempt.stopCode ? { stopCode: attempt.stopCode } : {}),
        ...(attempt.stoppedReason ? { stoppedReason: attempt.stoppedReason } : {}),
      };
