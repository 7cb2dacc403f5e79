/** Why a queued run waits (the console's Runs and Run pages): back-off, slots held, place in line, launches given back. */
import { describe, expect, it } from 'vitest';
import { queueWait } from '../../../../lib/domain/queueWait.ts';
import { runItem } from '../../../helpers/items.ts';

const NOW = new Date('2026-11-22T09:00:05Z');
const queued = (token: string, patch = {}) =>
  runItem('csv-ingest', { type: 'manual', token }, { status: 'QUEUED', ...patch });

describe('Function: queueWait', () => {
  it('says nothing of a run that is not queued', () => {
    // Assess
    expect(
      queueWait({ ...queued('a'), status: 'RUNNING' }, { holders: [], queue: [], limit: 10, now: NOW }),
    ).toBeUndefined();
  });

  it('names the runs holding every slot and the place in line', () => {
    // Prepare
    const first = queued('a');
    const second = queued('b');

    // Act
    const w = queueWait(second, {
      maxConcurrent: 2,
      holders: [{ runId: 'csv-ingest-x' }, { runId: 'csv-ingest-y' }],
      queue: [first, second],
      limit: 10,
      now: NOW,
    });

    // Assess
    expect(w).toEqual({
      slotsFull: { max: 2, holders: ['csv-ingest-x', 'csv-ingest-y'] },
      place: { position: 2, of: 2, more: false },
    });
  });

  it('gives the retry back-off while it lasts, and a launch given back with its last error', () => {
    // Prepare
    const run = queued('a', { notBefore: '2026-11-22T09:01:00.000Z' });

    // Act
    const w = queueWait(run, {
      maxConcurrent: 3,
      holders: [],
      queue: [run],
      limit: 1,
      now: NOW,
      attempt: { status: 'LAUNCHING', launchTries: 2, lastLaunchError: 'ThrottlingException' },
    });
    const later = queueWait(run, { holders: [], queue: [run], limit: 5, now: new Date('2026-11-22T09:02:00Z') });

    // Assess
    expect(w).toEqual({
      backoffUntil: '2026-11-22T09:01:00.000Z',
      place: { position: 1, of: 1, more: true },
      launch: { tries: 2, lastError: 'ThrottlingException' },
    });
    expect(later).toEqual({ place: { position: 1, of: 1, more: false } });
  });

  it('says the run is further back than the line read when it is not in it', () => {
    // Act
    const w = queueWait(queued('z'), { holders: [], queue: [queued('a'), queued('b')], limit: 2, now: NOW });

    // Assess
    expect(w).toEqual({ place: { beyond: 2 } });
  });
});
