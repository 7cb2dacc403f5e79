/**
 * A job's operating state, changed without a redeploy: paused (`longshore jobs pause JOB`) or not.
 * While a job is paused the launcher holds its runs (PAUSED, or SKIPPED in `skip` mode) and its
 * schedules are disabled; `jobs resume` releases the held runs oldest first. The windows a job was
 * paused in are kept for a while so the sweeper does not take a tick a disabled schedule never
 * sent for a missed one (docs/decisions.md, "Pausing a job").
 */

/** `hold`: a paused job's new runs wait as PAUSED; `skip`: they are recorded SKIPPED and never run. */
export const PAUSE_MODES = ['hold', 'skip'] as const;
export type PauseMode = (typeof PAUSE_MODES)[number];

/** A time the job was paused in: from its pause to its resume. */
export interface PauseWindow {
  from: string;
  to: string;
}

export interface JobState {
  job: string;
  paused: boolean;
  /** While paused: how its new runs are held, since when, and who (or what) paused it. */
  mode?: PauseMode;
  pausedAt?: string;
  pausedBy?: string;
  reason?: string;
  /** The last resume. */
  resumedAt?: string;
  /** The recent windows the job was paused in, oldest first (trimmed at each resume). */
  pauses: PauseWindow[];
}

/** How long a past pause window is kept: longer than the sweeper looks back for missed ticks (3 h) plus its grace. */
export const PAUSE_WINDOW_KEEP_SECONDS = 6 * 3600;

/** The windows still worth keeping at `now`, with the one that ends now added. */
export const windowsAfterResume = (state: JobState, now: Date): PauseWindow[] => {
  const keepFrom = new Date(now.getTime() - PAUSE_WINDOW_KEEP_SECONDS * 1000).toISOString();
  const kept = state.pauses.filter((w) => w.to >= keepFrom);
  return state.pausedAt ? [...kept, { from: state.pausedAt, to: now.toISOString() }] : kept;
};

/**
 * Whether a schedule tick due at `scheduledTime` fell while the job was paused (its schedule was
 * disabled, or being disabled): it produced no run on purpose, so it is not a missed tick.
 * A tick within `graceSeconds` after a resume counts too: the schedule is enabled again during the
 * resume, and a tick due meanwhile may not be sent.
 */
export const pausedAtTime = (state: JobState | undefined, scheduledTime: string, graceSeconds = 60): boolean => {
  if (!state) return false;
  if (state.paused && state.pausedAt && scheduledTime >= state.pausedAt) return true;
  const t = Date.parse(scheduledTime);
  return state.pauses.some((w) => t >= Date.parse(w.from) && t <= Date.parse(w.to) + graceSeconds * 1000);
};

/**
 * Where a rate schedule's next tick is counted from: its last tick, or the last resume when that is
 * later (a disabled schedule sent nothing, so the gap since its last tick is no miss).
 */
export const rateTickReference = (lastTick: string, state: JobState | undefined): string =>
  state?.resumedAt && state.resumedAt > lastTick ? state.resumedAt : lastTick;
