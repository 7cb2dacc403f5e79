/**
 * Runs across jobs, newest first, filtered (lib/domain/runFilter.ts), a page at a time: what the
 * console's Runs page shows, over any backend's store reads (the local store, the running flow, a
 * stage's table). The store lists one job's runs newest first (the `byJob` index); this merges the
 * jobs' lists and keeps, per job, where it stopped (the store's page and how many of it were
 * taken), so the next page continues exactly there. A filter the index cannot apply is applied
 * here, within a budget of runs read per page: a page may come back short with a cursor, and says
 * how far back it searched, rather than reading a whole history to fill one page.
 *
 * Runs that are not final are read from the sparse `active` index instead, when the filter asks
 * only for such statuses: that index holds exactly them, however long the history is.
 */
import { ACTIVE_STATUSES, FINAL_STATUSES, type Run } from '../domain/run.ts';
import { type RunFilter, runMatches } from '../domain/runFilter.ts';
import type { RunStore } from '../ports.ts';

/** The store reads the console uses; every backend has them. */
export type RunReader = Pick<
  RunStore,
  'runsOfJob' | 'activeRuns' | 'queuedRuns' | 'slotHolders' | 'getHistory' | 'getJobState' | 'childTally'
>;

/** Where a listing stopped. */
export type RunCursor =
  /**
   * Per job still to read: the store page the next run is in, and the sort key of the last run
   * taken from it (a run that arrived since is newer, and so skipped too: no page repeats a run).
   */
  | { kind: 'history'; jobs: Record<string, JobPosition> }
  /** Active runs: the sort key (`createdAt#runId`) of the last run shown. */
  | { kind: 'active'; before: string };

export interface RunQuery {
  jobs: readonly string[];
  filter: RunFilter;
  limit: number;
  cursor?: RunCursor;
  /** At most this many runs read per page when a filter drops some (default 2,000). */
  scanBudget?: number;
}

export interface RunListing {
  runs: Run[];
  /** There may be more: continue here. */
  cursor?: RunCursor;
  /** Runs read to make this page. */
  scanned: number;
  /** The page stopped at the scan budget: older matches may follow. */
  budgetSpent: boolean;
  /** The creation time of the oldest run read (how far back this page searched). */
  searchedBack?: string;
}

/** How many runs one store page asks for. */
const STORE_PAGE = 100;
export const DEFAULT_SCAN_BUDGET = 2000;

/** The `byJob` index's order: creation time, then run id. */
const sortKey = (r: Pick<Run, 'createdAt' | 'runId'>): string => `${r.createdAt}#${r.runId}`;
const newestFirst = (a: Run, b: Run): number => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0);

const activeOnly = (f: RunFilter): boolean =>
  (f.statuses?.length ?? 0) > 0 && (f.statuses ?? []).every((s) => ACTIVE_STATUSES.includes(s));

const listActive = async (reader: RunReader, q: RunQuery): Promise<RunListing> => {
  const lists = await Promise.all(q.jobs.map((job) => reader.activeRuns(job)));
  const read = lists.flat();
  const before = q.cursor?.kind === 'active' ? q.cursor.before : undefined;
  const all = read
    .filter((r) => runMatches(r, q.filter) && (before === undefined || sortKey(r) < before))
    .sort(newestFirst);
  const runs = all.slice(0, q.limit);
  const last = runs.at(-1);
  return {
    runs,
    ...(all.length > q.limit && last ? { cursor: { kind: 'active', before: sortKey(last) } } : {}),
    scanned: read.length,
    budgetSpent: false,
  };
};

export interface JobPosition {
  page?: string;
  after?: string;
}

interface JobState {
  job: string;
  /** The cursor the buffer's store page was read with. */
  page?: string;
  /** The sort key of the last run taken. */
  after?: string;
  buffer: Run[];
  /** The store's cursor after the buffer's page; undefined when it was the last page. */
  next?: string;
}

/**
 * One page of runs across jobs, newest first.
 *
 * @example await listRuns(reader, { jobs: ['thumbnails', 'csv-ingest'], filter: { statuses: ['FAILED'] }, limit: 50 })
 */
export const listRuns = async (reader: RunReader, q: RunQuery): Promise<RunListing> => {
  if (activeOnly(q.filter)) return listActive(reader, q);
  const budget = q.scanBudget ?? DEFAULT_SCAN_BUDGET;
  const from = q.cursor?.kind === 'history' ? q.cursor.jobs : undefined;
  const states: JobState[] = q.jobs.flatMap((job) => {
    if (!from) return [{ job, buffer: [] }];
    const at = from[job];
    return at
      ? [{ job, ...(at.page ? { page: at.page } : {}), ...(at.after ? { after: at.after } : {}), buffer: [] }]
      : [];
  });
  const load = async (s: JobState): Promise<void> => {
    const page = await reader.runsOfJob(s.job, {
      limit: STORE_PAGE,
      ...(q.filter.since ? { since: q.filter.since } : {}),
      ...(s.page ? { cursor: s.page } : {}),
    });
    const after = s.after;
    s.buffer = after === undefined ? page.runs : page.runs.filter((r) => sortKey(r) < after);
    s.next = page.cursor;
  };
  /** Moves a job whose buffer ran out to its next store page. */
  const refill = async (s: JobState): Promise<void> => {
    while (s.buffer.length === 0 && s.next) {
      s.page = s.next;
      await load(s);
    }
  };
  await Promise.all(states.map(load));
  const runs: Run[] = [];
  let scanned = 0;
  let searchedBack: string | undefined;
  for (;;) {
    await Promise.all(states.filter((s) => s.buffer.length === 0 && s.next).map(refill));
    let pick: JobState | undefined;
    for (const s of states) {
      const head = s.buffer[0];
      if (head && (!pick || sortKey(head) > sortKey(pick.buffer[0] as Run))) pick = s;
    }
    if (!pick || runs.length >= q.limit || scanned >= budget) break;
    const run = pick.buffer.shift() as Run;
    pick.after = sortKey(run);
    scanned++;
    searchedBack = run.createdAt;
    if (runMatches(run, q.filter)) runs.push(run);
  }
  const rest = states.filter((s) => s.buffer.length > 0 || s.next);
  const jobs: Record<string, JobPosition> = {};
  for (const s of rest) {
    const page = s.buffer.length > 0 ? s.page : s.next;
    jobs[s.job] = { ...(page ? { page } : {}), ...(s.after ? { after: s.after } : {}) };
  }
  return {
    runs,
    ...(rest.length > 0 ? { cursor: { kind: 'history', jobs } } : {}),
    scanned,
    budgetSpent: scanned >= budget && runs.length < q.limit && rest.length > 0,
    ...(searchedBack ? { searchedBack } : {}),
  };
};

