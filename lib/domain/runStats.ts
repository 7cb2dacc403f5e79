/**
 * A job's runs over a window, in figures an operator reads at a glance (the console's Jobs page):
 * how many, how many succeeded, how long they took (p50/p95), how often they were retried and on
 * which budget, and the same counts per time bucket for a small chart. Pure: the caller reads the
 * runs and says what the window is.
 *
 * - Success rate: SUCCEEDED over the runs that ended by themselves (SUCCEEDED, FAILED, TIMED_OUT);
 *   a cancelled run or a skipped tick says nothing about the job's health.
 * - Duration: from the run's creation to its end (what a person waiting for it sees: queue,
 *   every attempt and the back-off between them), for the runs that ended by themselves.
 * - Retries by class: the budgets the policy spends (lib/domain/policy.ts): application retries
 *   (`policy.retries`), infrastructure retries (Spot, retirement, lost tasks, start failures), and
 *   each rule that has a budget of its own, by rule name.
 */
import type { Run, RunStatus } from './run.ts';

/** The statuses a run reaches by itself, without an operator or an overlap policy. */
export const SETTLED_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT'];

export interface StatsBucket {
  /** Start of the bucket (inclusive), ISO 8601. */
  from: string;
  succeeded: number;
  failed: number;
  /** Active, cancelled or skipped. */
  other: number;
}

export interface RunStats {
  runs: number;
  byStatus: Partial<Record<RunStatus, number>>;
  /** SUCCEEDED / (SUCCEEDED + FAILED + TIMED_OUT); undefined when none of them ended by itself. */
  successRate?: number;
  p50Seconds?: number;
  p95Seconds?: number;
  retries: { application: number; infrastructure: number; rules: Record<string, number> };
  buckets: StatsBucket[];
  /** A recorded cost (issue 13 records one per attempt); undefined while no run carries one. */
  costUsd?: number;
}

/**
 * The value at or below which `p` of the values fall (nearest rank): p50 of [1, 2, 3, 4] is 2.
 *
 * @example percentile([5, 1, 3], 0.5) // 3
 */
export const percentile = (values: readonly number[], p: number): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1];
};

/** Seconds from creation to finish, for a run that ended by itself with both times known. */
export const runDurationSeconds = (run: Pick<Run, 'status' | 'createdAt' | 'finishedAt'>): number | undefined => {
  if (!SETTLED_STATUSES.includes(run.status) || !run.finishedAt) return undefined;
  const ms = Date.parse(run.finishedAt) - Date.parse(run.createdAt);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
};

/**
 * Figures for the runs created in [from, to), counted into `bucketCount` equal buckets.
 *
 * @example summarizeRuns(runs, { from: new Date('2026-11-21T09:00:00Z'), to: new Date('2026-11-22T09:00:00Z'), bucketCount: 24 }).successRate
 */
export const summarizeRuns = (
  runs: readonly Run[],
  window: { from: Date; to: Date; bucketCount: number },
  /** A run's recorded cost, when runs carry one (issue 13 records it): summed into `costUsd`. */
  costOf?: (run: Run) => number | undefined,
): RunStats => {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const count = Math.max(1, Math.floor(window.bucketCount));
  const width = Math.max(1, (to - from) / count);
  const buckets: StatsBucket[] = Array.from({ length: count }, (_, i) => ({
    from: new Date(from + i * width).toISOString(),
    succeeded: 0,
    failed: 0,
    other: 0,
  }));
  const byStatus: RunStats['byStatus'] = {};
  const durations: number[] = [];
  const retries: RunStats['retries'] = { application: 0, infrastructure: 0, rules: {} };
  let settled = 0;
  let costUsd: number | undefined;
  let total = 0;
  for (const run of runs) {
    const created = Date.parse(run.createdAt);
    if (!(created >= from && created < to)) continue;
    total++;
    byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
    const bucket = buckets[Math.min(count - 1, Math.floor((created - from) / width))] as StatsBucket;
    if (run.status === 'SUCCEEDED') bucket.succeeded++;
    else if (run.status === 'FAILED' || run.status === 'TIMED_OUT') bucket.failed++;
    else bucket.other++;
    if (SETTLED_STATUSES.includes(run.status)) settled++;
    const seconds = runDurationSeconds(run);
    if (seconds !== undefined) durations.push(seconds);
    retries.application += run.retries.app;
    retries.infrastructure += run.retries.infra;
    for (const [rule, n] of Object.entries(run.retries.rules)) retries.rules[rule] = (retries.rules[rule] ?? 0) + n;
    const cost = costOf?.(run);
    if (cost !== undefined && Number.isFinite(cost)) costUsd = (costUsd ?? 0) + cost;
  }
  const p50 = percentile(durations, 0.5);
  const p95 = percentile(durations, 0.95);
  return {
    runs: total,
    byStatus,
    ...(settled > 0 ? { successRate: (byStatus.SUCCEEDED ?? 0) / settled } : {}),
    ...(p50 !== undefined ? { p50Seconds: p50 } : {}),
    ...(p95 !== undefined ? { p95Seconds: p95 } : {}),
    retries,
    buckets,
    ...(costUsd !== undefined ? { costUsd } : {}),
  };
};
