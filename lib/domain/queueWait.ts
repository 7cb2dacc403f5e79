/**
 * Why a queued run has not started, from what the store records (the console's Runs and Run pages):
 * a retry's back-off (`notBefore`), the job's concurrency slots all held (by which runs), its place
 * in the job's line (queued runs start oldest first: invariant 6), and a launch that keeps being
 * given back (throttling or no capacity: the attempt's `launchTries` and `lastLaunchError`).
 * Pure: the caller reads the slots and the line.
 */
import type { Attempt, Run } from './run.ts';

export interface QueueWait {
  /** The retry back-off: the run may not launch before this time (still in the future). */
  backoffUntil?: string;
  /** All `maxConcurrent` slots are taken: by these runs. */
  slotsFull?: { max: number; holders: string[] };
  /**
   * 1 for the next run to start; `of` is how many of the job's runs are queued, `more` when there
   * may be more than were read; `beyond` when the run is further back than the runs read.
   */
  place?: { position: number; of: number; more: boolean } | { beyond: number };
  /** The launcher tried and gave the attempt back (throttled, no capacity), with its last error. */
  launch?: { tries: number; lastError?: string };
}

export interface QueueFacts {
  /** The job's `maxConcurrent`, if the job is still in the catalog. */
  maxConcurrent?: number;
  /** Runs holding the job's slots. */
  holders: readonly { runId: string }[];
  /** The job's queued runs, oldest first, as far as they were read (`limit`). */
  queue: readonly Pick<Run, 'runId'>[];
  limit: number;
  now: Date;
  /** The run's current attempt, when it was read (the Run page). */
  attempt?: Pick<Attempt, 'launchTries' | 'lastLaunchError' | 'status'>;
}

/**
 * What keeps a QUEUED run waiting; undefined for any other status.
 *
 * @example queueWait(run, { maxConcurrent: 1, holders: [{ runId: 'a' }], queue: [run], limit: 100, now })
 */
export const queueWait = (run: Run, f: QueueFacts): QueueWait | undefined => {
  if (run.status !== 'QUEUED') return undefined;
  const index = f.queue.findIndex((r) => r.runId === run.runId);
  const more = f.queue.length >= f.limit;
  const held = f.holders.filter((h) => h.runId !== run.runId).map((h) => h.runId);
  const full = f.maxConcurrent !== undefined && held.length >= f.maxConcurrent;
  const tries = f.attempt?.status === 'LAUNCHING' ? (f.attempt.launchTries ?? 0) : 0;
  return {
    ...(run.notBefore && Date.parse(run.notBefore) > f.now.getTime() ? { backoffUntil: run.notBefore } : {}),
    ...(full || run.waitingForSlot ? { slotsFull: { max: f.maxConcurrent ?? held.length, holders: held } } : {}),
    ...(index >= 0
      ? { place: { position: index + 1, of: f.queue.length, more } }
      : more
        ? { place: { beyond: f.limit } }
        : {}),
    ...(tries > 0 && f.attempt?.lastLaunchError
      ? { launch: { tries, lastError: f.attempt.lastLaunchError } }
      : tries > 1
        ? { launch: { tries } }
        : {}),
  };
};
