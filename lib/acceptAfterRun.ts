/**
 * A finished run starts the jobs that run after it (issue 14, section 3). The run event names the
 * run; the store holds its truth (status, trigger, outcome): the event is only the signal, so a
 * forged or stale detail cannot change what the downstream task gets. Each downstream run's id
 * derives from the upstream run id and its own job, and acceptRuns creates it with a conditional
 * write: a redelivered event, or a crash between two creations, gives one run per job, never two.
 */
import { type AcceptedRun, acceptRuns } from './acceptRuns.ts';
import type { FinishedRun } from './contracts/runEvents.ts';
import { followersOf, upstreamOf, withoutResult } from './domain/afterMatch.ts';
import { newRun } from './domain/newRun.ts';
import { isFinal, type Run } from './domain/run.ts';
import { OVERRIDES_LIMIT, worstCaseOverridesSize } from './domain/taskRequest.ts';
import { RequestRejectedError } from './errors.ts';
import { logger } from './logger.ts';
import type { CoreDeps } from './ports.ts';

export interface AfterRunResult {
  upstream: string;
  /** Another stage's event (the rule filters on stage; a hand-made event may not): nothing starts. */
  foreign?: boolean;
  /** A fan-out child: counted on its parent (lib/tallyChild.ts); nothing runs after a child. */
  child?: unknown;
  runs: AcceptedRun[];
}

/**
 * @example await acceptAfterRun(deps, parseFinishedRunEvent(event))
 */
export const acceptAfterRun = async (
  deps: CoreDeps,
  finished: FinishedRun,
  tallyChild?: (child: Run) => Promise<unknown>,
): Promise<AfterRunResult> => {
  if (finished.stage !== deps.settings.stage) {
    logger.info('Run event of another stage ignored', { stage: finished.stage, runId: finished.runId });
    return { upstream: finished.runId, foreign: true, runs: [] };
  }
  const run = await deps.store.getRun(finished.runId);
  // The run is final in the store before its event is published (finishRun), so either of these is
  // an event that is not ours to act on: rejected loudly, into the events dead-letter queue.
  if (!run)
    throw new RequestRejectedError(`run ${finished.runId} (${finished.job}) is not in the run store of this stage`);
  if (!isFinal(run.status) || run.job !== finished.job)
    throw new RequestRejectedError(
      `run ${finished.runId} is ${run.status} of job ${run.job} in the store, not a finished run of ${finished.job}`,
    );
  // Fan-out (issue 14): a child's end is counted on its parent; `after` waits for the parent's own
  // final event (fan-in), never a child's.
  if (run.parent) return { upstream: run.runId, runs: [], child: tallyChild ? await tallyChild(run) : undefined };
  const upstream = upstreamOf(run);
  const followers = followersOf(deps.catalog(), upstream);
  if (followers.length === 0) logger.debug('Finished run starts no job', { runId: run.runId, status: run.status });
  const runs = await acceptRuns(
    deps,
    followers.map(({ job, triggerIndex }) => {
      const trigger = { type: 'after' as const, upstream, triggerIndex };
      // The upstream's result goes in the task's environment only where RunTask's overrides have
      // room for it on the downstream's worst retry; else the task is told to read it from the run.
      const fits =
        upstream.result === undefined ||
        worstCaseOverridesSize(deps.settings.stage, job, newRun({ job, trigger }, deps.now())) <= OVERRIDES_LIMIT;
      return { job, trigger: fits ? trigger : { ...trigger, upstream: withoutResult(upstream) } };
    }),
  );
  return { upstream: run.runId, runs };
};
