/** Reading a run's result: bounded in time, and every failure a resultError, never a thrown error. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESULT_READ_MS, readRunResult } from '../../../lib/runResult.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';

const job = exampleCatalog().jobs.find((j) => j.name === 'csv-ingest');
if (!job?.result) throw new Error('jobs.ts: csv-ingest declares a result');
const attempt = {
  runId: 'r',
  attempt: 1,
  status: 'STOPPED' as const,
  clientToken: 't',
  launchRequestedAt: '2026-11-22T10:00:00.000Z',
  launchTries: 1,
  capacityProvider: 'FARGATE',
  cpu: 1024,
  memory: 2048,
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/longshore-test/0123456789abcdef0123456789abcdef',
};
const settings = { stage: 'test', clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/longshore-test' };

afterEach(() => {
  vi.useRealTimers();
});

describe('Function: readRunResult', () => {
  it(`gives up after ${RESULT_READ_MS} ms without an answer, as a resultError`, async () => {
    // Prepare
    vi.useFakeTimers();
    const logs = { read: () => new Promise<never>(() => undefined) };

    // Act
    const pending = readRunResult({ settings, logs }, job, attempt);
    await vi.advanceTimersByTimeAsync(RESULT_READ_MS);

    // Assess
    await expect(pending).resolves.toEqual({
      resultError: `the main container's log could not be read (no answer in ${RESULT_READ_MS} ms)`,
    });
  });

  it('says so for an attempt without a task or a function without logs, and reads nothing for a job without a result', async () => {
    // Prepare
    const read = vi.fn();
    const { taskArn: _t, ...noTask } = attempt;
    const thumbnails = exampleCatalog().jobs.find((j) => j.name === 'thumbnails');
    if (!thumbnails) throw new Error('thumbnails');

    // Act & Assess
    await expect(readRunResult({ settings, logs: { read } }, job, noTask)).resolves.toEqual({
      resultError: 'the attempt has no task, so no log to read the result from',
    });
    await expect(readRunResult({ settings }, job, attempt)).resolves.toEqual({
      resultError: 'this function does not read task logs',
    });
    await expect(readRunResult({ settings, logs: { read } }, thumbnails, attempt)).resolves.toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });
});
