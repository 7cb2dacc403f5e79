/** Run and attempt items as DynamoDB holds them, for handler tests that mock the table. */

import type { Job } from '../../lib/catalog/schema.ts';
import { newRun } from '../../lib/domain/newRun.ts';
import type { Attempt, Run, RunTrigger } from '../../lib/domain/run.ts';
import { exampleCatalog } from './catalogs.ts';

export const exampleJob = (name: string): Job => {
  const job = exampleCatalog().jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no job ${name}`);
  return job;
};

export const runItem = (
  job: string,
  trigger: RunTrigger,
  patch: Partial<Run> = {},
): Run & { pk: string; sk: string } => {
  const run = { ...newRun({ job: exampleJob(job), trigger }, new Date('2026-11-22T09:00:00Z')), ...patch };
  return { pk: `RUN#${run.runId}`, sk: 'RUN', ...run };
};

export const attemptItem = (run: Run, patch: Partial<Attempt> = {}): Attempt & { pk: string; sk: string } => ({
  pk: `RUN#${run.runId}`,
  sk: `ATTEMPT#${String(run.attempt).padStart(4, '0')}`,
  runId: run.runId,
  attempt: run.attempt,
  status: 'LAUNCHING',
  launchRequestedAt: '2026-11-22T09:00:01.000Z',
  launchTries: 0,
  capacityProvider: run.capacity,
  cpu: run.size.cpu,
  memory: run.size.memory,
  ...patch,
});
