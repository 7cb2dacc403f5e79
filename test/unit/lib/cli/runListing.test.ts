/**
 * Runs across jobs, newest first, a page at a time (the console's Runs page), over a store that
 * lists one job's runs newest first in pages of its own: the pages continue exactly where the last
 * stopped, a filter the index cannot apply spends a bounded read, and active-only filters read the
 * sparse active index.
 */
import { describe, expect, it } from 'vitest';
import { listRuns, type RunReader } from '../../../../lib/cli/runListing.ts';
import type { Run, RunStatus } from '../../../../lib/domain/run.ts';
import { runItem } from '../../../helpers/items.ts';

/** A run of `job` created `second` seconds after 09:00. */
const run = (job: string, second: number, status: RunStatus = 'SUCCEEDED'): Run =>
  runItem(
    job,
    { type: 'manual', token: `${job}-${second}` },
    {
      status,
      createdAt: new Date(Date.parse('2026-11-22T09:00:00Z') + second * 1000).toISOString(),
    },
  );

/** The store's reads over lists of runs, paged `pageSize` at a time by offset; counts the pages read. */
const readerOf = (runs: Run[], pageSize = 3) => {
  const reads = { pages: 0, active: 0 };
  const newest = (job: string) =>
    runs.filter((r) => r.job === job).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  const reader: RunReader = {
    childTally: async () => ({ counts: {}, counted: 0, countedIndices: [], failed: [] }),
    runsOfJob: async (job, opts) => {
      reads.pages++;
      const all = newest(job).filter((r) => !opts.since || r.createdAt >= opts.since);
      const from = Number(opts.cursor ?? 0);
      const size = Math.min(pageSize, opts.limit);
      return {
        runs: all.slice(from, from + size),
        ...(from + size < all.length ? { cursor: String(from + size) } : {}),
      };
    },
    activeRuns: async (job) => {
      reads.active++;
      return newest(job).filter((r) => ['QUEUED', 'STARTING', 'RUNNING', 'CANCELLING'].includes(r.status));
    },
    queuedRuns: async () => [],
    slotHolders: async () => [],
    getHistory: async () => undefined,
  };
  return { reader, reads };
};

const ids = (runs: Run[]) =>
  runs.map((r) => `${r.job}@${Date.parse(r.createdAt) / 1000 - Date.parse('2026-11-22T09:00:00Z') / 1000}`);

describe('Function: listRuns', () => {
  it('merges the jobs newest first, and the next page continues where the last stopped, with no run twice', async () => {
    // Prepare
    const { reader } = readerOf([
      run('csv-ingest', 1),
      run('csv-ingest', 4),
      run('csv-ingest', 5),
      run('csv-ingest', 9),
      run('thumbnails', 2),
      run('thumbnails', 3),
      run('thumbnails', 8),
    ]);
    const q = { jobs: ['csv-ingest', 'thumbnails'], filter: {}, limit: 3 };

    // Act
    const first = await listRuns(reader, q);
    const second = await listRuns(reader, { ...q, ...(first.cursor ? { cursor: first.cursor } : {}) });
    const third = await listRuns(reader, { ...q, ...(second.cursor ? { cursor: second.cursor } : {}) });

    // Assess
    expect(ids(first.runs)).toEqual(['csv-ingest@9', 'thumbnails@8', 'csv-ingest@5']);
    expect(ids(second.runs)).toEqual(['csv-ingest@4', 'thumbnails@3', 'thumbnails@2']);
    expect(ids(third.runs)).toEqual(['csv-ingest@1']);
    expect(third.cursor).toBeUndefined();
  });

  it('stops at the scan budget when a filter drops runs, saying how far back it searched', async () => {
    // Prepare
    const runs = Array.from({ length: 20 }, (_, i) => run('csv-ingest', i, i === 0 ? 'FAILED' : 'SUCCEEDED'));
    const { reader } = readerOf(runs);

    // Act
    const page = await listRuns(reader, {
      jobs: ['csv-ingest'],
      filter: { statuses: ['FAILED'] },
      limit: 5,
      scanBudget: 10,
    });
    const further = await listRuns(reader, {
      jobs: ['csv-ingest'],
      filter: { statuses: ['FAILED'] },
      limit: 5,
      scanBudget: 10,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });

    // Assess
    expect(page).toMatchObject({ runs: [], scanned: 10, budgetSpent: true, searchedBack: '2026-11-22T09:00:10.000Z' });
    expect(page.cursor).toBeDefined();
    expect(ids(further.runs)).toEqual(['csv-ingest@0']);
    expect(further.cursor).toBeUndefined();
  });

  it('reads only the active index when the filter asks for active statuses', async () => {
    // Prepare
    const { reader, reads } = readerOf([
      run('csv-ingest', 1, 'QUEUED'),
      run('csv-ingest', 2, 'SUCCEEDED'),
      run('thumbnails', 3, 'RUNNING'),
    ]);

    // Act
    const page = await listRuns(reader, {
      jobs: ['csv-ingest', 'thumbnails'],
      filter: { statuses: ['QUEUED', 'RUNNING'] },
      limit: 1,
    });
    const next = await listRuns(reader, {
      jobs: ['csv-ingest', 'thumbnails'],
      filter: { statuses: ['QUEUED', 'RUNNING'] },
      limit: 1,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });

    // Assess
    expect(ids(page.runs)).toEqual(['thumbnails@3']);
    expect(ids(next.runs)).toEqual(['csv-ingest@1']);
    expect(reads).toEqual({ pages: 0, active: 4 });
  });
});