/** The most runs per job a window's figures are made of (the console's Jobs page, `runs list --summary`). */
export const STATS_RUNS = 5000;

/**
 * A job's runs created since `since`, newest first, up to `STATS_RUNS`; `capped` when there were
 * more (the figures then say so), so a long history costs a bounded read.
 */
export const runsInWindow = async (
  reader: Pick<RunReader, 'runsOfJob'>,
  job: string,
  since: string,
): Promise<{ runs: Run[]; capped: boolean }> => {
  const runs: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.runsOfJob(job, {
      since,
      limit: Math.min(1000, STATS_RUNS - runs.length),
      ...(cursor ? { cursor } : {}),
    });
    runs.push(...page.runs);
    cursor = page.cursor;
  } while (cursor && runs.length < STATS_RUNS);
  return { runs, capped: cursor !== undefined };
};

/**
 * Runs created within this long before a read may still appear after it: a run's `createdAt` is
 * the clock of the Lambda that created it, and a listing can miss a run whose write had not landed.
 */
const LATE_RUN_SECONDS = 300;
/** More active runs than this in one job: read the window in full instead. */
const MAX_ACTIVE = 1000;

/** The reads the cache makes: a job's runs since a time, the active ones (the sparse index), one run. */
export interface WindowReader {
  runsOfJob: RunReader['runsOfJob'];
  runs(query: RunQuery): Promise<RunListing>;
  history(runId: string): Promise<{ run: Run } | undefined>;
}

interface CachedJob {
  /** Every run read since `coveredFrom`, by id: final ones never change (a final status is never left). */
  runs: Map<string, Run>;
  coveredFrom: string;
  /** Runs created since this may not have been seen yet: read them again. */
  readFrom: string;
}

/**
 * A console process's memory of the runs it has read, per job: the Jobs page is loaded again and
 * again over the same windows, and a final run never changes. So a load after the first reads the
 * runs created since a few minutes before the last load, the job's active runs (the sparse active
 * index, which holds exactly them), and each run that was active last time and is not any more
 * (now final): not the whole window again. The figures stay exact.
 */
export class FinalRunCache {
  private readonly jobs = new Map<string, CachedJob>();

  constructor(private readonly now: () => Date) {}

  /**
   * The job's runs created since `since`, newest first, up to STATS_RUNS (`capped` beyond), as
   * runsInWindow gives them; `read`: the runs read from the store to answer.
   */
  async runsInWindow(
    reader: WindowReader,
    job: string,
    since: string,
  ): Promise<{ runs: Run[]; capped: boolean; read: number }> {
    const readFrom = new Date(this.now().getTime() - LATE_RUN_SECONDS * 1000).toISOString();
    const cached = this.jobs.get(job);
    if (!cached || cached.coveredFrom > since) {
      const all = await runsInWindow(reader, job, since);
      if (all.capped) this.jobs.delete(job);
      else this.jobs.set(job, { runs: new Map(all.runs.map((r) => [r.runId, r])), coveredFrom: since, readFrom });
      return { ...all, read: all.runs.length };
    }
    const fresh = await runsInWindow(reader, job, cached.readFrom);
    const active = await reader.runs({ jobs: [job], filter: { statuses: ACTIVE_STATUSES, since }, limit: MAX_ACTIVE });
    if (fresh.capped || active.cursor) {
      this.jobs.delete(job);
      return this.runsInWindow(reader, job, since);
    }
    const runs = cached.runs;
    let read = fresh.runs.length + active.runs.length;
    for (const r of [...fresh.runs, ...active.runs]) runs.set(r.runId, r);
    const seen = new Set([...fresh.runs, ...active.runs].map((r) => r.runId));
    // Active last time, not now: it ended since (or expired), so read it once more.
    for (const r of [...runs.values()]) {
      if (seen.has(r.runId) || FINAL_STATUSES.includes(r.status)) continue;
      const h = await reader.history(r.runId);
      read++;
      if (h) runs.set(r.runId, h.run);
      else runs.delete(r.runId);
    }
    this.jobs.set(job, { runs, coveredFrom: cached.coveredFrom, readFrom });
    const inWindow = [...runs.values()]
      .filter((r) => r.createdAt >= since)
      .sort((a, b) =>
        a.createdAt === b.createdAt ? b.runId.localeCompare(a.runId) : b.createdAt.localeCompare(a.createdAt),
      );
    return { runs: inWindow.slice(0, STATS_RUNS), capped: inWindow.length > STATS_RUNS, read };
  }
}
