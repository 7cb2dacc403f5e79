/**
 * `longshore jobs pause JOB` / `jobs resume JOB`, without a redeploy (docs/decisions.md, "Pausing a
 * job"). A pause records the job's state in the table (the launcher reads it before every launch
 * and holds the job's runs: PAUSED, or SKIPPED in `skip` mode) and disables the job's Scheduler
 * schedules; a resume records the job running again, releases its PAUSED runs oldest first and
 * enables the schedules again. Every step is idempotent, so a command repeated after a crash (or a
 * timeout) finishes what the first one began, and never launches a run twice: a release is a
 * conditional write PAUSED -> QUEUED, and the launcher takes each attempt once.
 */
import { findJob } from './catalog/active.ts';
import type { Job } from './catalog/schema.ts';
import type { JobState, PauseMode } from './domain/jobState.ts';
import { scheduleGroupName, scheduleName } from './domain/names.ts';
import type { Run } from './domain/run.ts';
import { logger } from './logger.ts';
import type { CoreDeps, PauseDeps, ScheduleStateChange } from './ports.ts';
import { dispatchQueued } from './runLifecycle.ts';

/** One schedule a pause or a resume changed, or found as it should be, or found missing. */
export interface ScheduleChange {
  schedule: string;
  result: ScheduleStateChange;
}

export interface PauseResult {
  action: 'pause';
  job: string;
  /** False when the job was paused that way already (a repeated command). */
  changed: boolean;
  state: JobState;
  schedules: ScheduleChange[];
}

export interface ResumeResult {
  action: 'resume';
  job: string;
  /** False when the job was not paused (a repeated command: the release still runs, to finish one that died). */
  changed: boolean;
  state: JobState;
  /** The runs released, oldest first. */
  released: string[];
  /** More PAUSED runs than one resume releases: the next resume (or the sweeper) releases them. */
  more: boolean;
  schedules: ScheduleChange[];
}

/** How many PAUSED runs one release reads at a time, and at most how many it releases. */
const RELEASE_PAGE = 100;
export const MAX_RELEASE = 500;

/** The job's schedules the catalog has enabled: a pause disables them, a resume enables them again. */
const schedulesOf = (stage: string, job: Job): string[] =>
  job.triggers.flatMap((t, i) => (t.type === 'schedule' && t.enabled ? [scheduleName(stage, job.name, i)] : []));

const setSchedules = async (deps: PauseDeps, job: Job, enabled: boolean): Promise<ScheduleChange[]> => {
  const group = scheduleGroupName(deps.settings.stage);
  const out: ScheduleChange[] = [];
  for (const schedule of schedulesOf(deps.settings.stage, job)) {
    const result = await deps.schedules.setEnabled(group, schedule, enabled);
    if (result === 'missing') logger.warn('Schedule not found in Scheduler (is the stage deployed?)', { schedule });
    out.push({ schedule, result });
  }
  return out;
};

/**
 * @example await pauseJob(deps, { job: 'nightly-report', mode: 'hold', by: 'alice' })
 */
export const pauseJob = async (
  deps: PauseDeps,
  request: { job: string; mode: PauseMode; by?: string; reason?: string },
): Promise<PauseResult> => {
  const job = findJob(request.job, deps.catalog());
  const { changed, state } = await deps.store.pauseJob(
    job.name,
    {
      mode: request.mode,
      ...(request.by ? { by: request.by } : {}),
      ...(request.reason ? { reason: request.reason } : {}),
    },
    deps.now(),
  );
  logger.info(changed ? 'Job paused' : 'Job was paused already', { job: job.name, mode: request.mode });
  // After the state: a schedule disabled before it would lose a tick with nothing saying why.
  const schedules = await setSchedules(deps, job, false);
  return { action: 'pause', job: job.name, changed, state, schedules };
};

/**
 * The job's PAUSED runs back to QUEUED, oldest first, each by a conditional write (a second release
 * finds it QUEUED and leaves it): a job with a concurrency limit gets them as runs waiting for a
 * slot, which the slot dispatch then sends oldest first as slots free; any other job's go to the
 * launcher at once, in that order. Queued runs a release made earlier are sent again (their
 * messages may have been lost with a release that died before sending them; the launcher takes each
 * attempt once). Also the sweeper's repair of a resume that died before its release.
 *
 * @example const { released } = await releasePaused(deps, job);
 */
export const releasePaused = async (deps: CoreDeps, job: Job): Promise<{ released: string[]; more: boolean }> => {
  const limited = job.maxConcurrent !== undefined;
  const released: Run[] = [];
  let more = false;
  for (;;) {
    const page = await deps.store.pausedRuns(job.name, RELEASE_PAGE);
    let moved = 0;
    for (const run of page) {
      if (released.length >= MAX_RELEASE) {
        more = true;
        break;
      }
      const now = deps.now();
      const queued = await deps.store.transition(
        run,
        {
          from: ['PAUSED'],
          attempt: run.attempt,
          to: 'QUEUED',
          set: { releasedAt: now.toISOString(), ...(limited ? { waitingForSlot: true } : {}) },
          remove: ['pausedAt', 'dispatchedAt'],
        },
        now,
      );
      if (queued) {
        released.push(queued);
        moved++;
      }
    }
    // A short page is the last; a page of runs that moved on meanwhile (the index lags) ends it too.
    if (more || page.length < RELEASE_PAGE || moved === 0) break;
  }
  if (limited) {
    await dispatchQueued(deps, job);
  } else {
    const nowIso = deps.now().toISOString();
    const ids = new Set(released.map((r) => r.runId));
    const earlier = (await deps.store.queuedRuns(job.name, RELEASE_PAGE)).filter(
      (r) =>
        !ids.has(r.runId) && r.releasedAt !== undefined && !r.waitingForSlot && (!r.notBefore || r.notBefore <= nowIso),
    );
    await deps.queue.enqueue([...released, ...earlier].map((r) => ({ runId: r.runId, attempt: r.attempt })));
  }
  if (released.length > 0) logger.info('Released paused runs', { job: job.name, released: released.length, more });
  return { released: released.map((r) => r.runId), more };
};

/**
 * @example await resumeJob(deps, { job: 'nightly-report' })
 */
export const resumeJob = async (deps: PauseDeps, request: { job: string; by?: string }): Promise<ResumeResult> => {
  const job = findJob(request.job, deps.catalog());
  // The state first: a run released while the job still read as paused would be held again.
  const { changed, state } = await deps.store.resumeJob(job.name, deps.now());
  logger.info(changed ? 'Job resumed' : 'Job was not paused', { job: job.name, by: request.by });
  // Paused again meanwhile (a pause won the race): its runs stay held, its schedules disabled.
  if (state.paused)
    return { action: 'resume', job: job.name, changed, state, released: [], more: false, schedules: [] };
  const { released, more } = await releasePaused(deps, job);
  // Last: the held runs go out whatever Scheduler answers; a failure here is retried by resuming again.
  const schedules = await setSchedules(deps, job, true);
  return { action: 'resume', job: job.name, changed, state, released, more, schedules };
};
