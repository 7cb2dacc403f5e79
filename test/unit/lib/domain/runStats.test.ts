/** A job's figures over a window (the console's Jobs page): counts, success rate, p50/p95, retries by class. */
import { describe, expect, it } from 'vitest';
import type { Run, RunStatus } from '../../../../lib/domain/run.ts';
import { percentile, runDurationSeconds, summarizeRuns } from '../../../../lib/domain/runStats.ts';
import { runItem } from '../../../helpers/items.ts';

const WINDOW = { from: new Date('2026-11-22T08:00:00Z'), to: new Date('2026-11-22T09:00:00Z'), bucketCount: 4 };

/** A run created `minute` minutes into the window that took `seconds` to finish. */
const run = (minute: number, status: RunStatus, seconds?: number, retries: Partial<Run['retries']> = {}): Run => {
  const created = new Date(WINDOW.from.getTime() + minute * 60_000);
  return runItem(
    'csv-ingest',
    { type: 'manual', token: `t${minute}${status}` },
    {
      status,
      createdAt: created.toISOString(),
      ...(seconds !== undefined ? { finishedAt: new Date(created.getTime() + seconds * 1000).toISOString() } : {}),
      retries: { app: 0, infra: 0, rules: {}, ...retries },
    },
  );
};

describe('Function: percentile', () => {
  it('takes the nearest rank, and nothing of no values', () => {
    // Assess
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([5, 1, 3], 0.5)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});

describe('Function: runDurationSeconds', () => {
  it('counts only a run that ended by itself, from creation to finish', () => {
    // Assess
    expect(runDurationSeconds(run(0, 'SUCCEEDED', 90))).toBe(90);
    expect(runDurationSeconds(run(0, 'CANCELLED', 90))).toBeUndefined();
    expect(runDurationSeconds(run(0, 'RUNNING'))).toBeUndefined();
  });
});

describe('Function: summarizeRuns', () => {
  it('counts the runs of the window per bucket, the success rate of the settled ones, p50/p95 and retries by class', () => {
    // Prepare
    const runs = [
      run(1, 'SUCCEEDED', 10),
      run(2, 'SUCCEEDED', 20, { infra: 1 }),
      run(20, 'FAILED', 30, { app: 2, rules: { 'retry-throttle': 1 } }),
      run(40, 'CANCELLED', 5),
      run(59, 'RUNNING'),
      run(61, 'SUCCEEDED', 1),
      run(-1, 'SUCCEEDED', 1),
    ];

    // Act
    const s = summarizeRuns(runs, WINDOW);

    // Assess
    expect(s).toMatchObject({
      runs: 5,
      byStatus: { SUCCEEDED: 2, FAILED: 1, CANCELLED: 1, RUNNING: 1 },
      successRate: 2 / 3,
      p50Seconds: 20,
      p95Seconds: 30,
      retries: { application: 2, infrastructure: 1, rules: { 'retry-throttle': 1 } },
    });
    expect(s.buckets.map((b) => [b.from.slice(11, 16), b.succeeded, b.failed, b.other])).toEqual([
      ['08:00', 2, 0, 0],
      ['08:15', 0, 1, 0],
      ['08:30', 0, 0, 1],
      ['08:45', 0, 0, 1],
    ]);
    expect(s.costUsd).toBeUndefined();
  });

  it('has no success rate or durations when no run ended by itself, and sums a recorded cost when runs carry one', () => {
    // Act
    const s = summarizeRuns([run(1, 'CANCELLED', 3), run(2, 'SKIPPED')], WINDOW, () => 0.25);

    // Assess
    expect(s.successRate).toBeUndefined();
    expect(s.p50Seconds).toBeUndefined();
    expect(s.costUsd).toBe(0.5);
  });
});
