import { describe, expect, it } from 'vitest';
import { buildHandler } from '../../../functions/sweeper/handler.ts';
import { emptySweepReport } from '../../../lib/sweep.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const ctx = lambdaContext('longshore-test-sweeper');

describe('Handler: sweeper', () => {
  it('sweeps every job and reports nothing to do on a quiet table', async () => {
    // Prepare
    const store = fakeStore({
      takeLease: async () => true,
      releaseLease: async () => undefined,
      activeRuns: async () => [],
      getJobState: async () => undefined,
      slotHolders: async () => [],
      queuedRuns: async () => [],
      scheduleTicks: async () => undefined,
    });
    const { core, ecs } = buildDeps(store, exampleCatalog());

    // Act
    const out = await buildHandler({ ...core, ecs })({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, ctx);

    // Assess
    expect(out).toEqual(emptySweepReport());
    const asked = (method: string) => store.calls.filter((c) => c.method === method).map((c) => c.args[0]);
    expect(asked('activeRuns')).toEqual(expect.arrayContaining(['thumbnails', 'nightly-report', 'csv-ingest']));
    expect(asked('slotHolders')).toContain('thumbnails');
    expect(store.calls.find((c) => c.method === 'takeLease')?.args.slice(0, 2)).toEqual(['sweeper', ctx.awsRequestId]);
  });
});
