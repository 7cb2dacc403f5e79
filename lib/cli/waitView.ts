/**
 * `trigger --wait` and `runs retry --wait` as they happen: one line per change of the run or of one
 * of its attempts, in the shape of the live log of `longshore up` (lib/cli/flowView.ts), from the
 * run's history as the backend reads it again and again (the same for the local store, the running
 * flow and a deployed stage).
 */
import { MAIN_CONTAINER_NAME } from '../domain/names.ts';
import type { Attempt } from '../domain/run.ts';
import type { RunHistory } from './backends.ts';
import type { Output } from './Output.ts';

const stateOf = (a: Attempt): string => `${a.status}|${a.decision?.action ?? ''}`;

const attemptDetail = (a: Attempt): string => {
  if (a.status === 'STOPPED' || a.status === 'LAUNCH_FAILED') {
    const main = a.containers?.find((c) => c.name === MAIN_CONTAINER_NAME);
    const exit = main?.exitCode !== undefined ? `exit ${main.exitCode}` : (a.stopCode ?? a.launchFailure ?? '');
    return `${exit}${a.decision ? ` -> ${a.decision.action} [${a.decision.rule}] ${a.decision.diagnosis}` : ''}`;
  }
  if (a.status === 'RUNNING') return a.taskArn?.split('/').pop() ?? '';
  return `${a.capacityProvider}`;
};

/**
 * Prints what changed between two readings of a run's history (all of it when there was none
 * before); answers the lines printed, for the next comparison nothing needs keeping but `next`.
 */
export const printTransitions = (
  out: Output,
  previous: RunHistory | undefined,
  next: RunHistory,
  time: () => string = () => new Date().toISOString().slice(11, 19),
): void => {
  const line = (label: string, state: string, detail: string) =>
    out.line(`${out.c.dim(time())}  ${next.run.runId} ${label.padEnd(3)} ${out.status(state, 10)} ${detail}`.trimEnd());
  const before = new Map((previous?.attempts ?? []).map((a) => [a.attempt, stateOf(a)]));
  for (const a of next.attempts)
    if (before.get(a.attempt) !== stateOf(a)) line(`#${a.attempt}`, a.status, attemptDetail(a));
  if (previous?.run.status !== next.run.status)
    line(
      'run',
      next.run.status,
      next.run.status === 'QUEUED' && next.run.waitingForSlot
        ? 'waiting for a concurrency slot'
        : next.run.status === 'QUEUED' && next.run.notBefore
          ? `not before ${next.run.notBefore}`
          : (next.run.reason ?? ''),
    );
};
