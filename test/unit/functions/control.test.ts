import { describe, expect, it } from 'vitest';
import { buildHandler } from '../../../functions/control/handler.ts';
import type { Run } from '../../../lib/domain/run.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ctx = lambdaContext('longshore-test-control');

const handlerOver = (store: ReturnType<typeof fakeStore>) => {
  const { core, ecs, schedules } = buildDeps(store, exampleCatalog());
  return buildHandler({ ...core, ecs, schedules });
};

describe('Handler: control', () => {
  it('triggers a job with overrides and answers with the run', async () => {
    // Prepare: the job was never paused (the answer then says nothing of a pause)
    const store = fakeStore({
      getRun: async () => undefined,
      createRun: async (run) => ({ created: true, run }),
      getJobState: async () => undefined,
    });

    // Act
    const out = await handlerOver(store)(loadEvent('control-trigger'), ctx);

    // Assess
    expect(out).toEqual({
      ok: true,
      action: 'trigger',
      runId: expect.stringMatching(/^csv-ingest-/),
      status: 'QUEUED',
      created: true,
    });
    expect(store.calls.find((c) => c.method === 'createRun')?.args[0] as Run).toMatchObject({
      size: { cpu: 2048, memory: 8192 },
      overrides: {
        environment: [
          { name: 'BATCH_ROWS', value: '10000' },
          { name: 'SOURCE_DATE', value: '2026-11-20' },
        ],
        cpu: 2048,
        memory: 8192,
      },
      trigger: { type: 'manual', token: 'cli-6f1c2e9a-backfill-2026-11-20', requestedBy: 'alice@acme.example' },
    });
  });

  it.each([
    [
      'an unknown action',
      { action: 'explode' },
      'Invalid control request: action: must be "trigger", "retry", "cancel", "backfill", "pause" or "resume"',
    ],
    [
      'a NUL in a command argument',
      { action: 'trigger', job: 'csv-ingest', overrides: { command: ['python', 'a\u0000b'] } },
      'overrides.command[1]: no control characters',
    ],
    [
      'a BEL in an environment value',
      { action: 'trigger', job: 'csv-ingest', overrides: { environment: { MODE: 'x\u0007' } } },
      'overrides.environment.MODE: no control characters',
    ],
    ['a 3,000-character run id', { action: 'retry', runId: 'x'.repeat(3000) }, 'runId: at most 45 characters'],
    ['a run id of the wrong shape', { action: 'cancel', runId: 'csv-ingest-1' }, 'runId: not a longshore run id'],
    ['a 300-character job name', { action: 'trigger', job: 'j'.repeat(300) }, 'job: at most 24 characters'],
    [
      'an escape sequence in a cancel reason',
      { action: 'cancel', runId: 'csv-ingest-aaaaaaaaaaaaaaaaaaaa', reason: 'x\u001b[2J' },
      'reason: no control characters',
    ],
  ])('refuses %s at the edge, naming the field', async (_label, request, message) => {
    // Prepare
    const store = fakeStore();

    // Act
    const out = await handlerOver(store)(request, ctx);

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'EVENT_INVALID' } });
    expect(out.ok ? '' : out.error.message).toContain(message);
    expect(store.calls).toHaveLength(0);
  });
});
