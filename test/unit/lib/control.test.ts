/**
 * Operator requests and the control function's answers (`answerControl`), through fakes of the
 * ports: refusals come back `ok: false` with their code, AWS failures throw so the CLI can retry.
 */
import { describe, expect, it } from 'vitest';
import { answerControl } from '../../../lib/control.ts';
import type { Run } from '../../../lib/domain/run.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';

const answer = (store: ReturnType<typeof fakeStore>, request: unknown) => {
  const { core, ecs } = buildDeps(store, exampleCatalog());
  return answerControl({ ...core, ecs }, request);
};

describe('Function: answerControl', () => {
  it.each([
    [
      { action: 'trigger', job: 'payroll' },
      'JOB_UNKNOWN',
      "Unknown job 'payroll'; the catalog has 'thumbnails', 'nightly-report', 'csv-ingest'",
    ],
    [
      { action: 'trigger', job: 'csv-ingest', overrides: { memory: 3000 } },
      'REQUEST_REJECTED',
      'memory 3000 is not valid with cpu 1024',
    ],
    [
      { action: 'trigger', job: 'csv-ingest', overrides: { environment: { BIG: 'x'.repeat(9000) } } },
      'OVERRIDES_TOO_LARGE',
      'ECS allows 8192',
    ],
    [
      { action: 'retry', runId: 'csv-ingest-aaaaaaaaaaaaaaaaaaaa' },
      'RUN_NOT_FOUND',
      "Run 'csv-ingest-aaaaaaaaaaaaaaaaaaaa' does not exist",
    ],
  ])('answers %o with ok: false and code %s', async (request, code, message) => {
    // Prepare
    const store = fakeStore({ getRun: async () => undefined });

    // Act
    const out = await answer(store, request);

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code } });
    expect(out.ok ? '' : out.error.message).toContain(message);
  });

  it('triggers with environment names that are JavaScript object keys, stored as names', async () => {
    // Prepare: the request as the Lambda runtime hands it over, parsed from JSON text.
    const request = JSON.parse(
      '{"action":"trigger","job":"csv-ingest","clientToken":"js-keys","overrides":{"environment":{"constructor":"a","__proto__":"b","toString":"c"}}}',
    );
    const store = fakeStore({ createRun: async (run) => ({ created: true, run }) });

    // Act
    const out = await answer(store, request);

    // Assess
    expect(out).toMatchObject({ ok: true, action: 'trigger', created: true });
    expect((store.calls[0]?.args[0] as Run | undefined)?.overrides).toEqual({
      environment: [
        { name: 'constructor', value: 'a' },
        { name: '__proto__', value: 'b' },
        { name: 'toString', value: 'c' },
      ],
    });
  });

  it('refuses overrides that fit attempt 1 but not a later attempt, before creating the run', async () => {
    // Prepare: a value sized so that attempt 1 fits and a retry-bigger (cpu/memory added) would not.
    const value = 'x'.repeat(7950);
    const store = fakeStore();

    // Act
    const out = await answer(store, {
      action: 'trigger',
      job: 'csv-ingest',
      overrides: { environment: { PAYLOAD: value } },
    });

    // Assess
    expect(out).toMatchObject({ ok: false, error: { code: 'OVERRIDES_TOO_LARGE' } });
    expect(out.ok ? '' : out.error.message).toMatch(/would reach \d+ characters on a retry; ECS allows 8192/);
    expect(store.calls).toHaveLength(0);
  });

  it('throws (so the CLI can retry) when AWS fails', async () => {
    // Prepare
    const store = fakeStore({
      createRun: async () => {
        throw new Error('InternalServerError');
      },
    });

    // Act & Assess
    await expect(answer(store, { action: 'trigger', job: 'csv-ingest', clientToken: 'x' })).rejects.toThrow(
      'InternalServerError',
    );
  });
});
