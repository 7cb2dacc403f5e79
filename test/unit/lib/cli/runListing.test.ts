/**
 * Runs across jobs, newest first, a page at a time (the console's Runs page), over a store that
 * lists one job's runs newest first in pages of its own: the pages continue exactly where the last
 * stopped, a filter the index cannot apply spends a bounded read, and active-only filters read the
 * sparse active index.
 */
import { describe, expect, it } from 'vitest';
import {
  FinalRunCache,
  listRuns,
  type RunReader,
  runsInWindow,
  type WindowReader,
} from '../../../../lib/cli/runListing.ts';
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
    getJobState: async () => undefined,
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

describe('Class: FinalRunCache', () => {
  const BASE = Date.parse('2026-11-22T09:00:00Z');
  const at = (second: number) => new Date(BASE + second * 1000);
  /** The cache's reads over the fake store, counting the runs each gives. */
  const windowReaderOf = (runs: Run[]) => {
    const { reader } = readerOf(runs, 1000);
    const counted = { histories: 0 };
    const windowReader: WindowReader = {
      runsOfJob: reader.runsOfJob,
      runs: (query) => listRuns(reader, query),
      history: async (runId) => {
        counted.histories++;
        const run = runs.find((r) => r.runId === runId);
        return run ? { run } : undefined;
      },
    };
    return { windowReader, counted };
  };

  it('reads again only the new runs, the active ones and those that ended since, and gives what a full read gives', async () => {
    // Prepare: 200 finished runs, one still running (150 s) and one stuck QUEUED for days (10 s), read at 1,000 s.
    const runs = Array.from({ length: 200 }, (_, i) =>
      run('csv-ingest', i, i === 150 ? 'RUNNING' : i === 10 ? 'QUEUED' : 'SUCCEEDED'),
    );
    const { windowReader, counted } = windowReaderOf(runs);
    let now = at(1000);
    const cache = new FinalRunCache(() => now);
    const since = at(0).toISOString();
    const first = await cache.runsInWindow(windowReader, 'csv-ingest', since);
    // The running one fails, and two runs arrive, one of them queued.
    runs[150] = { ...(runs[150] as Run), status: 'FAILED' };
    runs.push(run('csv-ingest', 1500), run('csv-ingest', 1501, 'QUEUED'));
    now = at(1600);

    // Act
    const second = await cache.runsInWindow(windowReader, 'csv-ingest', since);
    const full = await runsInWindow(windowReader, 'csv-ingest', since);

    // Assess
    expect(first.read).toBe(200);
    // the 2 created since 5 minutes before the first read, the 2 active (10 s, 1501 s), the 1 that ended
    expect([second.read, counted.histories]).toEqual([5, 1]);
    expect(ids(second.runs)).toEqual(ids(full.runs));
    expect(second.runs.find((r) => r.runId === runs[150]?.runId)?.status).toBe('FAILED');
  });

  it('reads a wider window in full once, then only what may have changed', async () => {
    // Prepare
    const runs = Array.from({ length: 10 }, (_, i) => run('csv-ingest', i * 100));
    const { windowReader } = windowReaderOf(runs);
    const cache = new FinalRunCache(() => at(5000));

    // Act
    const narrow = await cache.runsInWindow(windowReader, 'csv-ingest', at(500).toISOString());
    const wide = await cache.runsInWindow(windowReader, 'csv-ingest', at(0).toISOString());
    const again = await cache.runsInWindow(windowReader, 'csv-ingest', at(300).toISOString());

    // Assess
    expect([narrow.read, narrow.runs.length]).toEqual([5, 5]);
    expect([wide.read, wide.runs.length]).toEqual([10, 10]);
    expect([again.read, ids(again.runs)]).toEqual([
      0,
      ids(runs.filter((r) => r.createdAt >= at(300).toISOString()).reverse()),
    ]);
  });
});
